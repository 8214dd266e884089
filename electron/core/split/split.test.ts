import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../models/paths';
import { CLAIM_SERIAL_WINDOW, WEB_SERIAL_WINDOW, type PhotoName } from './claim-groups';
import { claimGroups, sideOfGroup, sourceOf, splitPhotos, summarizeSplit, type SplitAssignment } from './split';

const BILGI = 'bilgi-car-damage';
const FLICKR = 'flickr-car-damage-parts';
const CAR_PARTS = 'car-parts-undamaged';

/** A photo as mergeDatasets names it: `<folder>__<stem>`, file name under the folder. */
function merged(folder: string, file: string): PhotoName {
  return { id: `${folder}__${file.replace(/\.[^.]+$/, '')}`, fileName: `${folder}/${file}` };
}

/** A bilgi insurer photo name with a given claim serial (the 10-digit part is random in the real data). */
function insurer(serial: number, random = 1000000000 + serial * 7919): string {
  return `${String(random).padStart(10, '0')}_${serial}_jpg.rf.${serial.toString(16).padStart(32, '0')}.jpg`;
}

/** Deterministic Fisher-Yates (mulberry32), so a failing shuffle can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Group key → the sides its photos landed on. */
function sidesByGroup(assignments: readonly SplitAssignment[]): Map<string, Set<string>> {
  const sides = new Map<string, Set<string>>();
  for (const a of assignments) sides.set(a.group, (sides.get(a.group) ?? new Set()).add(a.side));
  return sides;
}

describe('sourceOf', () => {
  it('is the folder prefix of a merged id, or empty for a bare stem', () => {
    expect(sourceOf('bilgi-car-damage__0003533971_3627_jpg.rf.2c05')).toBe('bilgi-car-damage');
    expect(sourceOf('car-parts-undamaged__train1')).toBe('car-parts-undamaged');
    expect(sourceOf('0003533971_3627_jpg.rf.2c05')).toBe('');
  });
});

describe('claimGroups', () => {
  it('links consecutive insurer serials within the window into one claim, and starts a new one past it', () => {
    // Gaps 1, 4, 9, 14 (≤ window) then 15 (> window) then 11.
    const serials = [100, 101, 105, 114, 128, 143, 154];
    const photos = serials.map((s) => merged(BILGI, insurer(s)));
    const groups = claimGroups(photos);
    const keyOf = (serial: number) => groups.get(merged(BILGI, insurer(serial)).id);
    expect(CLAIM_SERIAL_WINDOW).toBe(14);
    expect(new Set(serials.slice(0, 5).map(keyOf))).toEqual(new Set(['bilgi-car-damage:claim:100']));
    expect(new Set(serials.slice(5).map(keyOf))).toEqual(new Set(['bilgi-car-damage:claim:143']));
    // Per-photo grouping would give 7 groups.
    expect(new Set(groups.values()).size).toBe(2);
  });

  it('links 6-digit web serials only when (nearly) consecutive; 11-digit airbag names stay alone', () => {
    expect(WEB_SERIAL_WINDOW).toBe(2);
    const files = ['001004_jpg.rf.aa.jpg', '001005_jpg.rf.bb.jpg', '001007_jpg.rf.cc.jpg', '001010_jpg.rf.dd.jpg'];
    const airbags = ['00509589051_jpg.rf.ee.jpg', '00509589061_jpg.rf.ff.jpg'];
    const groups = claimGroups([...files, ...airbags].map((f) => merged(BILGI, f)));
    expect(files.map((f) => groups.get(merged(BILGI, f).id))).toEqual([
      'bilgi-car-damage:web:1004',
      'bilgi-car-damage:web:1004',
      'bilgi-car-damage:web:1004',
      'bilgi-car-damage:web:1010',
    ]);
    expect(new Set(airbags.map((f) => groups.get(merged(BILGI, f).id))).size).toBe(2);
  });

  it('keeps one group per photo in flickr, car-parts and other folders, even for consecutive or bilgi names', () => {
    const photos = [
      ...['1.jpg', '2.jpg', '3.jpg'].map((f) => merged(FLICKR, f)),
      ...['train1.jpg', 'train2.jpg', 'train3.jpg'].map((f) => merged(CAR_PARTS, f)),
      ...[insurer(500), insurer(501)].map((f) => merged('some-other-folder', f)),
    ];
    const groups = claimGroups(photos);
    expect(new Set(groups.values()).size).toBe(photos.length);
    expect(groups.get(`${FLICKR}__2`)).toBe(`${FLICKR}:photo:2`);
  });

  it('reads the bilgi patterns on bare stems (a folder loaded alone), never across two sources', () => {
    const bare = [insurer(700), insurer(703)].map((f) => ({ id: f.replace(/\.jpg$/, ''), fileName: f }));
    const bareGroups = claimGroups(bare);
    expect(new Set(bareGroups.values())).toEqual(new Set([':claim:700']));
    // The same serials under bilgi and under no prefix are different claims.
    const mixed = claimGroups([...bare, merged(BILGI, insurer(701))]);
    expect(mixed.get(merged(BILGI, insurer(701)).id)).toBe('bilgi-car-damage:claim:701');
  });

  it('refuses duplicate photo ids', () => {
    expect(() => claimGroups([merged(FLICKR, '1.jpg'), merged(FLICKR, '1.jpg')])).toThrow(/appears twice/);
  });
});

