import { BrowserWindow, session, shell } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IMAGE_PROTOCOL } from '../shared/ipc-contract';

export const CSP = [
  "default-src 'self'",
  `img-src 'self' blob: data: ${IMAGE_PROTOCOL}:`,
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface WindowPaths {
  /** Built renderer's index.html. */
  indexHtml: string;
  /** Built preload script. */
  preload: string;
  /** Window icon (PNG); macOS takes the bundle's icon instead. */
  icon: string;
}

/** The URL the renderer is loaded from: IPC senders and navigations are checked against it. */
export const rendererUrl = (paths: WindowPaths): string => pathToFileURL(paths.indexHtml).toString();

/**
 * The one app window, locked down: isolated context, sandboxed renderer, no Node, a strict CSP on every
 * response, no navigation away from the app, no new windows (http(s) links go to the system browser) and
 * every permission request (camera, notifications, …) denied.
 */
export function createMainWindow(paths: WindowPaths): BrowserWindow {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });

  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'CarLens',
    icon: paths.icon,
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });

  const home = rendererUrl(paths);
  window.webContents.on('will-navigate', (event, url) => {
    if (url !== home) event.preventDefault();
  });
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(home);
  return window;
}

/**
 * Where the built files are, relative to the built main script (out/main/index.js), and the icon, in the app
 * root's resources/ (the checkout's, or the packaged app's resources folder; see electron-builder.yml).
 */
export function defaultWindowPaths(mainDir: string, appRoot: string): WindowPaths {
  return {
    indexHtml: join(mainDir, '..', 'renderer', 'index.html'),
    preload: join(mainDir, '..', 'preload', 'index.cjs'),
    icon: join(appRoot, 'resources', 'icon-256.png'),
  };
}
