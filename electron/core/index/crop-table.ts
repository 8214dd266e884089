import type { CropRecord } from '../crops/crop-record';
import { DAMAGE_TYPES } from '../domain/damage-types';
import { hasFilters, type SearchFilters } from '../retriever/filters';
import { CropIdLookup } from './crop-id-lookup';
import { codeOf, CropTableBuilder, damageTypeMask, encodeLine, LINE_PREFIX_BYTES, lineProblem, type CropTableData } from './crop-table-data';
import { RowSet } from './row-set';

/** One bitmap (RowSet layout) per value of a filter column. */
interface ValueBits {
  zones: Uint8Array[];
  types: Uint8Array[];
  damaged: Uint8Array;
}

/**
 * The crop records of an index generation, row for row with its vectors, held so that a million of them fit and
 * a filter never touches a record: the records stay line-delimited JSON in one buffer and are parsed one at a time
 * when asked (get), while the filter fields are typed-array columns (zone, has_damage, damage-type bitmask, source
 * photo) that filter() turns into a RowSet with AND / OR over per-value bitmaps. Immutable: an edit makes a new table.
 */
export class CropTable {
  private lookup: CropIdLookup | null = null;
  private bits: ValueBits | null = null;
  private sourceCodes: Map<string, number> | null = null;
  private materialised: CropRecord[] | null = null;

  private constructor(
    private readonly data: CropTableData,
    /** What the table was read from, for errors: a file path, or a description. */
    readonly origin: string,
  ) {}

  /** A table over stored data; refuses data whose lines do not match its offsets, naming `origin`. */
  static fromData(data: CropTableData, origin: string): CropTable {
    const problem = lineProblem(data);
    if (problem) throw new Error(`${origin}: ${problem}`);
    return new CropTable(data, origin);
  }

  static fromRecords(records: readonly CropRecord[], origin = 'crop records'): CropTable {
    return CropTable.fromRows(records.length, (row) => records[row]!, origin);
  }

  /** A table of `count` records made one at a time, so that they never all exist as objects at once. */
  static fromRows(count: number, recordOf: (row: number) => CropRecord, origin = 'crop records'): CropTable {
    const builder = new CropTableBuilder(count);
    for (let row = 0; row < count; row++) {
      try {
        builder.add(recordOf(row));
      } catch (error) {
        throw new Error(`${origin}: row ${row}: ${(error as Error).message}`, { cause: error });
      }
    }
    return new CropTable(builder.finish(), origin);
  }

  get size(): number {
    return this.data.rows;
  }

  /** What the table stores, for the file writer; read-only. */
  get stored(): Readonly<CropTableData> {
    return this.data;
  }

  /** The zone code of each row (0 = unknown); see zoneCode. Read-only. */
  get zone(): Uint8Array {
    return this.data.zone;
  }

  /** 1 where the crop has damage. Read-only. */
  get hasDamage(): Uint8Array {
    return this.data.hasDamage;
  }

  /** Bit i set where the crop carries DAMAGE_TYPES[i]. Read-only. */
  get damageTypes(): Uint32Array {
    return this.data.damageTypes;
  }

  /** The code of a zone string in the zone column, or undefined when no row has it. */
  zoneCode(zone: string): number | undefined {
    const code = this.data.zoneNames.indexOf(zone);
    return code < 0 ? undefined : code;
  }

  /** The record of a row, parsed from its line (a few µs). */
  get(row: number): CropRecord {
    const { lines, lineStart } = this.data;
    this.checkRow(row);
    try {
      return JSON.parse(lines.toString('utf8', lineStart[row]!, lineStart[row + 1]! - 1)) as CropRecord;
    } catch (error) {
      throw new Error(`${this.origin}: row ${row} is not a JSON record (${(error as Error).message})`, { cause: error });
    }
  }

  cropId(row: number): string {
    const { lines, lineStart, idLength } = this.data;
    this.checkRow(row);
    const start = lineStart[row]! + LINE_PREFIX_BYTES.length;
    return JSON.parse(lines.toString('utf8', start, start + idLength[row]!)) as string;
  }

  rowOf(cropId: string): number | undefined {
    this.lookup ??= new CropIdLookup(this.data);
    return this.lookup.rowOf(cropId);
  }

  /**
   * Every record parsed, row i at index i: O(n) time and memory (~1 s and ~1 GB per 100k real-sized crops), kept
   * once made. For analyses of a whole small index (validation, tests); the search path reads get() and columns.
   */
  records(): readonly CropRecord[] {
    this.materialised ??= Array.from({ length: this.size }, (_, row) => this.get(row));
    return this.materialised;
  }

  /** The rows passing `filters`, with retriever/filters.ts recordFilter's meaning; null when no filter is set. */
  filter(filters: SearchFilters | undefined): RowSet | null {
    if (!filters || !hasFilters(filters)) return null;
    const { rows } = this.data;
    const bits = this.valueBits();
    const result = RowSet.all(rows).bits.slice();
    if (filters.vehicle_zone !== undefined) {
      const codes = listOf(filters.vehicle_zone).flatMap((zone) => this.zoneCode(zone) ?? []);
      // Code 0 is the unknown zone, which no zone filter matches.
      andInto(result, union(codes.filter((code) => code > 0).map((code) => bits.zones[code]!), result.length));
    }
    if (filters.has_damage === true) andInto(result, bits.damaged);
    if (filters.has_damage === false) andNotInto(result, bits.damaged);
    if (filters.damage_type !== undefined) {
      const mask = damageTypeMask(listOf(filters.damage_type));
      andInto(result, union(bits.types.filter((_, bit) => (mask >>> bit) & 1), result.length));
    }
    if (filters.exclude_source_image !== undefined) this.excludeSources(result, listOf(filters.exclude_source_image));
    return RowSet.fromBits(result, rows);
  }

