import { useState } from 'react';
import type { Inspection, SearchFilters, SearchResult } from '../../../electron/shared/ipc-contract';
import { api } from '../api';
import { damageLabel, useZoneNames } from '../labels';
import { DamageHeatmap, whereOnPhoto } from './DamageHeatmap';
import { ResultCard } from './ResultCard';

const pct = (x: number) => `${Math.round(100 * x)} %`;
const VERDICT_WORD = { damaged: 'yes', clean: 'no', uncertain: 'uncertain' } as const;
/** Windows listed before "All windows" is opened (the damaged ones are always listed). */
const LISTED = 8;

/**
 * The answer for a dropped photo, in words. Filters narrow the neighbours, never the answer: anything the filters
 * decide (the zone under a zone filter, the damaged share under a damage filter) is not reported as a finding.
 */
function Answer({ inspection, filters }: { inspection: Inspection; filters: SearchFilters }) {
  const { damage, types, zone, windows, retrievalUnavailable } = inspection;
  const zones = useZoneNames();
  const damaged = windows.filter((w) => w.damaged).length;
  let zoneLine: string;
  if (filters.zones?.length) zoneLine = 'not judged: the zone filter decides which neighbours vote';
  else if (zone) zoneLine = `${zone.value} ${zones.long(zone.value)} (${pct(zone.confidence)} of the neighbours' votes)`;
  else zoneLine = retrievalUnavailable ? 'unknown (no neighbours)' : 'unknown (no zone has the votes of most neighbours)';
  return (
    <div className={`verdict ${damage.verdict}`} data-testid="inspection-answer" role="status">
      <p className="verdict-line">
        <strong>Damage: {VERDICT_WORD[damage.verdict]}</strong> — {pct(damage.probability)} probability of damage
      </p>
      {damage.verdict === 'uncertain' && (
        <p className="verdict-note">Between {pct(damage.uncertainBand[0])} and {pct(damage.uncertainBand[1])} the model does not commit: check the hot areas yourself.</p>
      )}
      {types.length > 0 && <p>Likely types: {types.map((t) => `${damageLabel(t.type)} ${pct(t.score)}`).join(', ')}</p>}
      <p>Zone: {zoneLine}</p>
      <p className="muted">
        {damaged} of {windows.length} windows over the damage threshold ({inspection.windowThreshold.toFixed(3)}) · {inspection.timings.totalMs} ms
      </p>
      {/* The core's reason names files; the user needs the step, the reason stays on hover. */}
      {retrievalUnavailable && (
        <p className="muted" title={retrievalUnavailable} data-testid="no-neighbours">
          No neighbours: this workspace&apos;s search index is not ready, so the damage heads answer alone. Run phases 3 (embeddings) and 4 (index) on the Pipeline screen.
        </p>
      )}
    </div>
  );
}

function windowName(inspection: Inspection, i: number): string {
  const w = inspection.windows[i]!;
  return `Window ${i + 1}: ${w.damaged ? 'damage' : 'clean'}, score ${w.score.toFixed(3)}, ${whereOnPhoto(w.box, inspection.photo)}`;
}

/** Heatmap and window list on the left; the answer and the selected window's neighbours on the right. */
export function InspectionPanel(props: { inspection: Inspection; filters: SearchFilters; onOpen(result: SearchResult): void }) {
  const { inspection, filters, onOpen } = props;
  const [selected, setSelected] = useState<number | null>(inspection.windows.length ? 0 : null);
  const [showHeat, setShowHeat] = useState(true);
  const [allWindows, setAllWindows] = useState(false);
  const windows = inspection.windows;
  const listed = windows.map((w, i) => ({ w, i })).filter(({ w, i }) => allWindows || i < LISTED || w.damaged || i === selected);
  const chosen = selected === null ? null : windows[selected] ?? null;
  return (
    <div className="inspection" data-testid="inspection">
      <figure className="inspection-figure">
        <DamageHeatmap inspection={inspection} imageUrl={api.imageUrl(inspection.photoPath)} selected={selected} onSelect={setSelected} showHeat={showHeat} />
        <figcaption className="heat-legend">
          <label>
            <input type="checkbox" checked={showHeat} onChange={(e) => setShowHeat(e.target.checked)} /> Heatmap
          </label>
          <span className="heat-scale" aria-hidden="true" />
          <span>0–100 % damage per cell</span>
          <span><span className="key damaged" aria-hidden="true" /> damaged window</span>
          <span><span className="key selected" aria-hidden="true" /> selected</span>
        </figcaption>
        <div className="chips window-list" role="group" aria-label="Windows, best first">
          <span className="chips-label">Windows</span>
          {listed.map(({ w, i }) => (
            <button
              key={i}
              type="button"
              className={`chip${w.damaged ? ' damaged' : ''}${i === selected ? ' on' : ''}`}
              aria-pressed={i === selected}
              aria-label={`${i + 1} · ${w.score.toFixed(3)}: ${windowName(inspection, i)}`}
              data-testid="window-chip"
              onClick={() => setSelected(i)}
            >
              {i + 1} · {w.score.toFixed(3)}
            </button>
          ))}
          {windows.length > listed.length && (
            <button type="button" className="chip more" onClick={() => setAllWindows(true)}>
              All {windows.length} windows
            </button>
          )}
        </div>
      </figure>
      <div className="inspection-side">
        <Answer inspection={inspection} filters={filters} />
        {chosen && selected !== null && (
          <section className="window-detail" aria-labelledby="window-heading">
            <h3 id="window-heading" data-testid="window-heading">
              Neighbours of window {selected + 1}
            </h3>
            <p className="window-facts">
              <span className={chosen.damaged ? 'state damaged' : 'state undamaged'}>{chosen.damaged ? 'damage' : 'clean'}</span> score {chosen.score.toFixed(3)} at the{' '}
              {whereOnPhoto(chosen.box, inspection.photo)}
              {chosen.damaged && chosen.types.length > 0 && ` · likely ${chosen.types.map((t) => `${damageLabel(t.type)} ${pct(t.score)}`).join(', ')}`}
              {/* Under a damage filter every neighbour is what the filter asked for: no finding to report. */}
              {filters.hasDamage === undefined && chosen.neighbourDamageShare !== null && ` · ${pct(chosen.neighbourDamageShare)} of its neighbours are damaged crops`}
            </p>
            {chosen.neighbours.length === 0 ? (
              <p className="muted">{inspection.retrievalUnavailable ? 'No neighbours: build the index (phases 3 and 4) first.' : 'No crop passes these filters.'}</p>
            ) : (
              <ul className="results neighbours" aria-label={`Neighbours of window ${selected + 1}`}>
                {chosen.neighbours.map((r) => (
                  <ResultCard key={r.cropId} result={r} label={`neighbour ${r.rank}`} onOpen={onOpen} />
                ))}
              </ul>
            )}
          </section>
        )}
      </div>
    </div>
  );
}
