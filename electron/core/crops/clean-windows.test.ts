import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BBox, Dataset, Point } from '../dataset/model';
import { loadDataset } from '../dataset/load';
import type { CarLocation, CarLocator, CarMask } from '../detector/car-locator';
import { createCarLocator } from '../detector/index';
import { writeFixture } from '../fixture/fixture';
import { between, seededRandom, type Random } from '../fixture/random';
import { sharedDir } from '../models/paths';
import { chooseCleanWindows } from './clean-windows';
import { DEFAULT_CROP_CONFIG, resolveCropConfig, type CropConfig } from './config';
import { intersectionArea } from './geometry';
import { readCropsMetadata } from './metadata';
import { polygonRectDistance } from './polygon-clearance';
import { runCrops } from './run';
import { cropPixelDiff, expectedCropId, sampledPolygonRectDistance } from './test-support';

const square = (x: number, y: number, side: number): BBox => ({ x, y, width: side, height: side });

describe('polygonRectDistance', () => {
  // An L-shaped scratch: along the top from (0,0) to (300,0), then down to (300,300), 10 px thick.
  const L: Point[] = [[0, 0], [310, 0], [310, 300], [300, 300], [300, 10], [0, 10]];

  it('measures to the polygon itself, so a window may sit in the bay of an L that its bounding box covers', () => {
    const inBay = square(50, 60, 150); // x 50-200, y 60-210: 50 below the top bar, 100 left of the vertical one
    expect(intersectionArea(inBay, { x: 0, y: 0, width: 310, height: 300 })).toBeGreaterThan(0);
    expect(polygonRectDistance(L, inBay)).toBeCloseTo(50, 9);
  });

  it('is 0 when the window holds part of the outline, or lies wholly inside the polygon', () => {
    expect(polygonRectDistance(L, square(280, 100, 40))).toBe(0); // crosses the vertical bar, no vertex inside
    expect(polygonRectDistance(L, square(-5, -5, 400))).toBe(0); // the whole L inside the window
    const big: Point[] = [[0, 0], [1000, 0], [1000, 1000], [0, 1000]];
    expect(polygonRectDistance(big, square(100, 100, 50))).toBe(0); // the window inside the polygon
    expect(polygonRectDistance(L, square(310, 300, 10))).toBe(0); // touching at a corner
  });

  it('reaches a thin diagonal scratch between its vertices, at a window corner', () => {
    const diagonal: Point[] = [[0, 200], [200, 0], [202, 2], [2, 202]];
    const d = polygonRectDistance(diagonal, square(150, 150, 50));
    expect(d).toBeCloseTo(sampledPolygonRectDistance(diagonal, square(150, 150, 50)), 1);
    expect(d).toBeGreaterThan(60);
    expect(d).toBeLessThan(75);
  });
});

/** A star-shaped polygon (simple, possibly very concave or thin), like an annotator's outline of a defect. */
function randomPolygon(random: Random, photo: { width: number; height: number }): Point[] {
  const cx = between(random, 0, photo.width);
  const cy = between(random, 0, photo.height);
  const rx = between(random, 2, photo.width / 4);
  const ry = random() < 0.3 ? between(random, 1, 6) : between(random, 2, photo.height / 4); // some thin scratches
  const turn = between(random, 0, Math.PI);
  const count = 3 + Math.floor(random() * 10);
  return Array.from({ length: count }, (_, i): Point => {
    const a = ((i + between(random, 0, 0.8)) / count) * 2 * Math.PI;
    const r = between(random, 0.2, 1);
    const [x, y] = [r * rx * Math.cos(a), r * ry * Math.sin(a)];
    const px = cx + x * Math.cos(turn) - y * Math.sin(turn);
    const py = cy + x * Math.sin(turn) + y * Math.cos(turn);
    return [Math.min(photo.width, Math.max(0, px)), Math.min(photo.height, Math.max(0, py))];
  });
}

function randomLocation(random: Random, photo: { width: number; height: number }): CarLocation {
  const width = Math.round(between(random, 0.3, 1) * photo.width);
  const height = Math.round(between(random, 0.3, 1) * photo.height);
  const box = { x: Math.floor(random() * (photo.width - width + 1)), y: Math.floor(random() * (photo.height - height + 1)), width, height };
  let mask: CarMask | null = null;
  if (random() < 0.7) {
    // An ellipse filling the box: windows near its corners fail the car share, as on a real car outline.
    const data = new Uint8Array(photo.width * photo.height);
    const [cx, cy, ax, ay] = [box.x + width / 2, box.y + height / 2, width / 2, height / 2];
    for (let y = box.y; y < box.y + height; y++) {
      for (let x = box.x; x < box.x + width; x++) data[y * photo.width + x] = ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1 ? 1 : 0;
    }
    mask = { width: photo.width, height: photo.height, data };
  }
  const method = random() < 0.8 ? 'detector' : 'fallback_center';
  return { method, box, score: method === 'detector' ? 0.8 : 0, className: method === 'detector' ? 'car' : null, mask };
}

