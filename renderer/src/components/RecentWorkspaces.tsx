import { useEffect, useState } from 'react';
import type { RecentWorkspace, RecentWorkspaces as RecentList } from '../../../electron/shared/ipc-contract';
import { api } from '../api';
import { errorText, useApp } from '../store';

const folderName = (path: string) => path.split(/[\\/]/).filter(Boolean).pop() ?? path;

/** What one click on an entry opens, in words: its name, then what it is and where. */
function describe(entry: RecentWorkspace): { name: string; detail: string } {
  if (!entry.dataset) return { name: folderName(entry.workspace), detail: `workspace · ${entry.workspace}` };
  return { name: folderName(entry.dataset.path), detail: `dataset folder · ${entry.dataset.path} → workspace ${entry.workspace}` };
}

/**
 * The workspaces this app opened before, newest first, each opened again with one click (a dataset folder with the
 * same reading options and workspace). Entries whose folder is gone were dropped by the service: said once here.
 */
export function RecentWorkspaces() {
  const { openDataset, openWorkspace, opening, dataset } = useApp();
  const [list, setList] = useState<RecentList | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Asked again whenever something else is opened, which the service has just added to the list.
  useEffect(() => {
    api.recentWorkspaces({}).then(setList, (e: unknown) => setError(errorText(e)));
  }, [dataset]);
  const reopen = (entry: RecentWorkspace) => {
    if (!entry.dataset) return void openWorkspace(entry.workspace);
    return void openDataset(entry.dataset.path, { ...entry.dataset.options, workspace: entry.workspace });
  };
  if (error) return <p className="muted">Recent workspaces are not available: {error}</p>;
  if (!list || (list.workspaces.length === 0 && list.dropped.length === 0 && !list.note)) return null;
  return (
    <section className="recent" aria-labelledby="recent-heading">
      <h3 id="recent-heading">Recent workspaces</h3>
      {list.workspaces.length > 0 && (
        <ul className="recent-list">
          {list.workspaces.map((entry) => (
            <li key={entry.workspace}>
              <button type="button" onClick={() => reopen(entry)} disabled={opening} data-testid="recent-workspace" title={entry.workspace}>
                <span className="recent-name">{describe(entry).name}</span>
                <span className="recent-path">{describe(entry).detail}</span>
              </button>
              <span className="recent-when">{entry.openedAt.replace('T', ' ').slice(0, 16)} UTC</span>
            </li>
          ))}
        </ul>
      )}
      {list.dropped.length > 0 && (
        <p className="muted" role="status" data-testid="recent-dropped">
          No longer there, so taken off the list: {list.dropped.join(', ')}
        </p>
      )}
      {list.note && <p className="muted">{list.note}</p>}
    </section>
  );
}
