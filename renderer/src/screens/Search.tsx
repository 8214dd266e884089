import { useCallback, useEffect, useRef, useState } from 'react';
import { DAMAGE_TYPE_VALUES, ZONE_VALUES, type SearchFilters, type SearchResponse } from '../../../electron/shared/ipc-contract';
import { api } from '../api';
import { Chips } from '../components/Chips';
import { ZONE_NAMES, damageLabel } from '../labels';
import { errorText, useApp } from '../store';

async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  // Chunks: String.fromCharCode with a spread of a whole photo overflows the call stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Query by a dropped or picked photo, a text, or both; filters re-run the query at once. */
export function Search() {
  const { dataset, openPhoto, setScreen } = useApp();
  const [file, setFile] = useState<{ name: string; base64: string; preview: string } | null>(null);
  const [text, setText] = useState('');
  // Text searches run on submit, not on every key stroke.
  const [submitted, setSubmitted] = useState('');
  const [filters, setFilters] = useState<SearchFilters>({});
  const [response, setResponse] = useState<SearchResponse | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);

  const takeFile = useCallback(async (f: File | undefined) => {
    if (!f) return;
    if (!f.type.startsWith('image/')) return setError(`${f.name} is not an image`);
    setFile({ name: f.name, base64: await toBase64(f), preview: URL.createObjectURL(f) });
  }, []);

  // The whole window is a drop target while this screen is shown.
  useEffect(() => {
    const over = (e: DragEvent) => {
      e.preventDefault();
      setDragging(true);
    };
    const leave = () => setDragging(false);
    const drop = (e: DragEvent) => {
      e.preventDefault();
      setDragging(false);
      void takeFile(e.dataTransfer?.files[0]);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [takeFile]);

  useEffect(() => {
    if ((!file && !submitted) || !dataset) return;
    let stale = false;
    setBusy(true);
    setError(null);
    api
      .search({ image: file ? { bytesBase64: file.base64 } : undefined, text: submitted || undefined, filters, k: 24 })
      .then((r) => !stale && setResponse(r), (e: unknown) => !stale && setError(errorText(e)))
      .finally(() => !stale && setBusy(false));
    return () => {
      stale = true;
    };
  }, [file, submitted, filters, dataset]);

  if (!dataset) return <p className="muted empty">Open a dataset first.</p>;
  const answer = response?.answer;
  return (
    <section className={dragging ? 'search dragging' : 'search'}>
      <header className="toolbar">
        <h2>Search</h2>
      </header>
      <div className="query">
        <button type="button" className="dropzone" onClick={() => picker.current?.click()} aria-label="Pick a query photo">
          {file ? <img src={file.preview} alt={`query ${file.name}`} /> : <span>Drop a photo here<br />or click to pick one</span>}
        </button>
        <input ref={picker} type="file" accept="image/*" hidden onChange={(e) => void takeFile(e.target.files?.[0])} />
        <form
          className="text-query"
          onSubmit={(e) => {
            e.preventDefault();
            setSubmitted(text.trim());
          }}
        >
          <input value={text} onChange={(e) => setText(e.target.value)} placeholder="Describe the damage, e.g. dent on the driver door" aria-label="Query text" />
          <button type="submit" className="primary" disabled={!file && !text.trim()}>Search</button>
          {file && <button type="button" onClick={() => setFile(null)}>Clear photo</button>}
        </form>
      </div>
      <div className="filters">
        <Chips label="Zone" options={ZONE_VALUES} selected={filters.zones ?? []} onChange={(zones) => setFilters({ ...filters, zones: zones.length ? zones : undefined })} />
        <div className="chips" role="group" aria-label="Has damage">
          <span className="chips-label">Damage</span>
          {([undefined, true, false] as const).map((v) => (
            <button key={String(v)} type="button" className={filters.hasDamage === v ? 'chip on' : 'chip'} aria-pressed={filters.hasDamage === v} onClick={() => setFilters({ ...filters, hasDamage: v })}>
              {v === undefined ? 'any' : v ? 'damaged' : 'undamaged'}
            </button>
          ))}
        </div>
        <Chips label="Type" options={DAMAGE_TYPE_VALUES} selected={filters.damageTypes ?? []} onChange={(t) => setFilters({ ...filters, damageTypes: t.length ? t : undefined })} render={damageLabel} />
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {busy && <p className="muted loading">Searching…</p>}
      {answer && (
        <div className="answer" data-testid="answer">
          <strong>Inspection:</strong>{' '}
          {answer.hasDamage ? `${answer.hasDamage.value ? 'damage' : 'no damage'} (${Math.round(answer.hasDamage.confidence * 100)}%)` : 'no evidence'}
          {answer.zone && ` · zone ${answer.zone.value} ${ZONE_NAMES[answer.zone.value] ?? ''} (${Math.round(answer.zone.confidence * 100)}%)`}
          {answer.damageTypes.length > 0 && ` · ${answer.damageTypes.slice(0, 3).map((t) => `${damageLabel(t.value)} ${Math.round(t.confidence * 100)}%`).join(', ')}`}
        </div>
      )}
      {response && response.results.length === 0 && <p className="muted empty">No crop passes these filters.</p>}
      <ul className="results">
        {response?.results.map((r) => (
          <li key={r.cropId} data-testid="result">
            <button type="button" onClick={() => { setScreen('dataset'); void openPhoto(r.sourceImage); }} title="Open the source photo">
              <img src={api.imageUrl(r.cropPath, 256)} alt={`result ${r.rank}`} loading="lazy" />
              <span className="score">{r.score.toFixed(3)}</span>
              <span className="card-line">zone {r.zone ?? '?'} · {r.hasDamage ? r.damageTypes.map(damageLabel).join(', ') : 'undamaged'}</span>
              {r.context && <span className="card-sub">{r.context}</span>}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