describe('chooseCleanWindows, property test over random photos and polygons', () => {
  it('never cuts a window within the clearance of a damage polygon, keeps the cap, and is deterministic', () => {
    const random = seededRandom(20240611);
    let chosenTotal = 0;
    let photosWithWindows = 0;
    const CASES = 150;
    for (let i = 0; i < CASES; i++) {
      const photo = { width: Math.round(between(random, 160, 1100)), height: Math.round(between(random, 160, 1100)) };
      const damage = Array.from({ length: 1 + Math.floor(random() * 6) }, () => randomPolygon(random, photo));
      const location = randomLocation(random, photo);
      const config: CropConfig = resolveCropConfig({
        cropSize: [224, 448, 640][Math.floor(random() * 3)]!,
        useMask: random() < 0.9,
        cleanWindows: {
          maxPerPhoto: 1 + Math.floor(random() * 6),
          clearanceRatio: between(random, 0, 0.15),
          windowScales: random() < 0.5 ? [1, 0.75, 0.5] : [1],
          minWindowRatio: between(random, 0, 0.3),
        },
      });
      const windows = chooseCleanWindows(photo, damage, location, config);
      const clearance = config.cleanWindows.clearanceRatio * Math.hypot(photo.width, photo.height);
      expect(windows.length).toBeLessThanOrEqual(config.cleanWindows.maxPerPhoto);
      for (const w of windows) {
        for (const polygon of damage) {
          // Sampling the outline every 0.1 px can only overestimate the distance: a window too close is caught.
          expect(sampledPolygonRectDistance(polygon, w.window)).toBeGreaterThanOrEqual(clearance - 1e-6);
        }
        expect(w.car.ratio).toBeGreaterThanOrEqual(config.minCarRatio);
        expect(Math.min(w.window.width, w.window.height)).toBeGreaterThanOrEqual(config.cleanWindows.minWindowRatio * Math.min(photo.width, photo.height));
        expect(w.window.x).toBeGreaterThanOrEqual(0);
        expect(w.window.y).toBeGreaterThanOrEqual(0);
        expect(w.window.x + w.window.width).toBeLessThanOrEqual(photo.width);
        expect(w.window.y + w.window.height).toBeLessThanOrEqual(photo.height);
        for (const other of windows) {
          const smaller = Math.min(w.window.width * w.window.height, other.window.width * other.window.height);
          if (other !== w) expect(intersectionArea(w.window, other.window)).toBeLessThanOrEqual(0.5 * smaller);
        }
      }
      // Same input, same windows, whatever the order of the polygons.
      expect(chooseCleanWindows(photo, [...damage].reverse(), location, config)).toEqual(windows);
      if (!config.useMask || !location.mask) {
        if (location.method === 'fallback_center') expect(windows).toEqual([]); // no evidence of where the car is
      }
      chosenTotal += windows.length;
      if (windows.length) photosWithWindows++;
    }
    // The property is not vacuous: most random photos leave room for some clean windows.
    expect(photosWithWindows).toBeGreaterThan(CASES / 3);
    expect(chosenTotal).toBeGreaterThan(CASES);
  });

  it('cuts none without damage polygons, when disabled, or with a cap of 0', () => {
    const photo = { width: 800, height: 600 };
    const location: CarLocation = { method: 'detector', box: { x: 0, y: 0, width: 800, height: 600 }, score: 0.9, className: 'car', mask: null };
    const damage = [[[10, 10], [30, 10], [30, 30]] as Point[]];
    expect(chooseCleanWindows(photo, damage, location, DEFAULT_CROP_CONFIG).length).toBeGreaterThan(0);
    expect(chooseCleanWindows(photo, [], location, DEFAULT_CROP_CONFIG)).toEqual([]);
    expect(chooseCleanWindows(photo, damage, location, resolveCropConfig({ cleanWindows: { enabled: false } }))).toEqual([]);
    expect(chooseCleanWindows(photo, damage, location, resolveCropConfig({ cleanWindows: { maxPerPhoto: 0 } }))).toEqual([]);
  });
});

