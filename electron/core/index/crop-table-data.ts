import type { CropRecord } from '../crops/crop-record';
import { DAMAGE_TYPES } from '../domain/damage-types';
import { ZONE_IDS } from '../domain/zones';

/**
 * The stored form of a generation's crop records (see crop-table.ts): the records as line-delimited JSON in one
 * buffer, and per row the columns filters and the crop-id lookup read without parsing a record.
 */
export interface CropTableData {
  rows: number;
  /** Every record as one JSON line ending in '\n', each line starting with LINE_PREFIX and its crop id. */
  lines: Buffer;
  /** Row r is lines[lineStart[r] .. lineStart[r + 1]); rows + 1 entries, the last one lines.length. */
  lineStart: Float64Array;
  /** Bytes of the crop id's JSON string right after LINE_PREFIX. */
  idLength: Uint16Array;
  /** Code into zoneNames; 0 = unknown zone. */
  zone: Uint8Array;
  /** 1 when the crop has damage. */
  hasDamage: Uint8Array;
  /** Bit i set: the crop carries DAMAGE_TYPES[i]. */
  damageTypes: Uint32Array;
  /** Code into sourceNames: the crop's source photo. */
  source: Uint32Array;
  /** Zone of each code; code 0 is the unknown zone (null), codes 1..10 are zones "1".."10". */
  zoneNames: (string | null)[];
  sourceNames: string[];
}

/** Every line starts with this, then the crop id as a JSON string, so the id is read without parsing the line. */
export const LINE_PREFIX = '{"crop_id":';
export const LINE_PREFIX_BYTES = Buffer.from(LINE_PREFIX);
const NEWLINE = 0x0a;

/** The domain's zones first, so that a canonical zone's code is its number; other zone strings follow. */
export function canonicalZoneNames(): (string | null)[] {
  return [null, ...ZONE_IDS.map(String)];
}

export function damageTypeMask(types: readonly string[]): number {
  let mask = 0;
  for (const type of types) {
    const bit = (DAMAGE_TYPES as readonly string[]).indexOf(type);
    // A type the domain does not know never matches a filter (recordFilter only lists known types).
    if (bit >= 0) mask |= 1 << bit;
  }
  return mask >>> 0;
}

/** One record as its JSON line: crop_id first (LINE_PREFIX), the other fields as JSON.stringify writes them. */
export function encodeLine(record: CropRecord): { line: Buffer; idLength: number } {
  if (typeof record.crop_id !== 'string' || record.crop_id.length === 0) {
    throw new Error(`crop record without a crop_id: ${JSON.stringify(record).slice(0, 200)}`);
  }
  const { crop_id: id, ...rest } = record;
  const idJson = JSON.stringify(id);
  const restJson = JSON.stringify(rest);
  const line = Buffer.from(`${LINE_PREFIX}${idJson}${restJson === '{}' ? '}' : `,${restJson.slice(1)}`}\n`);
  const idLength = Buffer.byteLength(idJson);
  if (idLength > 0xffff) throw new Error(`crop id ${id.slice(0, 80)}… is longer than 65535 bytes`);
  return { line, idLength };
}

/** Builds table data record by record, the lines in chunks: no string ever holds more than one record. */
export class CropTableBuilder {
  private readonly chunks: Buffer[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private bytes = 0;
  private rows = 0;
  private readonly lineStart: Float64Array;
  private readonly idLength: Uint16Array;
  private readonly zone: Uint8Array;
  private readonly hasDamage: Uint8Array;
  private readonly damageTypes: Uint32Array;
  private readonly source: Uint32Array;
  private readonly zoneNames = canonicalZoneNames();
  private readonly zoneCodes = new Map(this.zoneNames.map((name, code) => [name, code]));
  private readonly sourceNames: string[] = [];
  private readonly sourceCodes = new Map<string | null, number>();

  constructor(private readonly capacity: number) {
    this.lineStart = new Float64Array(capacity + 1);
    this.idLength = new Uint16Array(capacity);
    this.zone = new Uint8Array(capacity);
    this.hasDamage = new Uint8Array(capacity);
    this.damageTypes = new Uint32Array(capacity);
    this.source = new Uint32Array(capacity);
  }

  add(record: CropRecord): void {
    if (this.rows >= this.capacity) throw new Error(`a crop table built for ${this.capacity} rows got more`);
    const row = this.rows++;
    const { line, idLength } = encodeLine(record);
    this.lineStart[row] = this.bytes;
    this.idLength[row] = idLength;
    this.zone[row] = codeOf(this.zoneCodes, this.zoneNames, record.vehicle_zone ?? null, 255, 'zones');
    this.hasDamage[row] = record.has_damage ? 1 : 0;
    this.damageTypes[row] = damageTypeMask(record.damage_types ?? []);
    this.source[row] = codeOf(this.sourceCodes, this.sourceNames, record.source_image, 0xffffffff, 'source photos');
    this.bytes += line.length;
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= 1 << 22) this.flush();
  }

  finish(): CropTableData {
    if (this.rows !== this.capacity) throw new Error(`a crop table built for ${this.capacity} rows got ${this.rows}`);
    this.flush();
    this.lineStart[this.rows] = this.bytes;
    const lines = Buffer.allocUnsafeSlow(this.bytes);
    let at = 0;
    for (const chunk of this.chunks) at += chunk.copy(lines, at);
    const { rows, lineStart, idLength, zone, hasDamage, damageTypes, source, zoneNames, sourceNames } = this;
    return { rows, lines, lineStart, idLength, zone, hasDamage, damageTypes, source, zoneNames, sourceNames };
  }

  private flush(): void {
    if (this.pending.length) this.chunks.push(Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
  }
}

/** The code of a name in a string table, adding the name when it is new. */
export function codeOf(codes: Map<string | null, number>, names: (string | null)[], name: string | null, max: number, what: string): number {
  let code = codes.get(name);
  if (code === undefined) {
    if (names.length > max) throw new Error(`more than ${max} distinct ${what} in one index`);
    code = names.length;
    names.push(name);
    codes.set(name, code);
  }
  return code;
}

/**
 * Checks that every row's line lies inside the buffer, in order, starts with LINE_PREFIX and ends with a newline;
 * returns the first problem, or null. Bytes inside a line are checked only when the record is read.
 */
export function lineProblem(data: Pick<CropTableData, 'rows' | 'lines' | 'lineStart' | 'idLength'>): string | null {
  const { rows, lines, lineStart, idLength } = data;
  if (lineStart.length !== rows + 1) return `${lineStart.length} line offsets for ${rows} rows`;
  if (lineStart[0] !== 0 || lineStart[rows] !== lines.length) {
    return `lines span bytes ${lineStart[0]}..${lineStart[rows]} but the records file has ${lines.length}`;
  }
  const prefixLength = LINE_PREFIX_BYTES.length;
  for (let row = 0; row < rows; row++) {
    const start = lineStart[row]!;
    const end = lineStart[row + 1]!;
    if (!(end > start + prefixLength + idLength[row]!) || lines[end - 1] !== NEWLINE) return `row ${row}: line ${start}..${end} is not one record`;
    // A byte loop: a Buffer.compare call per row costs ~4x as much at a million rows.
    for (let i = 0; i < prefixLength; i++) {
      if (lines[start + i] !== LINE_PREFIX_BYTES[i]) return `row ${row}: line at byte ${start} does not start with ${LINE_PREFIX}`;
    }
  }
  return null;
}
