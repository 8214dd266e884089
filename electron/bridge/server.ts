import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { ContractError, REPORT_ROUTE, isChannel } from '../shared/ipc-contract';
import type { AppService } from '../services/app-service';
import { PathRefusedError, checkRequest, publicMessage, resolveInside } from '../services/path-guard';
import { NotAvailableError } from '../services/phases';
import { OpenRefusedError } from '../services/open-checks';
import { BadImageError } from '../services/query-image';
import { NotReadyError } from '../services/readiness';
import { MIME } from './mime';
import { Session } from './session';

export interface BridgeOptions {
  service: AppService;
  /** The built renderer (vite build output), served at /. */
  rendererDir: string;
  /** 0 (default): a free port. */
  port?: number;
  /** Largest request body; a dropped photo travels as base64. */
  maxBodyBytes?: number;
}

export interface Bridge {
  /** The origin (http://127.0.0.1:PORT): every request needs the session token besides. */
  url: string;
  /** The address to open in a browser: it carries the token once, which the bridge turns into a cookie. */
  openUrl: string;
  /** This bridge's session token (random at each start). */
  token: string;
  /** The cookie that carries the token (HttpOnly, SameSite=Strict). */
  cookieName: string;
  server: Server;
  close(): Promise<void>;
}


const CSP = "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * The renderer in a plain browser: serves the built UI and the same contract API as Electron's IPC, over HTTP on
 * 127.0.0.1 only. POST /api/<channel> (JSON), GET /events (Server-Sent Events of pipeline status),
 * GET /img?path=… (images inside the open workspace or dataset only), GET /report (the open workspace's
 * validation report.html, which is self-contained: inline styles, SVG and data-URI images fit the CSP).
 * Every route wants the session token (see Session): the API in a header, the rest in the cookie that the
 * printed address (openUrl) sets; without it, 403. Every response is Cross-Origin-Resource-Policy: same-origin.
 */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const { service } = options;
  const rendererDir = resolve(options.rendererDir);
  const maxBody = options.maxBodyBytes ?? 80 * 1024 * 1024;
  let origin = '';
  const session = new Session();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendError(res, error));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    securityHeaders(res);
    // Another site in the user's browser must not drive the API (DNS rebinding, cross-site POSTs).
    if (req.headers.host !== new URL(origin).host) throw new HttpError(421, 'wrong Host header');
    const url = new URL(req.url ?? '/', origin);
    const api = url.pathname.startsWith('/api/');
    const byQuery = !api && session.matches(url.searchParams.get('token'));
    if (!(api ? session.fromHeader(req) : byQuery || session.fromCookie(req))) {
      throw new HttpError(403, "missing or wrong session token: open the address 'npm run bridge' printed (it changes at each start)");
    }
    if (req.headers.origin && req.headers.origin !== origin) throw new HttpError(403, 'cross-origin request refused');
    if (byQuery && !['/img', '/events', REPORT_ROUTE].includes(url.pathname)) {
      // The printed address: the token becomes the cookie, and leaves the address bar (and the history).
      url.searchParams.delete('token');
      res.writeHead(303, { location: `${url.pathname}${url.search}`, 'set-cookie': session.cookie(), 'cache-control': 'no-store' });
      res.end();
      return;
    }

    if (api) {
      if (req.method !== 'POST') throw new HttpError(405, 'use POST');
      if (!req.headers['content-type']?.startsWith('application/json')) throw new HttpError(415, 'send application/json');
      const channel = url.pathname.slice('/api/'.length);
      if (!isChannel(channel)) throw new HttpError(404, `unknown channel '${channel}'`);
      const body = await readBody(req, maxBody);
      let json: unknown;
      try {
        json = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        throw new HttpError(400, `${channel}: body is not JSON`);
      }
      await checkRequest(channel, json);
      return sendJson(res, 200, await service.call(channel, json));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
    if (url.pathname === '/events') return streamEvents(req, res);
    if (url.pathname === '/img') {
      const path = url.searchParams.get('path');
      if (!path) throw new HttpError(400, 'missing ?path=');
      const image = await service.image(path, url.searchParams.get('w'));
      if ('file' in image) return sendFile(res, image.file, 'private, max-age=60');
      res.writeHead(200, { 'content-type': image.type, 'cache-control': 'private, max-age=60' });
      res.end(image.bytes);
      return;
    }
    if (url.pathname === REPORT_ROUTE) {
      let report: string;
      try {
        report = await service.validationReportFile();
      } catch (error) {
        throw error instanceof PathRefusedError ? error : new HttpError(404, (error as Error).message);
      }
      return sendFile(res, report, 'no-cache');
    }
    // The UI: any other path is a file of the build, or index.html (the page, with the token in a meta tag).
    let wanted = 'index.html';
    let file: string | null = null;
    try {
      if (url.pathname !== '/') wanted = decodeURIComponent(url.pathname.slice(1));
      file = await resolveInside([rendererDir], wanted);
      if (!(await stat(file)).isFile()) file = null;
    } catch {
      file = null;
    }
    if (file && wanted !== 'index.html') return sendFile(res, file, 'no-cache');
    res.writeHead(200, { 'content-type': MIME['.html'], 'cache-control': 'no-store' });
    res.end(session.inject(await readFile(join(rendererDir, 'index.html'), 'utf8')));
  }

  function streamEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (status: unknown) => res.write(`event: pipeline\ndata: ${JSON.stringify(status)}\n\n`);
    send(service.runner.status());
    const unsubscribe = service.onPipeline(send);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  session.bind(port);
  return {
    url: origin,
    openUrl: `${origin}/?token=${session.token}`,
    token: session.token,
    cookieName: session.cookieName,
    server,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new HttpError(413, `request body over ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** On every response, errors and redirects included: no other site may embed or read anything served here. */
function securityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', CSP);
  res.setHeader('cross-origin-resource-policy', 'same-origin');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  securityHeaders(res);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

async function sendFile(res: ServerResponse, path: string, cache: string): Promise<void> {
  const real = await realpath(path);
  res.writeHead(200, { 'content-type': MIME[extname(real).toLowerCase()] ?? 'application/octet-stream', 'cache-control': cache });
  await new Promise<void>((ok, fail) => createReadStream(real).on('error', fail).on('end', ok).pipe(res));
}

/** The error's kind decides the status; the message goes back so the UI can show it, never with file contents. */
function sendError(res: ServerResponse, error: unknown): void {
  const status =
    error instanceof HttpError ? error.status
    : error instanceof ContractError || error instanceof BadImageError || error instanceof OpenRefusedError ? 400
    : error instanceof NotReadyError ? 409
    : error instanceof PathRefusedError ? 403
    : error instanceof NotAvailableError ? 501
    : 500;
  const message = publicMessage(error instanceof Error ? error.message : String(error));
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status, { error: message, kind: error instanceof Error ? error.name : 'Error' });
}
