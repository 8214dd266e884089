import { readFile } from 'node:fs/promises';
import type { z } from 'zod';

/** Reads and validates a model manifest; every error names the manifest and, for a schema error, the field. */
export async function readModelManifest<T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`model manifest ${path}: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`model manifest ${path}: ${issue.path.join('.') || 'top level'}: ${issue.message}`);
  }
  return parsed.data;
}
