/**
 * Tells the core where the app's files are. Imported first by main/index.ts: the core computes its paths when its
 * modules load, and in the bundle its own import.meta.url points into out/main (inside app.asar when packaged).
 */
import { app } from 'electron';
import { join } from 'node:path';

if (app.isPackaged) {
  // electron-builder.yml puts native-models/ and the shared models in resources/ as extraResources.
  process.env.CARLENS_APP_ROOT ??= process.resourcesPath;
  process.env.CARLENS_SHARED_DIR ??= join(process.resourcesPath, 'shared');
} else {
  // `electron .` in a checkout: the app path is the folder of package.json, the repository root.
  process.env.CARLENS_APP_ROOT ??= app.getAppPath();
}
