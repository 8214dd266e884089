import { readFile } from 'node:fs/promises';
import type { z } from 'zod';

/**
 * Reads a JSON file the app wrote and validates it: null when the file does not exist; otherwise an error naming
 * the file when it is not JSON (`<path>: not valid JSON (…)`) or not what it should be (`<path>: not <what> (…)`).
 */
export async function readJsonFile<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T | null> {
  const text = await readTextIfExists(path);
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${path}: not ${what} (${issue?.path.join('.')}: ${issue?.message})`);
  }
  return result.data;
}

/** A UTF-8 file's text, or null when it does not exist (any other read error is thrown). */
export async function readTextIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
