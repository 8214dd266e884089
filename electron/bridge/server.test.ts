import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture } from '../core/fixture/fixture';
import { AppService } from '../services/app-service';
import { startBridge, type Bridge } from './server';

let dir: string;
let bridge: Bridge;
let service: AppService;

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${bridge.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

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
  it('listens on 127.0.0.1 and serves the UI with a CSP', async () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${bridge.url}/`);
    expect(await res.text()).toContain('<title>ui</title>');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    // Unknown paths fall back to index.html, never to a file outside the build.
    expect(await (await fetch(`${bridge.url}/..%2F..%2Foutside.jpg`)).text()).toContain('<title>ui</title>');
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
    expect((await post('/api/runPhase', { phase: 'crops' })).status).toBe(500);
    expect((await post('/api/cancel', {})).status).toBe(200);
    await service.runner.current;
    expect((await fetch(`${bridge.url}/api/scanSummary`, { method: 'POST', body: '{}' })).status).toBe(415);
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
    const served = await fetch(`${bridge.url}/img?path=${encodeURIComponent(r.photoPath)}`);
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
    const inside = await fetch(`${bridge.url}/img?path=${encodeURIComponent(join(dir, 'dataset', photos.photos[0]!.fileName))}`);
    expect(inside.status).toBe(200);
    expect(inside.headers.get('content-type')).toBe('image/jpeg');
    const thumb = await fetch(`${bridge.url}/img?path=${encodeURIComponent(join(dir, 'dataset', photos.photos[0]!.fileName))}&w=256`);
    expect(thumb.status).toBe(200);
    const { default: sharp } = await import('sharp');
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBe(256);
    expect((await fetch(`${bridge.url}/img?path=${encodeURIComponent(join(dir, 'dataset', photos.photos[0]!.fileName))}&w=4000`)).status).toBe(403);
    const outside = await fetch(`${bridge.url}/img?path=${encodeURIComponent(join(dir, 'dataset', '..', 'outside.jpg'))}`);
    expect(outside.status).toBe(403);
  });

  it("serves the workspace's validation report at /report, and nothing from outside the workspace", async () => {
    const missing = await fetch(`${bridge.url}/report`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toMatch(/run phase 5 \(validation\) first/);
    const report = join(dir, 'ws', 'validation', 'report.html');
    await mkdir(join(dir, 'ws', 'validation'), { recursive: true });
    await writeFile(report, '<!doctype html><title>CarLens validation report</title>');
    const res = await fetch(`${bridge.url}/report`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('<title>CarLens validation report</title>');
    // The route takes no path: a query cannot point it elsewhere, and a symlinked report out of the workspace is refused.
    await writeFile(join(dir, 'outside.html'), '<title>not yours</title>');
    expect(await (await fetch(`${bridge.url}/report?path=${encodeURIComponent(join(dir, 'outside.html'))}`)).text()).toContain('CarLens validation report');
    await rm(report);
    await symlink(join(dir, 'outside.html'), report);
    expect((await fetch(`${bridge.url}/report`)).status).toBe(403);
  });

  it('streams pipeline status as Server-Sent Events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${bridge.url}/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    controller.abort();
    const text = new TextDecoder().decode(value);
    expect(text).toMatch(/^event: pipeline\ndata: \{"running":false/);
  });
});
