import { constants } from 'node:buffer';
import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { CropRecord } from '../crops/crop-record';
import { DAMAGE_TYPES } from '../domain/damage-types';
import { writeFileAtomic } from '../workspace/atomic-write';
import { CropTable } from './crop-table';
import type { CropTableData } from './crop-table-data';

/**
 * A generation's crop records on disk, metadata format 2: `metadata.jsonl` (one JSON record a line, crop_id first:
 * the table's buffer as it is) and `columns.bin` (a little-endian uint32 header length, a JSON header, then the
 * columns as raw little-endian arrays at 8-byte aligned offsets the header lists). Both are read whole into one
 * buffer each with open + read (no 2 GiB readFile limit, no string of the whole file), and the columns are typed
 * arrays over that buffer, not copies. Format 1 (`metadata.json`: {version: 1, records: [...]}) still opens.
 */

export const METADATA_FORMAT_VERSION = 2;
export const RECORDS_FILE = 'metadata.jsonl';
export const COLUMNS_FILE = 'columns.bin';
export const LEGACY_METADATA_FILE = 'metadata.json';

const ALIGN = 8;
const SECTIONS = {
  line_start: Float64Array,
  id_length: Uint16Array,
  zone: Uint8Array,
  has_damage: Uint8Array,
  damage_types: Uint32Array,
  source: Uint32Array,
} as const;
type SectionName = keyof typeof SECTIONS;

const sectionSchema = z.object({ offset: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() });
const headerSchema = z.object({
  format: z.literal('carlens-crop-columns'),
  version: z.literal(METADATA_FORMAT_VERSION),
  rows: z.number().int().nonnegative(),
  records_bytes: z.number().int().nonnegative(),
  damage_types: z.array(z.string()),
  zone_names: z.array(z.string().nullable()),
  source_names: z.array(z.string()),
  sections: z.object(Object.fromEntries(Object.keys(SECTIONS).map((name) => [name, sectionSchema])) as Record<SectionName, typeof sectionSchema>),
});

const legacySchema = z.object({
  version: z.literal(1),
  records: z.array(z.looseObject({ crop_id: z.string().min(1) })),
});

/** Writes the table's two files into a generation folder; returns the bytes written. */
export async function writeCropTable(dir: string, table: CropTable): Promise<number> {
  const data = table.stored;
  const columns = encodeColumns(data);
  await writeFileAtomic(join(dir, RECORDS_FILE), data.lines);
  await writeFileAtomic(join(dir, COLUMNS_FILE), columns);
  return data.lines.length + columns.length;
}

function encodeColumns(data: Readonly<CropTableData>): Buffer {
  const arrays: Record<SectionName, ArrayBufferView> = {
    line_start: data.lineStart,
    id_length: data.idLength,
    zone: data.zone,
    has_damage: data.hasDamage,
    damage_types: data.damageTypes,
    source: data.source,
  };
  const header = (offsets: Record<string, { offset: number; bytes: number }>) =>
    Buffer.from(
      JSON.stringify({
        format: 'carlens-crop-columns',
        version: METADATA_FORMAT_VERSION,
        rows: data.rows,
        records_bytes: data.lines.length,
        damage_types: DAMAGE_TYPES,
        zone_names: data.zoneNames,
        source_names: data.sourceNames,
        sections: offsets,
      }),
    );
  const layout = (headerBytes: number): Record<string, { offset: number; bytes: number }> => {
    let at = aligned(4 + headerBytes);
    return Object.fromEntries(
      Object.entries(arrays).map(([name, array]) => {
        const section = { offset: at, bytes: array.byteLength };
        at = aligned(at + array.byteLength);
        return [name, section];
      }),
    );
  };
  // The header holds the offsets, which depend on its length: reserve room for wider offsets, pad with spaces.
  const reserved = header(layout(0)).length + 16 * Object.keys(arrays).length;
  const sections = layout(reserved);
  const headerBytes = header(sections);
  if (headerBytes.length > reserved) throw new Error(`columns header of ${headerBytes.length} bytes outgrew the ${reserved} reserved`);
  const last = Object.values(sections).at(-1)!;
  const out = Buffer.alloc(aligned(last.offset + last.bytes));
  out.writeUInt32LE(reserved, 0);
  out.fill(0x20, 4, 4 + reserved);
  headerBytes.copy(out, 4);
  for (const [name, array] of Object.entries(arrays)) out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), sections[name]!.offset);
  return out;
}

