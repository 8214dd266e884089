import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write';

/**
 * NumPy .npy (format 1.0) for 2-D little-endian float32 matrices, the only kind the pipeline stores
 * (embeddings, index vectors). Python tools read these with `numpy.load` unchanged.
 */

const MAGIC = Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const PREAMBLE = MAGIC.length + 2 + 2; // magic, version, header length (uint16 LE)
const ALIGN = 64;

export interface NpyMatrix {
  data: Float32Array;
  shape: number[];
}

function encodeHeader(shape: readonly number[]): Buffer {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // The whole preamble + header must be a multiple of 64 bytes, ending with '\n', padded with spaces.
  const unpadded = PREAMBLE + dict.length + 1;
  const padded = Math.ceil(unpadded / ALIGN) * ALIGN;
  const header = dict + ' '.repeat(padded - unpadded) + '\n';
  if (header.length > 0xffff) throw new Error(`npy header too long for format 1.0 (${header.length} bytes)`);
  const out = Buffer.alloc(PREAMBLE + header.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, PREAMBLE, 'latin1');
  return out;
}

export async function writeNpy(path: string, data: Float32Array, shape: [number, number]): Promise<void> {
  const [rows, cols] = shape;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`writeNpy ${path}: invalid shape [${shape.join(', ')}]`);
  }
  if (rows * cols !== data.length) {
    throw new Error(`writeNpy ${path}: shape [${rows}, ${cols}] needs ${rows * cols} values, got ${data.length}`);
  }
  const header = encodeHeader(shape);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // Every supported platform (x64, arm64) is little-endian, so the Float32Array bytes already are '<f4'.
  await writeFileAtomic(path, Buffer.concat([header, body]));
}

function parseHeader(path: string, text: string): { shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`${path}: malformed .npy header: ${text.trim()}`);
  }
  if (descr !== '<f4') throw new Error(`${path}: dtype ${descr} is not supported (expected float32 '<f4')`);
  if (fortran !== 'False') throw new Error(`${path}: Fortran-order arrays are not supported (expected C order)`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${path}: invalid shape entry "${s}" in .npy header`);
      return n;
    });
  return { shape };
}

export async function readNpy(path: string): Promise<NpyMatrix> {
  const bytes = await readFile(path);
  if (bytes.length < PREAMBLE || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new Error(`${path}: not a .npy file (bad magic)`);
  }
  const major = bytes[6];
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = bytes.readUInt16LE(8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    headerLength = bytes.readUInt32LE(8);
    headerStart = 12;
  } else {
    throw new Error(`${path}: unsupported .npy version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new Error(`${path}: truncated .npy header`);
  const { shape } = parseHeader(path, bytes.toString('latin1', headerStart, dataStart));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = dataStart + count * 4;
  if (bytes.length !== expected) {
    throw new Error(
      `${path}: .npy data is ${bytes.length - dataStart} bytes, shape [${shape.join(', ')}] needs ${count * 4}`,
    );
  }
  // Copy so the array is 4-byte aligned whatever the header length was.
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(bytes.subarray(dataStart, expected));
  return { data, shape };
}
