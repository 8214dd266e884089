/**
 * Starts the browser bridge from the command line: `npx tsx electron/bridge/main.ts [--dataset DIR]
 * [--workspace DIR] [--port N]`, then open the printed URL. The renderer must be built first (`npx vite build`).
 * With --workspace alone, the workspace the pipeline built is opened with all its sources (openWorkspace).
 * Paths on the command line are relative to the current folder, as in any command; the page's forms want full
 * paths. Workspaces opened are remembered in CARLENS_STATE_DIR (default ~/.config/carlens).
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { REPO_ROOT } from '../core/models/paths';
import { AppService } from '../services/app-service';
import { checkRequest } from '../services/path-guard';
import { defaultStateDir } from '../services/recent-workspaces';
import { startBridge } from './server';

const { values } = parseArgs({
  options: { dataset: { type: 'string' }, workspace: { type: 'string' }, port: { type: 'string' } },
});
const workspace = values.workspace === undefined ? undefined : resolve(values.workspace);
const service = new AppService({ defaultWorkspace: workspace, stateDir: defaultStateDir() });
if (values.dataset) {
  const request = { path: resolve(values.dataset), options: { workspace } };
  await checkRequest('openDataset', request);
  await service.call('openDataset', request);
} else if (workspace) {
  const request = { path: workspace };
  await checkRequest('openWorkspace', request);
  // A workspace without pipeline output yet is no reason not to start: the page says so and offers the open forms.
  await service.call('openWorkspace', request).catch((error: Error) => console.warn(`CarLens: workspace not opened: ${error.message}`));
}
const bridge = await startBridge({ service, rendererDir: resolve(REPO_ROOT, 'out', 'renderer'), port: values.port ? Number(values.port) : 0 });
// The address carries this session's token (every request needs it); opening it once sets the session cookie.
console.log(`CarLens bridge on ${bridge.openUrl}`);
