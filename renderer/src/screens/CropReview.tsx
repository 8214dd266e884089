import { useCallback, useEffect, useMemo, useState } from 'react';
import type { CropDto, PhotoDetail } from '../../../electron/shared/ipc-contract';
import { api } from '../api';
import { PhotoOverlay } from '../components/PhotoOverlay';
import { damageLabel } from '../labels';
import { REVIEW_FILTERS, reviewState, stepQueue, useReviewed, useShortcuts, type ReviewFilter } from '../review-queue';
import { errorText, useApp } from '../store';

/**
 * Every crop of the workspace as a review queue: one crop at a time on its source photo, accept / reject / next /
 * previous by button or key, filtered by review state. Rejections go to the review journal; "accepted" is a crop
 * not rejected that was reviewed in this session (see review-queue.ts).
 */
export function CropReview() {
  const { dataset, pipeline } = useApp();
  const [crops, setCrops] = useState<CropDto[] | null>(null);
  const [currentId, setCurrentId] = useState<string | null>(null);
  const [photo, setPhoto] = useState<PhotoDetail | null>(null);
  const [filter, setFilter] = useState<ReviewFilter>('all');
  const [error, setError] = useState<string | null>(null);
  const { workspace: reviewedIn, ids, mark } = useReviewed();
  const workspace = dataset?.workspace ?? null;
  const reviewed = useMemo(() => (reviewedIn === workspace ? ids : new Set<string>()), [reviewedIn, workspace, ids]);
  const cropsPhase = pipeline?.phases.find((p) => p.phase === 'crops')?.status;

  useEffect(() => {
    if (!dataset) return;
    api.listCrops({}).then(
      (r) => {
        setCrops(r.crops);
        setCurrentId((id) => (id && r.crops.some((c) => c.cropId === id) ? id : (r.crops[0]?.cropId ?? null)));
      },
      (e: unknown) => {
        setError(errorText(e));
        setCrops([]);
      },
    );
  }, [dataset, cropsPhase]);

  const current = crops?.find((c) => c.cropId === currentId) ?? null;
  const photoId = current?.sourceImage ?? null;
  useEffect(() => {
    if (!photoId) return;
    api.getPhoto({ id: photoId }).then(setPhoto, (e: unknown) => setError(errorText(e)));
  }, [photoId]);

  const keep = useCallback((c: CropDto) => filter === 'all' || reviewState(c, reviewed) === filter, [filter, reviewed]);
  const shown = useMemo(() => crops?.filter(keep) ?? [], [crops, keep]);
  const counts = useMemo(() => {
    const n = { all: crops?.length ?? 0, unreviewed: 0, accepted: 0, rejected: 0 };
    for (const c of crops ?? []) n[reviewState(c, reviewed)] += 1;
    return n;
  }, [crops, reviewed]);

  const go = (step: 1 | -1) => {
    if (!crops) return;
    const next = stepQueue(crops, currentId, step, keep);
    if (workspace && current) mark(workspace, current.cropId);
    if (next) setCurrentId(next.cropId);
  };
  const decide = async (rejected: boolean) => {
    if (!current || !workspace) return;
    setError(null);
    try {
      const updated = current.rejected === rejected ? current : await api.setCropRejected({ cropId: current.cropId, rejected });
      mark(workspace, updated.cropId);
      const list = crops!.map((c) => (c.cropId === updated.cropId ? updated : c));
      setCrops(list);
      const next = stepQueue(list, updated.cropId, 1, (c) => filter === 'all' || reviewState(c, new Set([...reviewed, updated.cropId])) === filter);
      if (next) setCurrentId(next.cropId);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const show = (f: ReviewFilter) => {
    setFilter(f);
    // Stay on the current crop when it is in the new view, else go to the view's first.
    if (!crops || !current || f === 'all' || reviewState(current, reviewed) === f) return;
    const first = crops.find((c) => reviewState(c, reviewed) === f);
    if (first) setCurrentId(first.cropId);
  };
  const pick = (id: string) => {
    if (workspace && current && id !== current.cropId) mark(workspace, current.cropId);
    setCurrentId(id);
  };
  useShortcuts({
    a: () => void decide(false),
    r: () => void decide(true),
    j: () => go(1),
    ArrowRight: () => go(1),
    k: () => go(-1),
    ArrowLeft: () => go(-1),
  });

  if (!dataset) return <p className="muted empty">Open a dataset first.</p>;
  const position = current ? shown.findIndex((c) => c.cropId === current.cropId) : -1;
  const photoCrops = crops && current ? crops.filter((c) => c.sourceImage === current.sourceImage) : [];
  const state = current ? reviewState(current, reviewed) : null;
  return (
    <section className="review">
      <header className="toolbar">
        <h2>Crop review</h2>
        <div className="chips" role="group" aria-label="Show">
          {REVIEW_FILTERS.map((f) => (
            <button key={f} type="button" className={filter === f ? 'chip on' : 'chip'} aria-pressed={filter === f} onClick={() => show(f)}>
              {f} ({counts[f]})
            </button>
          ))}
        </div>
        <strong className="toolbar-note" data-testid="unreviewed-count">{counts.unreviewed} unreviewed</strong>
      </header>
      <div className="queue-nav">
        <button type="button" onClick={() => go(-1)} disabled={!crops?.length}>← Previous</button>
        <span data-testid="queue-position">
          {position >= 0 ? `${position + 1} / ${shown.length}` : `– / ${shown.length}`} {filter === 'all' ? 'crops' : filter}
        </span>
        <button type="button" onClick={() => go(1)} disabled={!crops?.length}>Next →</button>
        <p className="muted keys" data-testid="review-keys">
          Keys: <kbd>A</kbd> accept · <kbd>R</kbd> reject (both move on) · <kbd>J</kbd>/<kbd>→</kbd> next · <kbd>K</kbd>/<kbd>←</kbd> previous.
          Moving on counts a crop as reviewed; rejections are saved, the reviewed mark lasts this session.
        </p>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {crops === null ? (
        <p className="muted loading">Loading crops…</p>
      ) : crops.length === 0 ? (
        <p className="muted empty">No crops yet. Run phase 1 (Crops) on the Pipeline screen.</p>
      ) : (
        current && (
          <div className="review-layout">
            {photo && photo.id === current.sourceImage ? (
              <PhotoOverlay
                imagePath={photo.imagePath}
                width={photo.width}
                height={photo.height}
                boxes={photoCrops.map((c) => ({ id: c.cropId, bbox: c.bbox, tone: c.cropId === current.cropId ? 'active' : c.rejected ? 'rejected' : 'accepted' }))}
                label={`${photo.fileName} with ${photoCrops.length} crop boxes`}
              />
            ) : (
              <p className="muted loading">Loading photo…</p>
            )}
            <div className="review-side">
              <div className={`review-current ${state}`} data-testid="current-crop">
                <img src={api.imageUrl(current.cropPath, 256)} alt={`crop ${current.cropId}`} />
                <code data-testid="current-crop-id">{current.cropId}</code>
                <div className="muted">
                  {current.origin.replaceAll('_', ' ')} · zone {current.zone ?? '?'} · {current.damageTypes.map(damageLabel).join(', ') || 'no damage'}
                </div>
                <div className="review-state" data-testid="review-state">{state}</div>
                <div className="review-actions">
                  <button type="button" onClick={() => void decide(false)}>Accept (A)</button>
                  <button type="button" className="danger" onClick={() => void decide(true)}>Reject (R)</button>
                </div>
              </div>
              <ul className="crop-list" aria-label="Crops of this photo">
                {photoCrops.map((c) => (
                  <li key={c.cropId} className={`crop ${reviewState(c, reviewed)}${c.cropId === current.cropId ? ' current' : ''}`} data-testid="crop">
                    <img src={api.imageUrl(c.cropPath, 256)} alt={`crop ${c.cropId}`} />
                    <div>
                      <code>{c.cropId}</code>
                      <div className="muted">{reviewState(c, reviewed)}</div>
                      {c.cropId !== current.cropId && <button type="button" onClick={() => pick(c.cropId)}>Show</button>}
                    </div>
                  </li>
                ))}
              </ul>
            </div>
          </div>
        )
      )}
    </section>
  );
}
