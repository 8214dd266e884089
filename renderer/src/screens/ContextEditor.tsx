import { useEffect, useState } from 'react';
import type { ContextDto, CropDto } from '../../../electron/shared/ipc-contract';
import { api } from '../api';
import { errorText, useApp } from '../store';

/** Edit a crop's context text; the token count is checked against the text tower's limit before saving. */
export function ContextEditor() {
  const dataset = useApp((s) => s.dataset);
  const [crops, setCrops] = useState<CropDto[] | null>(null);
  const [cropId, setCropId] = useState<string | null>(null);
  const [context, setContext] = useState<ContextDto | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    if (!dataset) return;
    api.listCrops({ includeRejected: false }).then((r) => {
      setCrops(r.crops);
      setCropId(r.crops[0]?.cropId ?? null);
    }, (e: unknown) => setError(errorText(e)));
  }, [dataset]);

  useEffect(() => {
    if (!cropId) return;
    setError(null);
    setContext(null);
    api.getContext({ cropId }).then((c) => {
      setContext(c);
      setText(c.text);
    }, (e: unknown) => setError(errorText(e)));
  }, [cropId]);

  if (!dataset) return <p className="muted empty">Open a dataset first.</p>;
  const save = async () => {
    if (!cropId) return;
    try {
      const c = await api.saveContext({ cropId, text });
      setContext(c);
      setSaved(c.reindexed ?? 'saved');
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <section className="contexts">
      <header className="toolbar">
        <h2>Context editor</h2>
        <label htmlFor="context-crop">Crop</label>
        <select id="context-crop" value={cropId ?? ''} onChange={(e) => setCropId(e.target.value)}>
          {crops?.map((c) => <option key={c.cropId} value={c.cropId}>{c.cropId}</option>)}
        </select>
      </header>
      {error && <p className="error" role="alert">{error}</p>}
      {crops?.length === 0 && <p className="muted empty">No crops yet. Run phase 1 (Crops) first.</p>}
      {context && (
        <div className="context-form">
          <textarea value={text} onChange={(e) => setText(e.target.value)} rows={6} aria-label="Context text" />
          <p className={context.tokens > context.limit ? 'error' : 'muted'}>
            {context.tokens} / {context.limit} tokens (count of the saved text){context.edited && ' · edited by hand'}
          </p>
          <button type="button" className="primary" onClick={() => void save()} disabled={text === context.text}>Save and re-embed</button>
          {saved && <p className="muted">{saved}</p>}
        </div>
      )}
    </section>
  );
}
