import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { IMAGE_PROTOCOL } from '../shared/ipc-contract';
import type { AppService } from '../services/app-service';
import { APP_SCHEME, readAppFile } from './app-files';
import { CSP } from './window';

const SECURITY_HEADERS = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'cross-origin-resource-policy': 'same-origin' };

/**
 * Must run before the app is ready, once (a second call would replace the first): both schemes are standard and
 * secure. app:// serves the renderer (fetch for its own files); carlens-img:// serves images to <img> under the CSP.
 */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: IMAGE_PROTOCOL, privileges: { standard: true, secure: true, supportFetchAPI: false } },
  ]);
}

/** app://carlens/… serves the built renderer, only from `rendererDir` (see readAppFile); anything else is 403/404. */
export function handleAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
    const file = await readAppFile(rendererDir, request.url);
    if (file.status !== 200) return new Response(file.message, { status: file.status, headers: SECURITY_HEADERS });
    return new Response(new Uint8Array(file.body), { headers: { ...SECURITY_HEADERS, 'content-type': file.type, 'cache-control': 'no-cache' } });
  });
}

/**
 * `carlens-img://local/?path=…` serves an image file, only from the open workspace or dataset (the same
 * path rules as the HTTP bridge's /img). Anything else is a 403.
 */
export function handleImageProtocol(service: AppService): void {
  protocol.handle(IMAGE_PROTOCOL, async (request) => {
    const query = new URL(request.url).searchParams;
    const path = query.get('path');
    if (!path) return new Response('missing ?path=', { status: 400 });
    try {
      const image = await service.image(path, query.get('w'));
      if ('bytes' in image) return new Response(new Uint8Array(image.bytes), { headers: { 'content-type': image.type } });
      return await net.fetch(pathToFileURL(image.file).toString());
    } catch (error) {
      return new Response((error as Error).message, { status: 403 });
    }
  });
}
