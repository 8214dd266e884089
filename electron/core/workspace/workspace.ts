import { resolve, join } from 'node:path';

/**
 * Every output of every command lives under one workspace folder, never in the dataset.
 * This names the places inside it; phases create what they write.
 */
export interface WorkspacePaths {
  root: string;
  /** workspace.json: the sources the crops come from (see manifest.ts). */
  manifest: string;
  scanReport: string;
  cropsDir: string;
  cropsMetadata: string;
  contexts: string;
  /** Legacy hand-written contexts (before review/journal.json); read once to import them. */
  contextOverrides: string;
  /** review/journal.json: review decisions by stable crop id (see core/review/journal.ts). */
  reviewJournal: string;
  embeddingsDir: string;
  indexDir: string;
  validationDir: string;
  modelCache: string;
  fixturesDir: string;
}

export const DEFAULT_WORKSPACE = './workspace';

export function workspacePaths(root: string = DEFAULT_WORKSPACE): WorkspacePaths {
  const abs = resolve(root);
  return {
    root: abs,
    manifest: join(abs, 'workspace.json'),
    scanReport: join(abs, 'scan.json'),
    cropsDir: join(abs, 'crops'),
    cropsMetadata: join(abs, 'crops', 'crops.json'),
    contexts: join(abs, 'contexts', 'contexts.json'),
    contextOverrides: join(abs, 'contexts', 'overrides.json'),
    reviewJournal: join(abs, 'review', 'journal.json'),
    embeddingsDir: join(abs, 'embeddings'),
    indexDir: join(abs, 'index'),
    validationDir: join(abs, 'validation'),
    modelCache: join(abs, 'models'),
    fixturesDir: join(abs, 'fixtures'),
  };
}
