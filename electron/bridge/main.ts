/**
 * Starts the browser bridge from the command line: `npx tsx electron/bridge/main.ts [--dataset DIR]
 * [--workspace DIR] [--port N]`, then open the printed URL. The renderer must be built first (`npx vite build`).
 * With --workspace alone, the workspace the pipeline built is opened with all its sources (openWorkspace).
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { REPO_ROOT } from '../core/models/paths';
import { AppService } from '../services/app-service';
import { checkRequest } from '../services/path-guard';
import { startBridge } from './server';

const { values } = parseArgs({
  options: { dataset: { type: 'string' }, workspace: { type: 'string' }, port: { type: 'string' } },
});
const service = new AppService({ defaultWorkspace: values.workspace });
if (values.dataset) {
  const request = { path: values.dataset, options: { workspace: values.workspace } };
  await checkRequest('openDataset', request);
  await service.call('openDataset', request);
} else if (values.workspace) {
  const request = { path: values.workspace };
  await checkRequest('openWorkspace', request);
  // A workspace without pipeline output yet is no reason not to start: the page says so and offers the open forms.
  await service.call('openWorkspace', request).catch((error: Error) => console.warn(`CarLens: workspace not opened: ${error.message}`));
}
const bridge = await startBridge({ service, rendererDir: resolve(REPO_ROOT, 'out', 'renderer'), port: values.port ? Number(values.port) : 0 });
// The address carries this session's token (every request needs it); opening it once sets the session cookie.
console.log(`CarLens bridge on ${bridge.openUrl}`);
