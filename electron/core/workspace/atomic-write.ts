import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

/**
 * Writes a file so that a crash leaves either the old content or the new one, never half a file:
 * write a sibling temp file, fsync it, then rename over the target (atomic on one filesystem).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
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