/** Checks every clean window of a crops.json against the photo's damage polygons, on the real pixels. */
async function checkCleanWindows(dataset: Dataset, workspace: string, config: CropConfig): Promise<number> {
  const metadata = (await readCropsMetadata(join(workspace, 'crops', 'crops.json')))!;
  let count = 0;
  for (const photo of dataset.photos) {
    const clean = metadata.crops.filter((c) => c.source_image === photo.id && c.origin === 'damaged_photo_clean_window');
    expect(clean.length).toBeLessThanOrEqual(config.cleanWindows.maxPerPhoto);
    const clearance = config.cleanWindows.clearanceRatio * Math.hypot(photo.width, photo.height);
    for (const c of clean) {
      expect(c).toMatchObject({ has_damage: false, crop_type: 'grid', damage_types: [], defects: [], damage_count: 0 });
      expect(c.crop_id).toBe(await expectedCropId(photo.id, photo.imagePath, c.bbox, 'damaged_photo_clean_window'));
      for (const s of photo.shapes.filter((shape) => shape.damageType)) {
        expect(sampledPolygonRectDistance(s.points, c.bbox)).toBeGreaterThanOrEqual(clearance - 1e-6);
      }
      expect(await cropPixelDiff(join(workspace, c.crop_path), c.source_path, c.bbox)).toBeLessThan(4);
      count++;
    }
  }
  return count;
}

describe('clean windows on real photos, with the real car locator', () => {
  let dir: string;
  let locator: CarLocator;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carlens-clean-windows-'));
    locator = await createCarLocator();
  });
  afterAll(async () => {
    await locator?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('cuts clean windows away from the defects of the fixture\'s damaged photos', async () => {
    await writeFixture(join(dir, 'fixture'), { ko: 6, ok: 0, seed: 5 });
    const dataset = await loadDataset(join(dir, 'fixture'));
    const workspace = join(dir, 'ws-fixture');
    const summary = await runCrops({ dataset, workspace, locator });
    expect(summary.failures).toEqual([]);
    const config = resolveCropConfig();
    const count = await checkCleanWindows(dataset, workspace, config);
    console.log(`fixture: ${summary.crops.clustered} clustered, ${count} clean windows on ${summary.damagedWithCleanWindow}/6 photos`);
    expect(count).toBe(summary.crops.cleanWindows);
    expect(count).toBe(11);
    expect(summary.damagedWithCleanWindow).toBe(6);
    // A wider clearance leaves less room.
    const wider = await runCrops({ dataset, workspace: join(dir, 'ws-fixture-wide'), locator, config: { cleanWindows: { clearanceRatio: 0.2 } } });
    expect(wider.crops.cleanWindows).toBeLessThan(count);
  });

  const bilgi = join(sharedDir(), 'datasets', 'bilgi-car-damage');
  // Close-ups where the detector finds no whole car and the mask places the windows. LONG_SCRATCH: one thin
  // diagonal scratch across a grey door; CLEAN_SIDE: one scratch low on the left of a white car's rear.
  const LONG_SCRATCH = '0523551627_5563_jpg.rf.d03af63270af42bd65dcac3f3f5e6f36';
  const CLEAN_SIDE = '0474518946_13610_jpg.rf.9f64b7b7151c6e19df2b06e44f55d374';
  it.skipIf(!existsSync(join(bilgi, `${LONG_SCRATCH}.jpg`)))('cuts clean windows away from every polygon of real bilgi photos, up to the cap', async () => {
    const full = await loadDataset(bilgi, { state: 'damaged' });
    const photos = [LONG_SCRATCH, CLEAN_SIDE].map((id) => full.photos.find((p) => p.id === id)!);
    const dataset: Dataset = { ...full, photos };
    const workspace = join(dir, 'ws-bilgi');
    const summary = await runCrops({ dataset, workspace, locator });
    expect(summary.failures).toEqual([]);
    expect(await checkCleanWindows(dataset, workspace, resolveCropConfig())).toBe(summary.crops.cleanWindows);
    const metadata = (await readCropsMetadata(summary.metadataPath))!;
    const windowsOf = (id: string) => metadata.crops.filter((c) => c.source_image === id && c.origin === 'damaged_photo_clean_window');
    // The scratch's bounding box covers most of the door; the window below it lies inside that box yet is 10 % of
    // the diagonal from the scratch itself: a test on boxes would have lost it.
    const [scratch] = photos[0]!.shapes;
    // One window, of the third scale's grid (0.5 of the window size), column 0, row 2; its id derives from the photo and that box.
    const [window] = windowsOf(LONG_SCRATCH);
    expect(windowsOf(LONG_SCRATCH)).toHaveLength(1);
    expect(window!.grid_position).toMatchObject({ col: 0, row: 2 });
    expect(window!.crop_id).toBe(await expectedCropId(LONG_SCRATCH, photos[0]!.imagePath, window!.bbox, 'damaged_photo_clean_window'));
    expect(intersectionArea(windowsOf(LONG_SCRATCH)[0]!.bbox, scratch!.bbox)).toBeGreaterThan(0);
    // Room for more than the cap: 4 (the default), farthest from the scratch first within each scale.
    expect(windowsOf(CLEAN_SIDE)).toHaveLength(4);
    const capped = await runCrops({ dataset, workspace: join(dir, 'ws-bilgi-1'), locator, config: { cleanWindows: { maxPerPhoto: 1 } } });
    expect(capped.crops.cleanWindows).toBe(2);
    expect(capped.damagedWithCleanWindow).toBe(2);
  });
});
