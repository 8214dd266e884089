import { useEffect, useState } from 'react';
import type { ModelInfo, PhaseName } from '../../../electron/shared/ipc-contract';
import { api } from '../api';
import { errorText, useApp } from '../store';

const TITLES: Record<PhaseName, string> = {
  crops: '1 · Crops',
  contexts: '2 · Contexts',
  embeddings: '3 · Embeddings',
  index: '4 · Index',
  validation: '5 · Validation',
};

/** Per-phase status and progress, the per-file problems of the last run, run / run all / cancel, phase 5's report. */
export function Pipeline() {
  const { pipeline, dataset } = useApp();
  const [error, setError] = useState<string | null>(null);
  const [model, setModel] = useState<ModelInfo | null>(null);
  // The provider is known once phase 3 has loaded the model: ask again when that phase changes state.
  const embeddings = pipeline?.phases.find((p) => p.phase === 'embeddings')?.status;
  useEffect(() => {
    api.modelInfo({}).then(setModel, (e: unknown) => setError(errorText(e)));
  }, [embeddings, dataset]);
  // The report link shows once phase 5 has written one (also one from an earlier session in this workspace).
  const [report, setReport] = useState<string | null>(null);
  const validation = pipeline?.phases.find((p) => p.phase === 'validation')?.status;
  useEffect(() => {
    if (!dataset) return setReport(null);
    api.validationReport({}).then((r) => setReport(r.path), (e: unknown) => setError(errorText(e)));
  }, [validation, dataset]);
  // Set on the click itself, before the service answers: a double click cannot ask twice from this screen.
  const [starting, setStarting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const run = async (phase: PhaseName | 'all') => {
    setError(null);
    setNotice(null);
    setStarting(true);
    try {
      const status = await api.runPhase({ phase });
      useApp.getState().setPipeline(status);
      setNotice(status.notice ?? null);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setStarting(false);
    }
  };
  const running = (pipeline?.running ?? false) || starting;
  return (
    <section className="pipeline">
      <header className="toolbar">
        <h2>Pipeline</h2>
        <button type="button" className="primary" disabled={!dataset || running} onClick={() => void run('all')}>Run all</button>
        <button type="button" disabled={!running} onClick={() => void api.cancel({}).catch((e: unknown) => setError(errorText(e)))}>Cancel</button>
        {report && (
          <button type="button" title={report} onClick={() => void api.openValidationReport().catch((e: unknown) => setError(errorText(e)))}>
            Open validation report
          </button>
        )}
        <span className="muted model" data-testid="model-info" title={model?.note ?? undefined}>
          Model: {model?.modelId ?? '—'} · provider: {model?.provider ?? 'not loaded yet'}
        </span>
      </header>
      {!dataset && <p className="muted">Open a dataset to run the pipeline on it.</p>}
      {error && <p className="error" role="alert">{error}</p>}
      {notice && pipeline?.running && <p className="notice" role="status" data-testid="run-notice">{notice}</p>}
      <ol className="phases">
        {(pipeline?.phases ?? []).map((p) => {
          const pct = p.total ? Math.round((100 * p.done) / p.total) : p.status === 'done' || p.status === 'stale' ? 100 : 0;
          return (
            <li key={p.phase} className={`phase ${p.status}`} data-testid={`phase-${p.phase}`}>
              <div className="phase-head">
                <strong>{TITLES[p.phase]}</strong>
                <span className={`status ${p.status}`} data-testid="phase-status">{p.status}</span>
                <button type="button" disabled={!dataset || running || p.status === 'unavailable'} onClick={() => void run(p.phase)}>
                  Run
                </button>
              </div>
              <div className="progress" role="progressbar" aria-label={`${p.phase} progress`} aria-valuemin={0} aria-valuemax={p.total || 1} aria-valuenow={p.done}>
                <div style={{ width: `${pct}%` }} />
              </div>
              <div className="phase-detail muted">
                {p.total > 0 && <span data-testid="phase-count">{p.done}/{p.total}</span>}
                {p.current && <span> · {p.current}</span>}
                {p.message && <span className="message"> · {p.message}</span>}
              </div>
              {p.status === 'stale' && p.staleReason && (
                <p className="stale-reason" data-testid="stale-reason">Stale: {p.staleReason}. Its output is still there; run it again to bring it up to date.</p>
              )}
              {p.problems.length > 0 && (
                <details className="problems">
                  <summary>{p.problems.length} file problems</summary>
                  <ul>{p.problems.map((f, i) => <li key={i}><code>{f.file || '—'}</code> {f.message}</li>)}</ul>
                </details>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
