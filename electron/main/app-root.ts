/**
 * Tells the core where the app's files are. Imported first by main/index.ts: the core computes its paths when its
 * modules load, and in the bundle its own import.meta.url points into out/main (inside app.asar when packaged).
 */
import { app } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (app.isPackaged) {
  // electron-builder.yml puts native-models/, the window icon and the shared models in resources/.
  process.env.CARLENS_APP_ROOT ??= process.resourcesPath;
  process.env.CARLENS_SHARED_DIR ??= join(process.resourcesPath, 'shared');
} else {
  // A checkout: this bundle is <root>/out/main/index.js. (app.getAppPath() would be out/main when Electron is
  // started on the script rather than on the folder.)
  process.env.CARLENS_APP_ROOT ??= fileURLToPath(new URL('../..', import.meta.url));
}
