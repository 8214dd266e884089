import { useCallback, useEffect, useState } from 'react';
import type { CropDto, PhotoDetail } from '../../../electron/shared/ipc-contract';
import { api } from '../api';
import { PhotoOverlay } from '../components/PhotoOverlay';
import { damageLabel } from '../labels';
import { errorText, useApp } from '../store';

/** The crops of one photo drawn on the source, each with accept/reject. */
export function CropReview() {
  const { photos, dataset, pipeline } = useApp();
  const [photoId, setPhotoId] = useState<string | null>(null);
  const [photo, setPhoto] = useState<PhotoDetail | null>(null);
  const [crops, setCrops] = useState<CropDto[] | null>(null);
  const [active, setActive] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cropsPhase = pipeline?.phases.find((p) => p.phase === 'crops')?.status;

  const load = useCallback(async (id: string) => {
    setError(null);
    try {
      const [detail, list] = await Promise.all([api.getPhoto({ id }), api.listCrops({ photoId: id })]);
      setPhoto(detail);
      setCrops(list.crops);
    } catch (e) {
      setError(errorText(e));
      setCrops([]);
    }
  }, []);

  useEffect(() => {
    const id = photoId ?? photos?.[0]?.id ?? null;
    if (id) {
      setPhotoId(id);
      void load(id);
    }
  }, [photoId, photos, load, cropsPhase]);

  if (!dataset) return <p className="muted empty">Open a dataset first.</p>;
  const toggle = async (crop: CropDto) => {
    try {
      const updated = await api.setCropRejected({ cropId: crop.cropId, rejected: !crop.rejected });
      setCrops((list) => list?.map((c) => (c.cropId === updated.cropId ? updated : c)) ?? null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <section className="review">
      <header className="toolbar">
        <h2>Crop review</h2>
        <label htmlFor="review-photo">Photo</label>
        <select id="review-photo" value={photoId ?? ''} onChange={(e) => setPhotoId(e.target.value)}>
          {photos?.map((p) => <option key={p.id} value={p.id}>{p.fileName}</option>)}
        </select>
      </header>
      {error && <p className="error" role="alert">{error}</p>}
      {crops === null ? (
        <p className="muted loading">Loading crops…</p>
      ) : crops.length === 0 ? (
        <p className="muted empty">No crops for this photo. Run phase 1 (Crops) on the Pipeline screen.</p>
      ) : (
        photo && (
          <div className="review-layout">
            <PhotoOverlay
              imagePath={photo.imagePath}
              width={photo.width}
              height={photo.height}
              boxes={crops.map((c) => ({ id: c.cropId, bbox: c.bbox, tone: c.cropId === active ? 'active' : c.rejected ? 'rejected' : 'accepted' }))}
              label={`${photo.fileName} with ${crops.length} crop boxes`}
            />
            <ul className="crop-list">
              {crops.map((c) => (
                <li key={c.cropId} className={c.rejected ? 'crop rejected' : 'crop'} data-testid="crop" onMouseEnter={() => setActive(c.cropId)} onFocus={() => setActive(c.cropId)}>
                  <img src={api.imageUrl(c.cropPath, 256)} alt={`crop ${c.cropId}`} />
                  <div>
                    <code>{c.cropId}</code>
                    <div className="muted">{c.origin.replaceAll('_', ' ')} · zone {c.zone ?? '?'} · {c.damageTypes.map(damageLabel).join(', ') || 'no damage'}</div>
                    <button type="button" className={c.rejected ? '' : 'danger'} onClick={() => void toggle(c)}>
                      {c.rejected ? 'Accept' : 'Reject'}
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          </div>
        )
      )}
    </section>
  );
}
