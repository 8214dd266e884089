import { useCallback, useEffect, useId, useState } from 'react';
import type { DatasetInfo, SourceRemoval, WorkspaceSourceInfo } from '../../../electron/shared/ipc-contract';
import { api } from '../api';
import { Dialog } from './Dialog';
import { DEFAULT_READ_OPTIONS, ReadOptionsFields, readOptionsRequest, type ReadOptions } from './ReadOptionsFields';
import { errorText, useApp } from '../store';

/** The service reopened the workspace with its new sources: show it, with no filter naming a source that went. */
function showReopened(dataset: DatasetInfo): void {
  const { filters, loadPhotos } = useApp.getState();
  useApp.setState({ dataset, photo: null, photos: null, filters: { ...filters, source: null } });
  void loadPhotos();
}

/** Asks before a source goes, saying how many crops go with it (a Dialog: focus kept inside, Escape closes). */
function ConfirmRemoval(props: { removal: SourceRemoval; busy: boolean; error: string | null; onCancel(): void; onConfirm(): void }) {
  const { removal, busy, error, onCancel, onConfirm } = props;
  const decisions = removal.reviewDecisions > 0 ? ` ${removal.reviewDecisions} review decision(s) on them stay in the review journal.` : '';
  return (
    <Dialog label={`Remove source ${removal.name}?`} onClose={onCancel}>
      <div className="modal-body confirm-body" data-testid="remove-source-dialog">
        <header>
          <h2>Remove source {removal.name}?</h2>
        </header>
        <p data-testid="removal-text">
          Its <strong>{removal.crops} crops</strong> of {removal.photos} photos leave this workspace (crops, contexts and their image files).{decisions} The
          embeddings, index and validation show stale until phases 3-5 run again. The folder itself is not touched.
        </p>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="actions">
          <button type="button" onClick={onCancel} disabled={busy}>Cancel</button>
          <button type="button" className="danger" onClick={onConfirm} disabled={busy}>
            {busy ? 'Removing…' : `Remove ${removal.crops} crops`}
          </button>
        </div>
      </div>
    </Dialog>
  );
}

/** A folder to add, with how to read it: empty fields are left out, so the folder's own label map and zones apply. */
function AddSourceForm({ disabled, onAdd }: { disabled: boolean; onAdd(request: { path: string; state?: 'damaged' | 'undamaged'; labelMap?: string; zones?: string }): Promise<boolean> }) {
  const [path, setPath] = useState('');
  const [read, setRead] = useState<ReadOptions>(DEFAULT_READ_OPTIONS);
  const id = useId();
  return (
    <form
      className="open-form add-source"
      onSubmit={(e) => {
        e.preventDefault();
        const request = { path: path.trim(), ...readOptionsRequest(read) };
        void onAdd(request).then((added) => added && setPath(''));
      }}
    >
      <label htmlFor={`${id}-path`}>Add a dataset folder</label>
      <input id={`${id}-path`} value={path} onChange={(e) => setPath(e.target.value)} placeholder="/path/to/labelme-dataset" spellCheck={false} />
      <button type="submit" disabled={disabled || !path.trim()}>Add source</button>
      <fieldset className="open-options">
        <legend>How to read it (plain LabelMe folder)</legend>
        <ReadOptionsFields id={id} value={read} onChange={setRead} />
      </fieldset>
    </form>
  );
}

/**
 * The open workspace's sources as its files say (workspace.json, crops.json): each with its import settings and
 * counts, a folder added, or one removed after a confirmation that says how many crops go. Phase 1 covers every
 * source; the Pipeline screen then says which phases are stale.
 */
export function WorkspaceSources() {
  const { dataset, pipeline } = useApp();
  const [sources, setSources] = useState<WorkspaceSourceInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [removal, setRemoval] = useState<SourceRemoval | null>(null);
  const load = useCallback(() => api.listSources({}).then((r) => setSources(r.sources), (e: unknown) => setError(errorText(e))), []);
  useEffect(() => void load(), [load, dataset]);
  const change = async (work: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const locked = busy || (pipeline?.running ?? false);
  return (
    <details className="workspace-sources" data-testid="workspace-sources">
      <summary>
        <strong>Sources</strong>{' '}
        <span className="muted">
          {sources ? sources.map((s) => `${s.name} (${s.photos} photos, ${s.crops} crops)`).join(' · ') : '…'} · add or remove
        </span>
      </summary>
      {sources && (
        <table className="sources-table">
          <thead>
            <tr><th>Source</th><th>Photos</th><th>Crops</th><th>Import settings</th><th /></tr>
          </thead>
          <tbody>
            {sources.map((s) => (
              <tr key={s.path} data-testid={`source-${s.name}`}>
                <td><strong>{s.name}</strong><br /><code className="muted" title={s.path}>{s.path}</code></td>
                <td data-testid="source-photos">{s.photos} ({s.damaged} damaged, {s.undamaged} undamaged)</td>
                <td data-testid="source-crops">{s.crops} crops of {s.croppedPhotos} photos</td>
                <td className="muted">
                  state: {s.state ?? 'from the annotations'} · label map: {s.labelMap ?? "the folder's"} · zones: {s.zones ?? "the folder's"}
                  {s.addedAt && <> · added {s.addedAt.replace('T', ' ').slice(0, 16)} UTC</>}
                </td>
                <td>
                  <button type="button" className="danger" disabled={locked || sources.length < 2} title={sources.length < 2 ? 'the only source of this workspace' : undefined}
                    // Not a busy change: the button keeps focus, which the dialog gives back to it on closing.
                    onClick={() => api.removeSource({ path: s.path, confirm: false }).then((r) => setRemoval(r.removal), (e: unknown) => setError(errorText(e)))}>
                    Remove…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AddSourceForm disabled={locked} onAdd={(request) => change(async () => {
        showReopened(await api.addSource(request));
        await load();
      })} />
      {error && !removal && <p className="error" role="alert">{error}</p>}
      {removal && (
        <ConfirmRemoval
          removal={removal}
          busy={busy}
          error={error}
          onCancel={() => {
            setRemoval(null);
            setError(null);
          }}
          onConfirm={() => void change(async () => {
            const { dataset: reopened } = await api.removeSource({ path: removal.path, confirm: true });
            setRemoval(null);
            if (reopened) showReopened(reopened);
            await load();
          })}
        />
      )}
    </details>
  );
}
