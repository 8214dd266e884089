import { useEffect, useState, type ReactNode } from 'react';
import type { PhotoDetail, SearchResult } from '../../../electron/shared/ipc-contract';
import { api } from '../api';
import { Dialog } from '../components/Dialog';
import { PhotoOverlay } from '../components/PhotoOverlay';
import { DAMAGE_COLORS, damageLabel, useZoneNames } from '../labels';
import { errorText, useApp } from '../store';

/** A photo with its annotation polygons (and a crop's box, when given), its facts and its scan problems. */
function PhotoDetails(props: { photo: PhotoDetail; box?: SearchResult['bbox']; actions: ReactNode; note?: ReactNode }) {
  const { photo, box, actions, note } = props;
  const zones = useZoneNames();
  return (
    <div className="modal-body photo-view">
      <header>
        <h2 title={photo.imagePath}>{photo.fileName}</h2>
        <div className="actions">{actions}</div>
      </header>
      <div className="photo-layout">
        <PhotoOverlay
          imagePath={photo.imagePath}
          width={photo.width}
          height={photo.height}
          shapes={photo.shapes}
          boxes={box ? [{ id: 'result', bbox: box, tone: 'active' }] : []}
          label={`${photo.fileName} with ${photo.shapes.length} shapes${box ? " and the crop's box" : ''}`}
        />
        {/* Focusable: it scrolls when the shapes or problems are many, and a keyboard user must be able to. */}
        <aside tabIndex={0} aria-label="About this photo">
          {note}
          <dl>
            <dt>State</dt><dd>{photo.state}</dd>
            <dt>Zone</dt><dd>{photo.zone ? `${photo.zone} · ${zones.long(photo.zone)}` : 'unknown'}</dd>
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
  );
}

/** The Dataset screen's photo: Esc closes (focus back on its card), ←/→ step through the filtered photos. */
export function PhotoView() {
  const { photo, photos, openPhoto } = useApp();
  if (!photo) return null;
  const index = photos?.findIndex((p) => p.id === photo.id) ?? -1;
  const step = (delta: number) => {
    const next = photos?.[index + delta];
    if (next) void openPhoto(next.id);
  };
  return (
    <Dialog
      label={`Photo ${photo.fileName}`}
      onClose={() => void openPhoto(null)}
      onKey={(e) => {
        if (e.key === 'ArrowRight') step(1);
        if (e.key === 'ArrowLeft') step(-1);
      }}
    >
      <PhotoDetails
        photo={photo}
        actions={
          <>
            <button type="button" onClick={() => step(-1)} disabled={index <= 0} aria-label="Previous photo">←</button>
            <button type="button" onClick={() => step(1)} disabled={index < 0 || index >= (photos?.length ?? 0) - 1} aria-label="Next photo">→</button>
            <button type="button" onClick={() => void openPhoto(null)} aria-label="Close">✕</button>
          </>
        }
      />
    </Dialog>
  );
}

/**
 * A search result's source photo over the Search screen, with the crop's box drawn on it; closing it returns to
 * the same results, focus back on the card that opened it. The photo's details come from the open dataset; when
 * it is not there (a result of another dataset's crops), the photo and box alone are shown, with why.
 */
export function SourcePhotoDialog(props: { result: SearchResult; onClose(): void }) {
  const { result: r, onClose } = props;
  const [photo, setPhoto] = useState<PhotoDetail | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  useEffect(() => {
    api.getPhoto({ id: r.sourceImage }).then(setPhoto, (e: unknown) => setMissing(errorText(e)));
  }, [r.sourceImage]);
  if (!photo && !missing) return null;
  const size = r.sourceSize ?? { width: r.bbox.x + r.bbox.width, height: r.bbox.y + r.bbox.height };
  const shown: PhotoDetail = photo ?? {
    id: r.sourceImage,
    fileName: r.sourceImage,
    imagePath: r.sourcePath,
    state: r.hasDamage ? 'damaged' : 'undamaged',
    zone: r.zone as PhotoDetail['zone'],
    ...size,
    damageTypes: r.damageTypes,
    damageShapes: 0,
    shapes: [],
    problems: 0,
    problemList: [],
  };
  return (
    <Dialog label={`Source photo of result ${r.rank}: ${shown.fileName}`} onClose={onClose}>
      <PhotoDetails
        photo={shown}
        box={r.bbox}
        actions={<button type="button" onClick={onClose}>Back to the results</button>}
        note={
          <p className="muted photo-note" data-testid="source-note">
            Result #{r.rank}: crop <code>{r.cropId}</code>, its box in yellow.
            {missing && ` This photo is not in the open dataset (${missing}): no annotations shown.`}
          </p>
        }
      />
    </Dialog>
  );
}
