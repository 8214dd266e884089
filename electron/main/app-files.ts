/**
 * The renderer's files behind Electron's privileged app:// scheme (plain Node, so it is tested without Electron).
 * The window loads app://carlens/index.html rather than file://: a file:// page's origin is every file on the
 * disk, an app:// page's is only this build.
 */
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { MIME } from '../bridge/mime';

export const APP_SCHEME = 'app';
export const APP_HOST = 'carlens';
/** The one page of the app: IPC senders and navigations are checked against it. */
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

export type AppFile = { status: 200; body: Buffer; type: string } | { status: 400 | 403 | 404; message: string };

/**
 * The file of the build that an app:// URL names: only under `rendererDir`, only for the app's host. `..` (plain
 * or percent-encoded), absolute paths, backslashes and NUL bytes are refused (403) rather than resolved. The check
 * is on the path itself, not realpath: in a packaged app the build sits in app.asar, which only Electron's fs reads.
 */
export async function readAppFile(rendererDir: string, requestUrl: string): Promise<AppFile> {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { status: 400, message: 'bad URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return { status: 404, message: 'not an app URL' };
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return { status: 400, message: 'bad URL encoding' };
  }
  if (path === '/' || path === '') path = '/index.html';
  const segments = path.slice(1).split('/');
  if (path.includes('\0') || path.includes('\\') || segments.some((s) => s === '..' || s === '.' || s === '') || isAbsolute(path.slice(1))) {
    return { status: 403, message: 'refused: not a file of the app' };
  }
  const root = resolve(rendererDir);
  const file = resolve(root, ...segments);
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return { status: 403, message: 'refused: not a file of the app' };
  try {
    return { status: 200, body: await readFile(file), type: MIME[extname(file).toLowerCase()] ?? 'application/octet-stream' };
  } catch {
    return { status: 404, message: 'not found' };
  }
}
