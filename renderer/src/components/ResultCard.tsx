import type { SearchResult } from '../../../electron/shared/ipc-contract';
import { api } from '../api';
import { ZONE_NAMES, damageLabel } from '../labels';

/** A retrieved crop: thumbnail, similarity, damaged or clean, zone, types, context; opens its source photo. */
export function ResultCard(props: { result: SearchResult; label: string; onOpen(result: SearchResult): void }) {
  const { result: r, label, onOpen } = props;
  return (
    <li data-testid="result" data-damage={r.hasDamage ? 'damaged' : 'clean'}>
      <button type="button" onClick={() => onOpen(r)} title="Open the source photo">
        <img src={api.imageUrl(r.cropPath, 256)} alt={`${label}: ${r.hasDamage ? 'damaged' : 'clean'} crop from ${r.sourceImage}`} loading="lazy" />
        <span className="score" title="similarity">{r.score.toFixed(3)}</span>
        <span className="card-line">
          <span className={r.hasDamage ? 'state damaged' : 'state undamaged'}>{r.hasDamage ? 'damaged' : 'clean'}</span>
          <span className="card-zone" title={r.zone ? ZONE_NAMES[r.zone] : undefined}>zone {r.zone ?? '?'}</span>
        </span>
        {r.hasDamage && r.damageTypes.length > 0 && <span className="card-sub card-types">{r.damageTypes.map(damageLabel).join(', ')}</span>}
        {r.context && <span className="card-sub">{r.context}</span>}
      </button>
    </li>
  );
}
