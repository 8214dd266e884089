import { CHANNEL_NAMES, REPORT_ROUTE, imageQuery, type CarLensApi, type Channel, type PipelineStatus, type Request, type Response } from '../../../electron/shared/ipc-contract';

/**
 * The contract over the HTTP bridge: POST /api/<channel>, Server-Sent Events on /events, images on /img, the
 * validation report on /report.
 */
export function createHttpApi(base = ''): CarLensApi {
  const call = async <C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>> => {
    const res = await fetch(`${base}/api/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
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
