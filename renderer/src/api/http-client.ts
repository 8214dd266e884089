import { CHANNEL_NAMES, REPORT_ROUTE, imageQuery, type CarLensApi, type Channel, type PipelineStatus, type Request, type Response } from '../../../electron/shared/ipc-contract';

/** Must match electron/bridge/session.ts (TOKEN_HEADER, TOKEN_META). */
const TOKEN_HEADER = 'x-carlens-token';
const TOKEN_META = 'carlens-token';

/** The bridge's session token, which it put into the page it served (absent outside that page). */
const pageToken = (): string =>
  typeof document === 'undefined' ? '' : (document.querySelector<HTMLMetaElement>(`meta[name="${TOKEN_META}"]`)?.content ?? '');

/**
 * The contract over the HTTP bridge: POST /api/<channel>, Server-Sent Events on /events, images on /img, the
 * validation report on /report. API calls carry the session token in a header; images, events and the report
 * carry it in the bridge's HttpOnly session cookie, which the browser sends by itself.
 */
export function createHttpApi(base = '', token = pageToken()): CarLensApi {
  const call = async <C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>> => {
    const res = await fetch(`${base}/api/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
      body: JSON.stringify(request ?? {}),
    });
    const body = (await res.json().catch(() => ({ error: `${channel}: HTTP ${res.status}` }))) as unknown;
    if (!res.ok) throw new Error((body as { error?: string }).error ?? `${channel}: HTTP ${res.status}`);
    return body as Response<C>;
  };
  const methods = Object.fromEntries(CHANNEL_NAMES.map((c) => [c, (r: unknown) => call(c, r as never)]));
  return {
    ...(methods as { [C in Channel]: (r: Request<C>) => Promise<Response<C>> }),
    onPipeline(listener) {
      const source = new EventSource(`${base}/events`);
      source.addEventListener('pipeline', (e) => listener(JSON.parse((e as MessageEvent<string>).data) as PipelineStatus));
      return () => source.close();
    },
    imageUrl: (path, width) => `${base}/img?${imageQuery(path, width)}`,
    onMenu: () => () => undefined,
    async openValidationReport() {
      // Ask first, so a missing report is an error in the UI rather than a tab with an error page.
      if ((await call('validationReport', {})).path === null) throw new Error('no validation report yet: run phase 5 (validation) first');
      window.open(`${base}${REPORT_ROUTE}`, '_blank', 'noopener');
    },
  };
}
