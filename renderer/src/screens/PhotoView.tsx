import { useEffect, useRef } from 'react';
import { PhotoOverlay } from '../components/PhotoOverlay';
import { DAMAGE_COLORS, ZONE_NAMES, damageLabel } from '../labels';
import { useApp } from '../store';

/** A photo with its annotation polygons drawn over it and its scan problems; Esc closes, ←/→ step. */
export function PhotoView() {
  const { photo, photos, openPhoto } = useApp();
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => dialog.current?.focus(), [photo?.id]);
  if (!photo) return null;
  const index = photos?.findIndex((p) => p.id === photo.id) ?? -1;
  const step = (delta: number) => {
    const next = photos?.[index + delta];
    if (next) void openPhoto(next.id);
  };
  return (
    <div
      className="modal"
      role="dialog"
      aria-modal="true"
      aria-label={`Photo ${photo.fileName}`}
      tabIndex={-1}
      ref={dialog}
      onKeyDown={(e) => {
        if (e.key === 'Escape') void openPhoto(null);
        if (e.key === 'ArrowRight') step(1);
        if (e.key === 'ArrowLeft') step(-1);
      }}
    >
      <div className="modal-body photo-view">
        <header>
          <h2 title={photo.imagePath}>{photo.fileName}</h2>
          <div className="actions">
            <button type="button" onClick={() => step(-1)} disabled={index <= 0} aria-label="Previous photo">←</button>
            <button type="button" onClick={() => step(1)} disabled={index < 0 || index >= (photos?.length ?? 0) - 1} aria-label="Next photo">→</button>
            <button type="button" onClick={() => void openPhoto(null)} aria-label="Close">✕</button>
          </div>
        </header>
        <div className="photo-layout">
          <PhotoOverlay imagePath={photo.imagePath} width={photo.width} height={photo.height} shapes={photo.shapes} label={`${photo.fileName} with ${photo.shapes.length} shapes`} />
          <aside>
            <dl>
              <dt>State</dt><dd>{photo.state}</dd>
              <dt>Zone</dt><dd>{photo.zone ? `${photo.zone} · ${ZONE_NAMES[photo.zone]}` : 'unknown'}</dd>
              <dt>Size</dt><dd>{photo.width} × {photo.height}</dd>
            </dl>
            <h3>Shapes ({photo.shapes.length})</h3>
            <ul className="legend">
              {photo.shapes.map((s, i) => (
                <li key={i}>
                  <span className="swatch" style={{ background: s.damageType ? DAMAGE_COLORS[s.damageType] : '#fff' }} />
                  {s.damageType ? damageLabel(s.damageType) : `label “${s.label}” (not damage)`}
                </li>
              ))}
            </ul>
            <h3>Scan problems ({photo.problemList.length})</h3>
            {photo.problemList.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <ul className="problem-list" data-testid="problems">
                {photo.problemList.map((p, i) => (
                  <li key={i} className={p.severity}><strong>{p.code}</strong> {p.message}<br /><code>{p.file}</code></li>
                ))}
              </ul>
            )}
          </aside>
        </div>
      </div>
    </div>
  );
}
