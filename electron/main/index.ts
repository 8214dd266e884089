/**
 * Electron main process: thin. It creates the window, the menu, the IPC handlers and the image protocol, all
 * over one AppService (the same one the HTTP bridge uses).
 */
// First: sets the app root before any core module computes its paths.
import './app-root';
import { app, BrowserWindow, Menu } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../core/models/paths';
import { AppService } from '../services/app-service';
import { registerIpc } from './ipc';
import { buildMenu } from './menu';
import { handleAppProtocol, handleImageProtocol, registerSchemes } from './protocol';
import { openValidationReport } from './report';
import { createMainWindow, defaultWindowPaths, lockDownWebContents, rendererDir, rendererUrl } from './window';

const mainDir = dirname(fileURLToPath(import.meta.url));
const paths = defaultWindowPaths(mainDir, REPO_ROOT);
// The app's own folder keeps its default workspace and the list of workspaces it opened.
const service = new AppService({ defaultWorkspace: join(app.getPath('userData'), 'workspace'), stateDir: app.getPath('userData') });
let window: BrowserWindow | null = null;

registerSchemes();
// Any web contents, whoever creates it: no navigation, no new windows, nothing opened outside the app.
app.on('web-contents-created', (_event, contents) => lockDownWebContents(contents));
// One instance: a second launch focuses the first rather than racing it on the same workspace.
if (!app.requestSingleInstanceLock()) app.quit();
app.on('second-instance', () => window?.focus());

app.whenReady().then(() => {
  handleAppProtocol(rendererDir(paths));
  handleImageProtocol(service);
  registerIpc(service, () => window, rendererUrl(paths));
  Menu.setApplicationMenu(buildMenu(() => window, () => openValidationReport(service)));
  window = createMainWindow(paths);
  window.on('closed', () => (window = null));
  app.on('activate', () => {
    if (!window) window = createMainWindow(paths);
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('before-quit', () => void service.dispose());