describe('splitPhotos', () => {
  const synthetic = [
    ...Array.from({ length: 300 }, (_, i) => merged(BILGI, insurer(100 + i * 6))),
    ...Array.from({ length: 70 }, (_, i) => merged(FLICKR, `${i + 1}.jpg`)),
    ...Array.from({ length: 100 }, (_, i) => merged(CAR_PARTS, `train${i + 1}.jpg`)),
  ];

  it('is deterministic and independent of input order, and every group lands on one side', () => {
    const reference = splitPhotos(synthetic);
    for (const seed of [1, 2, 3]) expect(splitPhotos(shuffled(synthetic, seed))).toEqual(reference);
    expect([...sidesByGroup(reference).values()].every((sides) => sides.size === 1)).toBe(true);
    // Serials 6 apart chain into one claim: all 300 bilgi photos share a side.
    expect(new Set(reference.filter((a) => sourceOf(a.photoId) === BILGI).map((a) => a.side)).size).toBe(1);
  });

  it("decides a group's side from its key alone: dropping other folders moves nobody", () => {
    const full = new Map(splitPhotos(synthetic).map((a) => [a.photoId, a.side]));
    const flickrOnly = splitPhotos(synthetic.filter((p) => sourceOf(p.id) === FLICKR));
    expect(flickrOnly.every((a) => full.get(a.photoId) === a.side)).toBe(true);
  });

  it('holds out nothing at 0, everything at 1, nested sets in between; rejects fractions outside 0…1', () => {
    expect(splitPhotos(synthetic, { heldOutFraction: 0 }).every((a) => a.side === 'train')).toBe(true);
    expect(splitPhotos(synthetic, { heldOutFraction: 1 }).every((a) => a.side === 'heldout')).toBe(true);
    const held = (heldOutFraction: number) =>
      new Set(splitPhotos(synthetic, { heldOutFraction }).filter((a) => a.side === 'heldout').map((a) => a.photoId));
    const [small, large] = [held(0.2), held(0.4)];
    expect([...small].every((id) => large.has(id))).toBe(true);
    expect(() => splitPhotos(synthetic, { heldOutFraction: 1.5 })).toThrow(/between 0 and 1/);
    expect(() => splitPhotos(synthetic, { heldOutFraction: Number.NaN })).toThrow(/between 0 and 1/);
  });

  it('holds out close to the fraction of many groups (hash uniformity)', () => {
    const many = Array.from({ length: 20000 }, (_, i) => merged('many', `photo${i}.jpg`));
    for (const fraction of [0.1, 0.3, 0.5]) {
      const heldOut = splitPhotos(many, { heldOutFraction: fraction }).filter((a) => a.side === 'heldout').length;
      // sd ≤ √(0.25 / 20000) ≈ 0.0035; 0.015 is over four of them.
      expect(Math.abs(heldOut / many.length - fraction)).toBeLessThan(0.015);
    }
    expect(sideOfGroup('many:photo:photo0', 0.3)).toBe(splitPhotos([many[0]!])[0]!.side);
  });
});

const datasets = join(sharedDir(), 'datasets');
const present = existsSync(join(datasets, BILGI));
if (!present) console.warn(`split.test: no shared datasets at ${datasets}; skipping the real-name split checks`);

/** The three real folders' image files, named as the pipeline's merged dataset names them. */
function realPhotos(): PhotoName[] {
  return [BILGI, FLICKR, CAR_PARTS].flatMap((folder) =>
    readdirSync(join(datasets, folder))
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .map((f) => merged(folder, f)),
  );
}

