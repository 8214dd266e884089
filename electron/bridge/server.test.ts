import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture } from '../core/fixture/fixture';
import { AppService } from '../services/app-service';
import { startBridge, type Bridge } from './server';

let dir: string;
let bridge: Bridge;
let service: AppService;

/** The API wants the session token in a header; GET routes want the session cookie. */
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${bridge.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-carlens-token': bridge.token, ...headers },
    body: JSON.stringify(body),
  });
const get = (path: string, init: RequestInit = {}) =>
  fetch(`${bridge.url}${path}`, { ...init, headers: { cookie: `${bridge.cookieName}=${bridge.token}`, ...(init.headers as Record<string, string>) } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'carlens-bridge-'));
  await writeFixture(join(dir, 'dataset'), { ko: 2, ok: 1, seed: 3, width: 320, height: 240 });
  await mkdir(join(dir, 'ui'));
  await writeFile(join(dir, 'ui', 'index.html'), '<!doctype html><title>ui</title>');
  await writeFile(join(dir, 'outside.jpg'), 'x');
  service = new AppService({ defaultWorkspace: join(dir, 'ws') });
  bridge = await startBridge({ service, rendererDir: join(dir, 'ui') });
});
afterAll(async () => {
  await bridge.close();
  await service.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('HTTP bridge', () => {
  it('listens on 127.0.0.1 and serves the UI with a CSP, its token in a meta tag', async () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await get('/');
    const html = await res.text();
    expect(html).toContain('<title>ui</title>');
    expect(html).toContain(`<meta name="carlens-token" content="${bridge.token}" />`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    // Unknown paths fall back to index.html, never to a file outside the build.
    expect(await (await get('/..%2F..%2Foutside.jpg')).text()).toContain('<title>ui</title>');
    expect(await (await get('/%E0%A4%A')).text()).toContain('<title>ui</title>');
  });

  it('answers the contract channels and maps errors to statuses', async () => {
    expect((await post('/api/listPhotos', {})).status).toBe(500);
    const open = await post('/api/openDataset', { path: join(dir, 'dataset') });
    expect(open.status).toBe(200);
    expect(((await open.json()) as { summary: { photos: number } }).summary.photos).toBe(3);
    const list = (await (await post('/api/listPhotos', { state: 'damaged' })).json()) as { total: number };
    expect(list.total).toBe(2);
    const bad = await post('/api/listPhotos', { zones: 'all' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/listPhotos: invalid request/);
    expect((await post('/api/nope', {})).status).toBe(404);
    expect((await post('/api/runPhase', { phase: 'all' })).status).toBe(200);
    // A second run asked for while one goes on is answered with that run and a notice, not an error.
    const again = await post('/api/runPhase', { phase: 'crops' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { notice: string }).notice).toMatch(/^already running: /);
    expect((await post('/api/cancel', {})).status).toBe(200);
    await service.runner.current;
    expect((await fetch(`${bridge.url}/api/scanSummary`, { method: 'POST', body: '{}', headers: { 'x-carlens-token': bridge.token } })).status).toBe(415);
    expect((await post('/api/scanSummary', {}, { origin: 'http://evil.example' })).status).toBe(403);
  });

  it('inspects a dropped photo, serves it back for the heatmap, and names a bad drop in plain words (400)', async () => {
    const photos = (await (await post('/api/listPhotos', { limit: 1 })).json()) as { photos: { fileName: string }[] };
    const bytes = await readFile(join(dir, 'dataset', photos.photos[0]!.fileName));
    const res = await post('/api/inspect', { image: { bytesBase64: bytes.toString('base64'), name: 'drop.jpg' }, k: 3 });
    expect(res.status).toBe(200);
    const r = (await res.json()) as { photoPath: string; damage: { probability: number }; heatmap: { cols: number; rows: number; values: number[] }; windows: { score: number }[] };
    expect(r.damage.probability).toBeGreaterThanOrEqual(0);
    expect(r.damage.probability).toBeLessThanOrEqual(1);
    expect(r.heatmap.values.length).toBe(r.heatmap.cols * r.heatmap.rows);
    expect(r.windows.map((w) => w.score)).toEqual(r.windows.map((w) => w.score).sort((a, b) => b - a));
    const served = await get(`/img?path=${encodeURIComponent(r.photoPath)}`);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);

    for (const [body, message] of [
      [{ bytesBase64: '', name: 'empty.jpg' }, 'the dropped file empty.jpg is empty (0 bytes): drop a photo (JPEG, PNG, WebP, GIF, BMP or TIFF)'],
      [{ bytesBase64: Buffer.from('plain text').toString('base64'), name: 'notes.jpg' }, 'the dropped file notes.jpg is not a photo CarLens can read: expected JPEG, PNG, WebP, GIF, BMP or TIFF'],
    ] as const) {
      const bad = await post('/api/inspect', { image: body });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({ error: message, kind: 'BadImageError' });
    }
  });

  it('serves images inside the dataset only', async () => {
    const photos = (await (await post('/api/listPhotos', { limit: 1 })).json()) as { photos: { fileName: string }[] };
    const inside = await get(`/img?path=${encodeURIComponent(join(dir, 'dataset', photos.photos[0]!.fileName))}`);
    expect(inside.status).toBe(200);
    expect(inside.headers.get('content-type')).toBe('image/jpeg');
    const thumb = await get(`/img?path=${encodeURIComponent(join(dir, 'dataset', photos.photos[0]!.fileName))}&w=256`);
    expect(thumb.status).toBe(200);
    const { default: sharp } = await import('sharp');
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBe(256);
    expect((await get(`/img?path=${encodeURIComponent(join(dir, 'dataset', photos.photos[0]!.fileName))}&w=4000`)).status).toBe(403);
    const outside = await get(`/img?path=${encodeURIComponent(join(dir, 'dataset', '..', 'outside.jpg'))}`);
    expect(outside.status).toBe(403);
  });

  it("serves the workspace's validation report at /report, and nothing from outside the workspace", async () => {
    const missing = await get(`/report`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toMatch(/run phase 5 \(validation\) first/);
    const report = join(dir, 'ws', 'validation', 'report.html');
    await mkdir(join(dir, 'ws', 'validation'), { recursive: true });
    await writeFile(report, '<!doctype html><title>CarLens validation report</title>');
    const res = await get(`/report`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('<title>CarLens validation report</title>');
    // The route takes no path: a query cannot point it elsewhere, and a symlinked report out of the workspace is refused.
    await writeFile(join(dir, 'outside.html'), '<title>not yours</title>');
    expect(await (await get(`/report?path=${encodeURIComponent(join(dir, 'outside.html'))}`)).text()).toContain('CarLens validation report');
    await rm(report);
    await symlink(join(dir, 'outside.html'), report);
    expect((await get(`/report`)).status).toBe(403);
  });

  it('streams pipeline status as Server-Sent Events', async () => {
    const controller = new AbortController();
    const res = await get('/events', { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    controller.abort();
    const text = new TextDecoder().decode(value);
    expect(text).toMatch(/^event: pipeline\ndata: \{"running":false/);
  });
});

describe('HTTP bridge hardening', () => {
  const photoPath = async () => {
    const photos = (await (await post('/api/listPhotos', { limit: 1 })).json()) as { photos: { fileName: string }[] };
    return join(dir, 'dataset', photos.photos[0]!.fileName);
  };

  it('hands out the session token once, as an HttpOnly SameSite=Strict cookie, and refuses every route without it (403)', async () => {
    const open = await fetch(bridge.openUrl, { redirect: 'manual' });
    expect(open.status).toBe(303);
    expect(open.headers.get('location')).toBe('/');
    const cookie = open.headers.get('set-cookie')!;
    expect(cookie).toContain(`${bridge.cookieName}=${bridge.token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const img = `/img?path=${encodeURIComponent(await photoPath())}`;
    for (const path of ['/', '/index.html', '/assets/index.js', img, `${img}&w=256`, '/events', '/report', `/?token=${'x'.repeat(bridge.token.length)}`]) {
      const res = await fetch(`${bridge.url}${path}`);
      expect(res.status, path).toBe(403);
      expect(res.headers.get('cross-origin-resource-policy'), path).toBe('same-origin');
      expect(((await res.json()) as { error: string }).error).toMatch(/session token/);
      expect((await get(path, { headers: { cookie: `${bridge.cookieName}=wrong` } })).status, path).toBe(403);
    }
    // The API wants the header: neither the cookie nor a wrong token will do.
    expect((await post('/api/scanSummary', {}, { 'x-carlens-token': '' })).status).toBe(403);
    expect((await post('/api/scanSummary', {}, { 'x-carlens-token': `${bridge.token}x` })).status).toBe(403);
    expect((await post('/api/scanSummary', {}, { 'x-carlens-token': '', cookie: `${bridge.cookieName}=${bridge.token}` })).status).toBe(403);
    // With it: served, and no other site may embed any of it.
    for (const res of [await get('/'), await get(img), await post('/api/scanSummary', {}), await fetch(`${bridge.url}${img}&token=${bridge.token}`)]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    }
  });

  it('refuses path traversal on /img', async () => {
    await symlink(join(dir, 'outside.jpg'), join(dir, 'dataset', 'link-out.jpg'));
    for (const path of [
      join(dir, 'dataset', '..', 'outside.jpg'),
      '../outside.jpg',
      '../../../../../../etc/passwd',
      '/etc/passwd',
      join(dir, 'dataset', 'link-out.jpg'),
      `${join(dir, 'dataset')}/%2e%2e/outside.jpg`,
      `${await photoPath()}\0.jpg`,
    ]) {
      const res = await get(`/img?path=${encodeURIComponent(path)}`);
      expect(res.status, path).toBe(403);
    }
    expect((await get(`/img?path=${encodeURIComponent(join(dir, 'dataset'))}/..%2F..%2Fetc%2Fpasswd`)).status).toBe(403);
  });

  it('never echoes a file named as label map or zone table in its error', async () => {
    await mkdir(join(dir, 'plain'));
    const secret = join(dir, 'notes.txt');
    await writeFile(secret, 'SECRET-abc123,hunter2\nline two');
    const passwd = (await readFile('/etc/passwd', 'utf8').catch(() => '')).slice(0, 40);
    for (const [options, content] of [
      [{ labelMap: '/etc/passwd' }, passwd],
      [{ labelMap: secret }, 'SECRET-abc123'],
      [{ zones: secret }, 'SECRET-abc123'],
    ] as const) {
      const res = await post('/api/openDataset', { path: join(dir, 'plain'), options });
      expect(res.status).toBe(500);
      const { error } = (await res.json()) as { error: string };
      expect(error).toMatch(/label map|zone table/);
      // The zone table lowercases its header: compare without case.
      for (let i = 0; i + 6 <= content.length; i++) expect(error.toLowerCase()).not.toContain(content.slice(i, i + 6).toLowerCase());
    }
  });

  it('refuses a disk root, the home folder or a system folder as dataset or workspace', async () => {
    for (const [request, message] of [
      [{ path: '/' }, /\/ is the root of a disk: open a dataset folder of its own/],
      [{ path: homedir() }, /is your home folder/],
      [{ path: '/etc' }, /is a system folder/],
      [{ path: join(dir, 'dataset'), options: { workspace: '/' } }, /\/ is the root of a disk: open a workspace of its own/],
    ] as const) {
      const res = await post('/api/openDataset', request);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
    // The dataset opened before is still the one served.
    expect((await get(`/img?path=${encodeURIComponent(await photoPath())}`)).status).toBe(200);
  });

  it('refuses a 16000×16000 query photo fast, from its header, with a plain message', { timeout: 60_000 }, async () => {
    const { default: sharp } = await import('sharp');
    const png = await sharp({ create: { width: 16000, height: 16000, channels: 3, background: '#777777' } }).png({ compressionLevel: 9 }).toBuffer();
    await writeFile(join(dir, 'ws', 'big.png'), png);
    const message = /is too large: 16000×16000 pixels is over the limit of 50 megapixels; use a smaller photo$/;
    const rss = process.memoryUsage().rss;
    const started = Date.now();
    for (const [channel, image] of [
      ['inspect', { bytesBase64: png.toString('base64'), name: 'huge.png' }],
      ['search', { bytesBase64: png.toString('base64'), name: 'huge.png' }],
      ['inspect', { path: join(dir, 'ws', 'big.png') }],
    ] as const) {
      const res = await post(`/api/${channel}`, { image });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; kind: string };
      expect(body.kind).toBe('BadImageError');
      expect(body.error).toMatch(message);
    }
    expect((await get(`/img?path=${encodeURIComponent(join(dir, 'ws', 'big.png'))}&w=256`)).status).toBe(400);
    expect(Date.now() - started).toBeLessThan(3000);
    // Decoding would take ~768 MB of pixels (1.79 GB seen); the header check takes next to nothing.
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 1024 * 1024);
  });
});
