import { app, BrowserWindow, session, type WebContents } from 'electron';
import { dirname, join } from 'node:path';
import { IMAGE_PROTOCOL } from '../shared/ipc-contract';
import { APP_URL } from './app-files';

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
  /** Built renderer's index.html (its folder is what app:// serves). */
  indexHtml: string;
  /** Built preload script. */
  preload: string;
  /** Window icon (PNG); macOS takes the bundle's icon instead. */
  icon: string;
}

/** The folder app:// serves: the built renderer. */
export const rendererDir = (paths: WindowPaths): string => dirname(paths.indexHtml);

/** The URL the renderer is loaded from (app://, not file://): IPC senders and navigations are checked against it. */
export const rendererUrl = (_paths: WindowPaths): string => APP_URL;

/**
 * Every web contents (the window's and any other): no navigation away from the app page, no new windows and no
 * links handed to the system browser (the app is offline), no <webview>.
 */
export function lockDownWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (url !== APP_URL) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (url !== APP_URL) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/**
 * The one app window, locked down: isolated context, sandboxed renderer, no Node, a strict CSP on every
 * response, no navigation away from the app, no new windows, no DevTools in a packaged app, and every
 * permission request (camera, notifications, …) denied.
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
      devTools: !app.isPackaged,
    },
  });

  lockDownWebContents(window.webContents);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(rendererUrl(paths));
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
