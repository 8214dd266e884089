/**
 * Starts the browser bridge from the command line: `npx tsx electron/bridge/main.ts [--dataset DIR]
 * [--workspace DIR] [--port N]`, then open the printed URL. The renderer must be built first (`npx vite build`).
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { REPO_ROOT } from '../core/models/paths';
import { AppService } from '../services/app-service';
import { startBridge } from './server';

const { values } = parseArgs({
  options: { dataset: { type: 'string' }, workspace: { type: 'string' }, port: { type: 'string' } },
});
const service = new AppService({ defaultWorkspace: values.workspace });
if (values.dataset) await service.call('openDataset', { path: values.dataset, options: { workspace: values.workspace } });
const bridge = await startBridge({ service, rendererDir: resolve(REPO_ROOT, 'out', 'renderer'), port: values.port ? Number(values.port) : 0 });
console.log(`CarLens bridge on ${bridge.url}`);
