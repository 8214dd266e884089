import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { IMAGE_PROTOCOL } from '../shared/ipc-contract';
import type { AppService } from '../services/app-service';

/** Must run before the app is ready: the scheme is standard and secure so <img> may load it under the CSP. */
export function registerImageScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: IMAGE_PROTOCOL, privileges: { standard: true, secure: true, supportFetchAPI: false } }]);
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
