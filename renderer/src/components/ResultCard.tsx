import { useId, useState } from 'react';
import type { SearchResult } from '../../../electron/shared/ipc-contract';
import { api } from '../api';
import { damageLabel, useZoneNames } from '../labels';

/** What a score means, in words, for the badge's tooltip and the screen reader. */
export const SCORE_EXPLAINED =
  'Cosine similarity of this crop to your query: 1 = identical, about 0.85 and up = very similar for this model. Scores of different queries do not compare; the ranks are what matter.';

/** The source photo as a small SVG with the crop's region drawn on it (just the photo when its size is unknown). */
function SourceThumb({ result: r }: { result: SearchResult }) {
  const href = api.imageUrl(r.sourcePath, 256);
  const label = `source photo ${r.sourceImage} with the crop's region`;
  if (!r.sourceSize) return <img className="source-thumb" src={href} alt={`source photo ${r.sourceImage}`} loading="lazy" />;
  const { width, height } = r.sourceSize;
  const stroke = Math.max(2, width / 120);
  return (
    <svg className="source-thumb" data-testid="source-thumb" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="xMidYMid meet" role="img" aria-label={label}>
      <image href={href} width={width} height={height} />
      <rect data-testid="source-box" className="source-box" x={r.bbox.x} y={r.bbox.y} width={r.bbox.width} height={r.bbox.height} strokeWidth={stroke} />
    </svg>
  );
}

/**
 * A retrieved crop: the crop beside its source photo (the crop's box drawn on it), similarity with what it means,
 * damaged or clean, zone, types, the context's first line; the full context opens below. Opens its source photo.
 */
export function ResultCard(props: { result: SearchResult; label: string; onOpen(result: SearchResult): void }) {
  const { result: r, label, onOpen } = props;
  const [expanded, setExpanded] = useState(false);
  const zones = useZoneNames();
  const contextId = useId();
  return (
    <li data-testid="result" data-crop-id={r.cropId} data-damage={r.hasDamage ? 'damaged' : 'clean'}>
      <button type="button" onClick={() => onOpen(r)} title="Open the source photo">
        <span className="card-images">
          <img src={api.imageUrl(r.cropPath, 256)} alt={`${label}: ${r.hasDamage ? 'damaged' : 'clean'} crop from ${r.sourceImage}`} loading="lazy" />
          <SourceThumb result={r} />
        </span>
        <span className="score" title={SCORE_EXPLAINED}>{r.score.toFixed(3)}</span>
        <span className="card-line">
          <span className={r.hasDamage ? 'state damaged' : 'state undamaged'}>{r.hasDamage ? 'damaged' : 'clean'}</span>
          <span className="card-zone" title={r.zone ? zones.long(r.zone) : undefined}>zone {r.zone ?? '?'}</span>
        </span>
        {r.hasDamage && r.damageTypes.length > 0 && <span className="card-sub card-types">{r.damageTypes.map(damageLabel).join(', ')}</span>}
        <span className="card-sub score-note" title={SCORE_EXPLAINED} data-testid="score-note">
          #{r.rank} · similarity {r.score.toFixed(3)} (1 = identical)
        </span>
        {r.context && !expanded && <span className="card-sub">{r.context}</span>}
      </button>
      {r.context && (
        <>
          <button type="button" className="disclosure" aria-expanded={expanded} aria-controls={contextId} onClick={() => setExpanded(!expanded)}>
            {expanded ? 'Hide context' : 'Full context'}
          </button>
          {expanded && (
            <p id={contextId} className="card-context" data-testid="full-context">
              {r.context}
            </p>
          )}
        </>
      )}
    </li>
  );
}