describe.skipIf(!present)('the split on the real shared file names', () => {
  it('never puts photos of one claim on both sides, and keeps the photos checked by eye together', () => {
    const photos = realPhotos();
    const assignments = splitPhotos(photos);
    expect(assignments).toHaveLength(photos.length);
    expect([...sidesByGroup(assignments).values()].every((sides) => sides.size === 1)).toBe(true);
    // Independently of the group keys: every two insurer photos within the window share a side.
    const bySerial = assignments
      .map((a) => ({ a, serial: /^bilgi-car-damage__\d{10}_(\d+)_jpg/.exec(a.photoId)?.[1] }))
      .filter((x): x is { a: SplitAssignment; serial: string } => x.serial !== undefined)
      .map(({ a, serial }) => ({ side: a.side, serial: Number(serial) }))
      .sort((x, y) => x.serial - y.serial);
    expect(bySerial).toHaveLength(482);
    for (let i = 1; i < bySerial.length; i++) {
      const [previous, current] = [bySerial[i - 1]!, bySerial[i]!];
      if (current.serial - previous.serial <= CLAIM_SERIAL_WINDOW) expect(current.side).toBe(previous.side);
    }
    // Same car (or crops of one picture) seen side by side when choosing the windows.
    const groupOf = new Map(assignments.map((a) => [a.photoId, a.group]));
    const groupOfName = (pattern: RegExp) => {
      const ids = photos.filter((p) => p.id.startsWith(`${BILGI}__`) && pattern.test(p.id)).map((p) => p.id);
      expect(ids).toHaveLength(1);
      return groupOf.get(ids[0]!);
    };
    const sameCar = [
      ['_1275_', '_1279_', '_1282_'],
      ['_1690_', '_1695_', '_1697_'],
      ['_2013_', '_2023_', '_2033_'],
      ['_3474_', '_3484_'],
      ['_5321_', '_5334_'],
    ];
    for (const set of sameCar) expect(new Set(set.map((s) => groupOfName(new RegExp(`__\\d{10}${s}`)))).size).toBe(1);
    for (const pair of [['001004', '001005'], ['003809', '003810']]) {
      expect(new Set(pair.map((s) => groupOfName(new RegExp(`__${s}_jpg`)))).size).toBe(1);
    }
  });

  it('groups the real names as documented and holds out a share near the fraction per source', () => {
    const photos = realPhotos();
    const assignments = splitPhotos(photos);
    const summary = summarizeSplit(assignments);
    const claims = assignments.filter((a) => a.group.startsWith(`${BILGI}:claim:`));
    const claimPhotos = new Map<string, number>();
    for (const a of claims) claimPhotos.set(a.group, (claimPhotos.get(a.group) ?? 0) + 1);
    const claimSizes: Record<number, number> = {};
    for (const size of claimPhotos.values()) claimSizes[size] = (claimSizes[size] ?? 0) + 1;
    console.log(
      `split: ${BILGI} insurer claims ${claimPhotos.size} over ${claims.length} photos; ` +
        `photos per claim → claims ${JSON.stringify(claimSizes)}`,
    );
    for (const s of summary) {
      console.log(
        `split: ${s.source}: ${s.photos} photos, ${s.groups} groups, train ${s.train}, ` +
          `held-out ${s.heldout} (${(s.heldout / s.photos).toFixed(3)}); group sizes ${JSON.stringify(s.groupSizes)}`,
      );
    }
    expect(summary.map((s) => [s.source, s.photos])).toEqual([[BILGI, 600], [CAR_PARTS, 400], [FLICKR, 70]]);
    expect(claimPhotos.size).toBe(254);
    expect(summary.find((s) => s.source === FLICKR)!.groups).toBe(70);
    expect(summary.find((s) => s.source === CAR_PARTS)!.groups).toBe(400);
    for (const s of summary) {
      // Photos move with their group, so the spread of the held-out share follows the group sizes:
      // sd = √(f(1-f) Σ size²) / photos. Three of them is the band (flickr's 70 singletons: ±0.16; bilgi: ±0.09).
      const sizes = Object.entries(s.groupSizes);
      const sumOfSquares = sizes.reduce((sum, [size, count]) => sum + Number(size) ** 2 * count, 0);
      const sd = Math.sqrt(0.3 * 0.7 * sumOfSquares) / s.photos;
      expect(Math.abs(s.heldout / s.photos - 0.3)).toBeLessThan(3 * sd);
    }
  });
});
