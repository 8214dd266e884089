/**
 * A set of index rows as a bitmap: row r is in the set when bit (r & 7) of byte (r >> 3) is 1. This is faiss's
 * IDSelectorBitmap layout, so a filter's rows go to a filtered faiss search as they are, with no list of ids built,
 * and two filters combine with one AND over bytes.
 */
export class RowSet {
  private constructor(
    /** ceil(total / 8) bytes; treat as read-only once the set is built. */
    readonly bits: Uint8Array,
    /** Rows the bitmap can hold (the index size), not how many are in the set. */
    readonly total: number,
    /** How many rows are in the set. */
    readonly size: number,
  ) {}

  static none(total: number): RowSet {
    return new RowSet(new Uint8Array(Math.ceil(total / 8)), total, 0);
  }

  static all(total: number): RowSet {
    const bits = new Uint8Array(Math.ceil(total / 8)).fill(0xff);
    if (total % 8) bits[bits.length - 1] = (1 << total % 8) - 1;
    return new RowSet(bits, total, total);
  }

  static of(rows: Iterable<number>, total: number): RowSet {
    const bits = new Uint8Array(Math.ceil(total / 8));
    for (const row of rows) {
      if (!Number.isInteger(row) || row < 0 || row >= total) throw new Error(`row ${row} is outside 0..${total - 1}`);
      bits[row >> 3]! |= 1 << (row & 7);
    }
    return RowSet.fromBits(bits, total);
  }

  /** Rows where `member(row)` holds, for a column test run once per row. */
  static where(total: number, member: (row: number) => boolean): RowSet {
    const bits = new Uint8Array(Math.ceil(total / 8));
    let size = 0;
    for (let row = 0; row < total; row++) {
      if (member(row)) {
        bits[row >> 3]! |= 1 << (row & 7);
        size++;
      }
    }
    return new RowSet(bits, total, size);
  }

  /** Wraps a bitmap (taken, not copied); bits past `total` must be 0. */
  static fromBits(bits: Uint8Array, total: number): RowSet {
    if (bits.length !== Math.ceil(total / 8)) throw new Error(`a bitmap of ${total} rows has ${Math.ceil(total / 8)} bytes, got ${bits.length}`);
    let size = 0;
    for (const byte of bits) size += POPCOUNT[byte]!;
    return new RowSet(bits, total, size);
  }

  has(row: number): boolean {
    return row >= 0 && row < this.total && ((this.bits[row >> 3]! >> (row & 7)) & 1) === 1;
  }

  and(other: RowSet): RowSet {
    if (other.total !== this.total) throw new Error(`row sets of ${this.total} and ${other.total} rows do not combine`);
    const bits = new Uint8Array(this.bits.length);
    for (let i = 0; i < bits.length; i++) bits[i] = this.bits[i]! & other.bits[i]!;
    return RowSet.fromBits(bits, this.total);
  }

  /** The rows in ascending order. */
  rows(): Int32Array {
    const out = new Int32Array(this.size);
    let n = 0;
    for (let byte = 0; byte < this.bits.length; byte++) {
      let b = this.bits[byte]!;
      while (b) {
        const low = b & -b;
        out[n++] = (byte << 3) + 31 - Math.clz32(low);
        b ^= low;
      }
    }
    return out;
  }
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, byte) => {
  let n = 0;
  for (let b = byte; b; b &= b - 1) n++;
  return n;
});
