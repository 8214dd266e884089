import { LINE_PREFIX_BYTES, type CropTableData } from './crop-table-data';

/**
 * crop_id → row over the ids as they lie in the records buffer: an open-addressing hash table of rows (4 bytes a
 * slot, two slots a row) instead of a Map of a million id strings (~150 MB and seconds of decoding to build).
 */
export class CropIdLookup {
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(private readonly data: Pick<CropTableData, 'rows' | 'lines' | 'lineStart' | 'idLength'>) {
    let size = 16;
    while (size < data.rows * 2) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    const idStart = LINE_PREFIX_BYTES.length;
    for (let row = 0; row < data.rows; row++) {
      const start = data.lineStart[row]! + idStart;
      // A repeated id resolves to its last row, as a Map built row by row would.
      this.slots[this.probe(data.lines, start, start + data.idLength[row]!)] = row;
    }
  }

  rowOf(cropId: string): number | undefined {
    const id = Buffer.from(JSON.stringify(cropId));
    const row = this.slots[this.probe(id, 0, id.length)]!;
    return row < 0 ? undefined : row;
  }

  /** The slot holding the id bytes bytes[start..end), or the empty slot where it would go. */
  private probe(bytes: Uint8Array, start: number, end: number): number {
    const { lines, lineStart, idLength } = this.data;
    let slot = fnv1a(bytes, start, end) & this.mask;
    for (;;) {
      const row = this.slots[slot]!;
      if (row < 0) return slot;
      const rowStart = lineStart[row]! + LINE_PREFIX_BYTES.length;
      if (idLength[row] === end - start && lines.compare(bytes, start, end, rowStart, rowStart + idLength[row]!) === 0) return slot;
      slot = (slot + 1) & this.mask;
    }
  }
}

function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}
