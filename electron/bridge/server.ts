import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { ContractError, REPORT_ROUTE, isChannel } from '../shared/ipc-contract';
import type { AppService } from '../services/app-service';
import { PathRefusedError, resolveInside } from '../services/path-guard';
import { NotAvailableError } from '../services/phases';
import { BadImageError } from '../services/query-image';

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
  url: string;
  server: Server;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.gif': 'image/gif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.ico': 'image/x-icon',
};

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
 */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const { service } = options;
  const rendererDir = resolve(options.rendererDir);
  const maxBody = options.maxBodyBytes ?? 80 * 1024 * 1024;
  let origin = '';

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendError(res, error));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Another site in the user's browser must not drive the API (DNS rebinding, cross-site POSTs).
    if (req.headers.host !== new URL(origin).host) throw new HttpError(421, 'wrong Host header');
    if (req.headers.origin && req.headers.origin !== origin) throw new HttpError(403, 'cross-origin request refused');
    const url = new URL(req.url ?? '/', origin);

    if (url.pathname.startsWith('/api/')) {
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
      return sendJson(res, 200, await service.call(channel, json));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
    if (url.pathname === '/events') return streamEvents(req, res);
    if (url.pathname === '/img') {
      const path = url.searchParams.get('path');
      if (!path) throw new HttpError(400, 'missing ?path=');
      const image = await service.image(path, url.searchParams.get('w'));
      if ('file' in image) return sendFile(res, image.file, 'private, max-age=60');
      securityHeaders(res);
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
    // The UI: any other path is a file of the build, or index.html.
    const wanted = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    let file: string;
    try {
      file = await resolveInside([rendererDir], wanted);
      if (!(await stat(file)).isFile()) throw new Error('not a file');
    } catch {
      file = join(rendererDir, 'index.html');
    }
    return sendFile(res, file, 'no-cache');
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
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
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

function securityHeaders(res: ServerResponse): void {
  res.setHeader('content-security-policy', CSP);
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
  securityHeaders(res);
  res.writeHead(200, { 'content-type': MIME[extname(real).toLowerCase()] ?? 'application/octet-stream', 'cache-control': cache });
  await new Promise<void>((ok, fail) => createReadStream(real).on('error', fail).on('end', ok).pipe(res));
}

/** The error's kind decides the status; the message always goes back so the UI can show it. */
function sendError(res: ServerResponse, error: unknown): void {
  const status =
    error instanceof HttpError ? error.status
    : error instanceof ContractError || error instanceof BadImageError ? 400
    : error instanceof PathRefusedError ? 403
    : error instanceof NotAvailableError ? 501
    : 500;
  const message = error instanceof Error ? error.message : String(error);
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status, { error: message, kind: error instanceof Error ? error.name : 'Error' });
}