function aligned(offset: number): number {
  return Math.ceil(offset / ALIGN) * ALIGN;
}

/** The crop table of a generation folder, in format 2 or (older generations) format 1. */
export async function readCropTable(dir: string): Promise<CropTable> {
  const recordsPath = join(dir, RECORDS_FILE);
  const columnsPath = join(dir, COLUMNS_FILE);
  if (!existsSync(recordsPath) && !existsSync(columnsPath)) return readLegacyTable(join(dir, LEGACY_METADATA_FILE));
  const [lines, columns] = [await readWholeFile(recordsPath), await readWholeFile(columnsPath)];
  const header = readHeader(columnsPath, columns);
  if (header.records_bytes !== lines.length) {
    throw new Error(`${recordsPath} has ${lines.length} bytes but ${columnsPath} describes ${header.records_bytes}`);
  }
  if (header.damage_types.join() !== DAMAGE_TYPES.join()) {
    throw new Error(`${columnsPath}: written for damage types [${header.damage_types.join(', ')}], this version has [${DAMAGE_TYPES.join(', ')}]; rebuild the index (\`carlens index\`)`);
  }
  const rows = header.rows;
  const view = <K extends SectionName>(name: K, length: number): InstanceType<(typeof SECTIONS)[K]> => {
    const { offset, bytes } = header.sections[name];
    const Type = SECTIONS[name];
    if (bytes !== length * Type.BYTES_PER_ELEMENT || offset % ALIGN !== 0 || offset + bytes > columns.length) {
      throw new Error(`${columnsPath}: section ${name} (${bytes} bytes at ${offset}) does not hold ${length} values inside the file's ${columns.length} bytes`);
    }
    return new Type(columns.buffer as ArrayBuffer, columns.byteOffset + offset, length) as InstanceType<(typeof SECTIONS)[K]>;
  };
  const data: CropTableData = {
    rows,
    lines,
    lineStart: view('line_start', rows + 1),
    idLength: view('id_length', rows),
    zone: view('zone', rows),
    hasDamage: view('has_damage', rows),
    damageTypes: view('damage_types', rows),
    source: view('source', rows),
    zoneNames: header.zone_names,
    sourceNames: header.source_names,
  };
  for (const [name, codes, count] of [['zone', data.zone, data.zoneNames.length], ['source', data.source, data.sourceNames.length]] as const) {
    for (let row = 0; row < rows; row++) {
      if (codes[row]! >= count) throw new Error(`${columnsPath}: row ${row} has ${name} code ${codes[row]}, the table has ${count}`);
    }
  }
  return CropTable.fromData(data, recordsPath);
}

function readHeader(path: string, columns: Buffer): z.infer<typeof headerSchema> {
  const length = columns.length >= 4 ? columns.readUInt32LE(0) : -1;
  if (length < 0 || 4 + length > columns.length) throw new Error(`${path}: not a columns file (header length ${length}, file ${columns.length} bytes)`);
  let json: unknown;
  try {
    json = JSON.parse(columns.toString('utf8', 4, 4 + length));
  } catch (error) {
    throw new Error(`${path}: unreadable header (${(error as Error).message})`, { cause: error });
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${path}: invalid columns header (${z.prettifyError(parsed.error)})`);
  return parsed.data;
}

/** A whole file in one buffer of its own (offset 0, so typed arrays can view it), read in chunks. */
export async function readWholeFile(path: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const { size } = await handle.stat();
    if (size > constants.MAX_LENGTH) throw new Error(`${path}: ${size} bytes, more than one buffer holds here (${constants.MAX_LENGTH})`);
    const out = Buffer.allocUnsafeSlow(size);
    for (let at = 0; at < size; ) {
      const { bytesRead } = await handle.read(out, at, Math.min(size - at, 1 << 28), at);
      if (bytesRead === 0) throw new Error(`${path}: ended after ${at} of ${size} bytes`);
      at += bytesRead;
    }
    return out;
  } finally {
    await handle.close();
  }
}

async function readLegacyTable(path: string): Promise<CropTable> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = legacySchema.safeParse(json);
  if (!parsed.success) throw new Error(`${path}: invalid index metadata (${z.prettifyError(parsed.error)})`);
  return CropTable.fromRecords(parsed.data.records as unknown as CropRecord[], path);
}
