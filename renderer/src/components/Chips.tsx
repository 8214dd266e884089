/** A row of toggle buttons for a multi-select filter; each toggles at once (filters apply immediately). */
export function Chips<T extends string>(props: {
  label: string;
  options: readonly T[];
  selected: readonly T[];
  onChange(next: T[]): void;
  render?: (value: T) => string;
}) {
  const { label, options, selected, onChange, render = (v) => v } = props;
  return (
    <div className="chips" role="group" aria-label={label}>
      <span className="chips-label">{label}</span>
      {options.map((option) => {
        const on = selected.includes(option);
        return (
          <button
            key={option}
            type="button"
            className={on ? 'chip on' : 'chip'}
            aria-pressed={on}
            onClick={() => onChange(on ? selected.filter((s) => s !== option) : [...selected, option])}
          >
            {render(option)}
          </button>
        );
      })}
    </div>
  );
}
