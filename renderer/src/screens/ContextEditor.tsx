import { useEffect, useRef, useState } from 'react';
import type { ContextDto, CropDto } from '../../../electron/shared/ipc-contract';
import { api } from '../api';
import { damageLabel } from '../labels';
import { stepQueue, useShortcuts } from '../review-queue';
import { errorText, useApp } from '../store';

/**
 * Edit the context text of the crops that are not rejected, one at a time beside the crop image, stepping with
 * next / previous. The token count follows the typing (the real CLIP tokenizer, over the contract), so a text over
 * the text tower's limit shows before saving.
 */
export function ContextEditor() {
  const dataset = useApp((s) => s.dataset);
  const [crops, setCrops] = useState<CropDto[] | null>(null);
  const [cropId, setCropId] = useState<string | null>(null);
  const [context, setContext] = useState<ContextDto | null>(null);
  const [text, setText] = useState('');
  const [count, setCount] = useState<{ tokens: number; limit: number; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const counting = useRef(0);

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
    setSaved(null);
    setContext(null);
    api.getContext({ cropId }).then((c) => {
      setContext(c);
      setText(c.text);
      setCount({ tokens: c.tokens, limit: c.limit, text: c.text });
    }, (e: unknown) => setError(errorText(e)));
  }, [cropId]);

  // The live count: asked a moment after the typing stops; an answer for older text is dropped.
  useEffect(() => {
    if (!context || count?.text === text) return;
    const ask = ++counting.current;
    const timer = setTimeout(() => {
      api.countTokens({ text }).then((r) => {
        if (ask === counting.current) setCount({ ...r, text });
      }, (e: unknown) => setError(errorText(e)));
    }, 150);
    return () => clearTimeout(timer);
  }, [text, context, count?.text]);

  const dirty = context !== null && text !== context.text;
  const go = (step: 1 | -1) => {
    if (!crops || saving) return;
    if (dirty && !window.confirm('Discard the unsaved edit of this crop?')) return;
    const next = stepQueue(crops, cropId, step, () => true);
    if (next) setCropId(next.cropId);
  };
  useShortcuts({ j: () => go(1), ArrowRight: () => go(1), k: () => go(-1), ArrowLeft: () => go(-1) });

  if (!dataset) return <p className="muted empty">Open a dataset first.</p>;
  const save = async () => {
    if (!cropId) return;
    setSaving(true);
    setSaved(null);
    setError(null);
    try {
      const c = await api.saveContext({ cropId, text });
      setContext(c);
      setText(c.text);
      setCount({ tokens: c.tokens, limit: c.limit, text: c.text });
      setSaved(c.reindexed ?? 'saved');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSaving(false);
    }
  };
  const crop = crops?.find((c) => c.cropId === cropId) ?? null;
  const position = crop && crops ? crops.indexOf(crop) : -1;
  const stale = count !== null && count.text !== text;
  return (
    <section className="contexts">
      <header className="toolbar">
        <h2>Context editor</h2>
        <button type="button" onClick={() => go(-1)} disabled={!crops?.length || saving}>← Previous</button>
        <span data-testid="queue-position">{position >= 0 ? `${position + 1} / ${crops!.length}` : '–'} crops</span>
        <button type="button" onClick={() => go(1)} disabled={!crops?.length || saving}>Next →</button>
        <span className="muted toolbar-note">Keys (outside the text box): <kbd>J</kbd>/<kbd>→</kbd> next · <kbd>K</kbd>/<kbd>←</kbd> previous</span>
      </header>
      {error && <p className="error" role="alert">{error}</p>}
      {crops?.length === 0 && <p className="muted empty">No crops yet. Run phase 1 (Crops) first.</p>}
      {crop && (
        <div className="context-layout">
          <figure className="context-crop">
            <img src={api.imageUrl(crop.cropPath, 512)} alt={`crop ${crop.cropId}`} />
            <figcaption>
              <code data-testid="context-crop-id">{crop.cropId}</code>
              <div className="muted">zone {crop.zone ?? '?'} · {crop.damageTypes.map(damageLabel).join(', ') || 'no damage'}</div>
            </figcaption>
          </figure>
          {context ? (
            <div className="context-form">
              <textarea value={text} onChange={(e) => setText(e.target.value)} rows={6} aria-label="Context text" disabled={saving} />
              <p className={count && count.tokens > count.limit ? 'error' : 'muted'} data-testid="token-count" aria-live="polite">
                {count ? `${count.tokens} / ${count.limit} tokens` : '…'}
                {stale && ' (counting…)'}
                {context.edited && ' · edited by hand'}
              </p>
              <button type="button" className="primary" onClick={() => void save()} disabled={saving || !dirty} aria-busy={saving}>
                {saving ? 'Saving…' : 'Save and re-embed'}
              </button>
              {saved && <p className="muted" data-testid="context-saved">{saved}</p>}
            </div>
          ) : (
            !error && <p className="muted loading">Loading context…</p>
          )}
        </div>
      )}
    </section>
  );
}