  /** This table with `record` in place of row `row`'s record; the other rows' bytes are copied, not re-encoded. */
  withRecord(row: number, record: CropRecord): CropTable {
    this.checkRow(row);
    const d = this.data;
    const { line, idLength } = encodeLine(record);
    const start = d.lineStart[row]!;
    const end = d.lineStart[row + 1]!;
    const lines = Buffer.allocUnsafeSlow(d.lines.length - (end - start) + line.length);
    d.lines.copy(lines, 0, 0, start);
    line.copy(lines, start);
    d.lines.copy(lines, start + line.length, end);
    const lineStart = d.lineStart.slice();
    for (let r = row + 1; r <= d.rows; r++) lineStart[r]! += line.length - (end - start);
    const zoneNames = d.zoneNames.slice();
    const sourceNames = d.sourceNames.slice();
    const withValue = <T extends Uint8Array | Uint16Array | Uint32Array>(column: T, value: number): T => {
      const copy = column.slice() as T;
      copy[row] = value;
      return copy;
    };
    const codes = (names: (string | null)[]) => new Map(names.map((name, code) => [name, code]));
    return new CropTable(
      {
        rows: d.rows,
        lines,
        lineStart,
        idLength: withValue(d.idLength, idLength),
        zone: withValue(d.zone, codeOf(codes(zoneNames), zoneNames, record.vehicle_zone ?? null, 255, 'zones')),
        hasDamage: withValue(d.hasDamage, record.has_damage ? 1 : 0),
        damageTypes: withValue(d.damageTypes, damageTypeMask(record.damage_types ?? [])),
        source: withValue(d.source, codeOf(codes(sourceNames), sourceNames, record.source_image, 0xffffffff, 'source photos')),
        zoneNames,
        sourceNames,
      },
      this.origin,
    );
  }

  /** This table without row `row`: the rows after it move up one. */
  withoutRow(row: number): CropTable {
    this.checkRow(row);
    const d = this.data;
    const start = d.lineStart[row]!;
    const end = d.lineStart[row + 1]!;
    const lines = Buffer.allocUnsafeSlow(d.lines.length - (end - start));
    d.lines.copy(lines, 0, 0, start);
    d.lines.copy(lines, start, end);
    const lineStart = new Float64Array(d.rows);
    lineStart.set(d.lineStart.subarray(0, row));
    for (let r = row + 1; r <= d.rows; r++) lineStart[r - 1] = d.lineStart[r]! - (end - start);
    const without = <T extends Uint8Array | Uint16Array | Uint32Array>(column: T): T => {
      const copy = column.slice(0, column.length - 1) as T;
      copy.set(column.subarray(row + 1), row);
      return copy;
    };
    return new CropTable(
      {
        rows: d.rows - 1,
        lines,
        lineStart,
        idLength: without(d.idLength),
        zone: without(d.zone),
        hasDamage: without(d.hasDamage),
        damageTypes: without(d.damageTypes),
        source: without(d.source),
        zoneNames: d.zoneNames,
        sourceNames: d.sourceNames,
      },
      this.origin,
    );
  }

  private checkRow(row: number): void {
    if (!Number.isInteger(row) || row < 0 || row >= this.data.rows) throw new Error(`${this.origin}: no row ${row} (the table has ${this.data.rows})`);
  }

  /** Per-value bitmaps of the zone, damage-type and has_damage columns, made in one pass on the first filter. */
  private valueBits(): ValueBits {
    if (this.bits) return this.bits;
    const { rows, zone, hasDamage, damageTypes, zoneNames } = this.data;
    const bytes = Math.ceil(rows / 8);
    const zones = zoneNames.map(() => new Uint8Array(bytes));
    const types = DAMAGE_TYPES.map(() => new Uint8Array(bytes));
    const damaged = new Uint8Array(bytes);
    for (let row = 0; row < rows; row++) {
      const byte = row >> 3;
      const bit = 1 << (row & 7);
      zones[zone[row]!]![byte]! |= bit;
      if (hasDamage[row]) damaged[byte]! |= bit;
      for (let mask = damageTypes[row]!; mask; mask &= mask - 1) types[31 - Math.clz32(mask & -mask)]![byte]! |= bit;
    }
    return (this.bits = { zones, types, damaged });
  }

  /** Clears the bits of rows whose source photo is listed. */
  private excludeSources(result: Uint8Array, sources: readonly string[]): void {
    const { rows, source, sourceNames } = this.data;
    this.sourceCodes ??= new Map(sourceNames.map((name, code) => [name, code]));
    const excluded = new Uint8Array(sourceNames.length);
    let any = false;
    for (const name of sources) {
      const code = this.sourceCodes.get(name);
      if (code === undefined) continue;
      excluded[code] = 1;
      any = true;
    }
    if (!any) return;
    for (let row = 0; row < rows; row++) if (excluded[source[row]!]) result[row >> 3]! &= ~(1 << (row & 7));
  }
}

function listOf<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

function union(sets: readonly Uint8Array[], bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (const set of sets) for (let i = 0; i < bytes; i++) out[i]! |= set[i]!;
  return out;
}

function andInto(target: Uint8Array, other: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i]! &= other[i]!;
}

function andNotInto(target: Uint8Array, other: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i]! &= ~other[i]!;
}
