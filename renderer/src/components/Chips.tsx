/**
 * A row of toggle buttons for a multi-select filter; each toggles at once (filters apply immediately). With
 * `count`, each option shows how many items it holds ("dent (12)"), and `title` explains the option on hover.
 */
export function Chips<T extends string>(props: {
  label: string;
  options: readonly T[];
  selected: readonly T[];
  onChange(next: T[]): void;
  render?: (value: T) => string;
  count?: (value: T) => number | undefined;
  title?: (value: T) => string | undefined;
}) {
  const { label, options, selected, onChange, render = (v) => v, count, title } = props;
  return (
    <div className="chips" role="group" aria-label={label}>
      <span className="chips-label">{label}</span>
      {options.map((option) => {
        const on = selected.includes(option);
        const n = count?.(option);
        return (
          <button
            key={option}
            type="button"
            className={on ? 'chip on' : 'chip'}
            aria-pressed={on}
            title={title?.(option)}
            onClick={() => onChange(on ? selected.filter((s) => s !== option) : [...selected, option])}
          >
            {render(option)}
            {n !== undefined && <span className="chip-count"> ({n})</span>}
          </button>
        );
      })}
    </div>
  );
}

/** A single-choice row of chips (one value or "all"), with counts like {@link Chips}. */
export function ChoiceChips<T extends string | boolean | null | undefined>(props: {
  label: string;
  /** The group's accessible name when it differs from the visible label. */
  name?: string;
  options: readonly T[];
  value: T;
  onChange(next: T): void;
  render(value: T): string;
  count?: (value: T) => number | undefined;
  title?: (value: T) => string | undefined;
}) {
  const { label, name, options, value, onChange, render, count, title } = props;
  return (
    <div className="chips" role="group" aria-label={name ?? label}>
      <span className="chips-label">{label}</span>
      {options.map((option) => {
        const n = count?.(option);
        return (
          <button key={String(option)} type="button" className={value === option ? 'chip on' : 'chip'} aria-pressed={value === option} title={title?.(option)} onClick={() => onChange(option)}>
            {render(option)}
            {n !== undefined && <span className="chip-count"> ({n})</span>}
          </button>
        );
      })}
    </div>
  );
}
