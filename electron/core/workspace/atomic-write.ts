import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

/** Temp files of writeFileAtomic: `.<name>.<12 hex>.tmp` beside their target (see removeLeftoverTempFiles). */
export const TEMP_FILE_PATTERN = /^\..+\.[0-9a-f]{12}\.tmp$/;

function siblingTempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes a file so that a crash leaves either the old content or the new one, never half a file: write a sibling
 * temp file, fsync it, rename it over the target (atomic on one filesystem), then fsync the folder so the rename
 * itself survives a power cut. A failure (ENOSPC, EACCES, …) names the target and leaves the old file as it was.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await replaceAtomically(path, async (temp) => {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

/**
 * writeFileAtomic for a writer that must write a file by name itself (a native library such as faiss): `write` gets
 * a sibling temp path to fill; that file is then fsynced, renamed over `path` and the folder fsynced, the same
 * guarantees as writeFileAtomic. A failure names the target, removes the temp file and leaves the old file as it was.
 */
export async function writeFileAtomicVia(path: string, write: (tempPath: string) => void | Promise<void>): Promise<void> {
  await replaceAtomically(path, async (temp) => {
    await write(temp);
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

/** Fills a sibling temp file with `fill` (which leaves it fsynced), renames it over `path`, fsyncs the folder. */
async function replaceAtomically(path: string, fill: (tempPath: string) => Promise<void>): Promise<void> {
  const dir = dirname(path);
  const temp = siblingTempPath(path);
  try {
    await mkdir(dir, { recursive: true });
    await fill(temp);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw namedWriteError(path, error);
  }
  await fsyncDirectory(dir).catch((error: unknown) => {
    throw namedWriteError(path, error);
  });
}

/** `<path>: not written (<cause>)`, keeping the cause's errno code for callers that branch on it. */
export function namedWriteError(path: string, error: unknown): Error {
  const cause = error as NodeJS.ErrnoException;
  const named = new Error(`${path}: not written (${cause?.message ?? String(error)})`, { cause: error }) as NodeJS.ErrnoException;
  if (cause?.code) named.code = cause.code;
  return named;
}

/**
 * Flushes a folder's entries (new, renamed and removed files) to disk. Windows cannot open a folder as a file, and
 * some filesystems (network mounts, FUSE) refuse to fsync one: there the entries are as durable as the platform
 * makes them on its own, which is all that can be had, so those refusals are not errors.
 */
export async function fsyncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const unsupported = new Set(['EISDIR', 'EPERM', 'EINVAL', 'ENOTSUP', 'EOPNOTSUPP']);
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch (error) {
    if (unsupported.has((error as NodeJS.ErrnoException).code ?? '')) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!unsupported.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle.close();
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  let text: string;
  try {
    text = JSON.stringify(value, null, 2);
  } catch (error) {
    // V8 caps a string at ~512 MiB: at ~1 KB a crop record, metadata of several hundred thousand crops.
    throw new Error(`${path}: cannot be written as one JSON document (${(error as Error).message}); nothing was written`, { cause: error });
  }
  await writeFileAtomic(path, `${text}\n`);
}
