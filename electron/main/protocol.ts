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
    const path = new URL(request.url).searchParams.get('path');
    if (!path) return new Response('missing ?path=', { status: 400 });
    try {
      return await net.fetch(pathToFileURL(await service.resolveImage(path)).toString());
    } catch (error) {
      return new Response((error as Error).message, { status: 403 });
    }
  });
}
