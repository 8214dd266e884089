import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CropRecord } from '../crops/crop-record';
import type { DamageType } from '../domain/damage-types';
import { seededRandom } from '../fixture/random';
import { hasFilters, recordFilter, type SearchFilters } from '../retriever/filters';
import { CropTable } from './crop-table';
import { RowSet } from './row-set';
import { COLUMNS_FILE, readCropTable, RECORDS_FILE, writeCropTable } from './crop-table-file';
import { syntheticRecords } from './synthetic';

/** Synthetic records plus the awkward cases: unknown zone, a zone outside 1..10, a type outside the domain. */
function variedRecords(count: number): CropRecord[] {
  const random = seededRandom(42);
  return syntheticRecords(count, 9).map((record, row) => {
    const odd = random();
    if (odd < 0.05) return { ...record, vehicle_zone: 'roof-rack' };
    if (odd < 0.08) return { ...record, damage_types: [...record.damage_types, 'soot' as DamageType] };
    if (odd < 0.1) return { ...record, source_image: `photo-${row % 7}`, crop_id: `crop-é-${row}` };
    return record;
  });
}

const ZONE_CHOICES: (SearchFilters['vehicle_zone'] | undefined)[] = [undefined, '4', ['1', '10'], [], 'roof-rack', ['7', 'nowhere']];
const DAMAGE_CHOICES: (boolean | undefined)[] = [undefined, true, false];
const TYPE_CHOICES: (SearchFilters['damage_type'] | undefined)[] = [undefined, 'dent', ['crack', 'paint_peeling'], [], 'unspecified_damage'];
const EXCLUDE_CHOICES: (SearchFilters['exclude_source_image'] | undefined)[] = [undefined, 'photo-3', ['photo-0', 'photo-5', 'photo-999999'], 'absent'];

function everyFilterCombination(): SearchFilters[] {
  const out: SearchFilters[] = [];
  for (const vehicle_zone of ZONE_CHOICES)
    for (const has_damage of DAMAGE_CHOICES)
      for (const damage_type of TYPE_CHOICES)
        for (const exclude_source_image of EXCLUDE_CHOICES) {
          const filters: SearchFilters = {};
          if (vehicle_zone !== undefined) filters.vehicle_zone = vehicle_zone;
          if (has_damage !== undefined) filters.has_damage = has_damage;
          if (damage_type !== undefined) filters.damage_type = damage_type;
          if (exclude_source_image !== undefined) filters.exclude_source_image = exclude_source_image;
          out.push(filters);
        }
  return out;
}

/** The brute force the columns must equal: recordFilter's predicate over every record (null: no filter set). */
function passingRows(records: readonly CropRecord[], filters: SearchFilters): RowSet | null {
  if (!hasFilters(filters)) return null;
  const passes = recordFilter(filters);
  return RowSet.where(records.length, (row) => passes(records[row]!));
}

function expectSameFilters(table: CropTable, records: readonly CropRecord[]): void {
  for (const filters of everyFilterCombination()) {
    const expected = passingRows(records, filters);
    const got = table.filter(filters);
    if (expected === null) {
      expect(got, JSON.stringify(filters)).toBeNull();
      continue;
    }
    expect(Array.from(got!.rows()), JSON.stringify(filters)).toEqual(Array.from(expected.rows()));
    expect(got!.size).toBe(expected.size);
  }
}

