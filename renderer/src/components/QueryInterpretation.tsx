import type { SearchFilters, SearchResponse } from '../../../electron/shared/ipc-contract';

type Interpretation = NonNullable<SearchResponse['interpretation']>;
type Proposal = Interpretation['proposals'][number];

/** The filters without those a proposal sets (un-confirming it). */
function without(filters: SearchFilters, proposal: Proposal): SearchFilters {
  const out = { ...filters };
  for (const key of Object.keys(proposal.filters) as (keyof SearchFilters)[]) delete out[key];
  return out;
}

/**
 * What the search read in the query text ("zone 5 (rear bumper) · dent"): each proposal is a chip. A proposed
 * filter only ranks matching crops higher; clicking its chip makes it a filter (results must match it), clicking a
 * confirmed one lifts it again.
 */
export function QueryInterpretation({ interpretation, filters, onChange }: { interpretation: Interpretation; filters: SearchFilters; onChange(next: SearchFilters): void }) {
  const { proposals, negated, notes, part } = interpretation;
  return (
    <div className="answer interpretation" data-testid="interpretation">
      <div className="chips" role="group" aria-label="Query interpretation">
        <strong>Interpreted as:</strong>
        {proposals.length === 0 && <span>{part ?? 'nothing to propose as a filter'}</span>}
        {proposals.map((p) => (
          <button
            key={p.kind}
            type="button"
            className={p.confirmed ? 'chip on' : 'chip proposed'}
            aria-pressed={p.confirmed}
            title={p.confirmed ? `Applied as a filter: click to only rank ${p.label} higher` : `Ranked higher: click to apply ${p.label} as a filter`}
            onClick={() => onChange(p.confirmed ? without(filters, p) : { ...filters, ...p.filters })}
          >
            {p.label}
            {p.confirmed ? ' ✓' : ''}
          </button>
        ))}
      </div>
      <p className="muted interpretation-note">
        {proposals.some((p) => !p.confirmed) ? 'Crops that match the proposals rank higher; click one to apply it as a filter.' : 'Applied as filters.'}
        {negated.length > 0 && ` Read as clean: no ${negated.join(', ')}.`}
        {notes.map((n) => ` ${n[0]!.toUpperCase()}${n.slice(1)}.`).join('')}
      </p>
    </div>
  );
}