describe('CropTable', () => {
  const records = variedRecords(1_237);
  const table = CropTable.fromRecords(records);

  it('filters on its columns exactly as the record predicate does, for every filter combination', () => {
    expect(everyFilterCombination().length).toBe(360);
    expectSameFilters(table, records);
  });

  it('gives back each record, its crop id and its row', () => {
    for (const row of [0, 1, 17, 600, records.length - 1]) {
      expect(table.get(row)).toEqual(records[row]);
      expect(table.cropId(row)).toBe(records[row]!.crop_id);
      expect(table.rowOf(records[row]!.crop_id)).toBe(row);
    }
    expect(table.rowOf('crop-nope')).toBeUndefined();
    expect(table.records()).toEqual(records);
    expect(() => table.get(records.length)).toThrow(/no row 1237/);
  });

  it('edits into a new table equal to one built from the edited records', () => {
    const edited = { ...records[5]!, vehicle_zone: 'trunk-lid', has_damage: true, damage_types: ['dent' as DamageType], source_image: 'photo-new', text_description: 'longer text '.repeat(20) };
    const afterEdit = records.map((r, i) => (i === 5 ? edited : r));
    const updated = table.withRecord(5, edited);
    expect(updated.records()).toEqual(afterEdit);
    expectSameFilters(updated, afterEdit);
    expect(updated.rowOf(records[6]!.crop_id)).toBe(6);

    const afterReject = records.filter((_, i) => i !== 5);
    const rejected = table.withoutRow(5);
    expect(rejected.records()).toEqual(afterReject);
    expectSameFilters(rejected, afterReject);
    expect(rejected.rowOf(records[5]!.crop_id)).toBeUndefined();
    expect(rejected.rowOf(records[6]!.crop_id)).toBe(5);
    // The original is unchanged.
    expect(table.get(5)).toEqual(records[5]);
  });

  it('refuses a record without a crop id, naming its row', () => {
    const bad = [records[0]!, { ...records[1]!, crop_id: '' }];
    expect(() => CropTable.fromRecords(bad, 'list.json')).toThrow(/list\.json: row 1: crop record without a crop_id/);
  });
});

describe('crop table files', () => {
  let dir: string;
  const records = variedRecords(503);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crop-table-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('round-trips through metadata.jsonl and columns.bin', async () => {
    const table = CropTable.fromRecords(records);
    await writeCropTable(dir, table);
    const lines = (await readFile(join(dir, RECORDS_FILE), 'utf8')).split('\n');
    expect(lines.length).toBe(records.length + 1);
    expect(JSON.parse(lines[2]!)).toEqual(records[2]);
    const read = await readCropTable(dir);
    expect(read.origin).toBe(join(dir, RECORDS_FILE));
    expect(read.records()).toEqual(records);
    expectSameFilters(read, records);
    expect(read.rowOf(records[400]!.crop_id)).toBe(400);
  });

  it('opens a generation written before format 2 (metadata.json)', async () => {
    const legacy = await mkdtemp(join(dir, 'legacy-'));
    await writeFile(join(legacy, 'metadata.json'), JSON.stringify({ version: 1, records: records.slice(0, 40) }, null, 2));
    const read = await readCropTable(legacy);
    expect(read.records()).toEqual(records.slice(0, 40));
    expectSameFilters(read, records.slice(0, 40));
  });

  it('names the file and the problem when the files are damaged', async () => {
    const table = CropTable.fromRecords(records.slice(0, 30));
    const broken = async (name: string, damage: (bytes: Buffer) => Buffer) => {
      const at = await mkdtemp(join(dir, 'broken-'));
      await writeCropTable(at, table);
      await writeFile(join(at, name), damage(await readFile(join(at, name))));
      return readCropTable(at);
    };
    await expect(broken(RECORDS_FILE, (b) => b.subarray(0, b.length - 10))).rejects.toThrow(/metadata\.jsonl has \d+ bytes but .*columns\.bin describes/);
    await expect(broken(RECORDS_FILE, (b) => Buffer.from(b.toString().replace('{"crop_id":"crop-000003"', '{"crop_iX":"crop-000003"')))).rejects.toThrow(
      /metadata\.jsonl: row 3: line at byte \d+ does not start with/,
    );
    await expect(broken(COLUMNS_FILE, (b) => b.subarray(0, 40))).rejects.toThrow(/columns\.bin: not a columns file/);
    await expect(broken(COLUMNS_FILE, (b) => Buffer.from(b.toString('latin1').replace('"rows":30', '"rows":31'), 'latin1'))).rejects.toThrow(/columns\.bin: section/);
    const missing = await mkdtemp(join(dir, 'missing-'));
    await writeCropTable(missing, table);
    await rm(join(missing, COLUMNS_FILE));
    await expect(readCropTable(missing)).rejects.toThrow(/columns\.bin: ENOENT/);
    await expect(readCropTable(await mkdtemp(join(dir, 'empty-')))).rejects.toThrow(/metadata\.json: ENOENT/);
  });
});
