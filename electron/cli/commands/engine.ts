import { loadQueryEmbedder } from '../../core/embedder/query';
import type { SearchFilters } from '../../core/retriever';
import { ChromaVectorStore, DEFAULT_COLLECTION, pushIndex, type ChromaTarget } from '../../core/vector-store/chroma-store';
import { LocalVectorStore } from '../../core/vector-store/local-store';
import type { StoreHit } from '../../core/vector-store/port';
import { UsageError, type Command, type CommandContext } from '../command';
import { parseFilters, QUERY_OPTIONS } from './search';

const DEFAULT_URL = 'http://localhost:8000';

export const engineCommand: Command = {
  name: 'engine',
  summary:
    'A server vector engine (Chroma) beside the local FAISS index: push the live index generation to it, search it with the same filters (--compare: beside the local index), or show what it holds',
  usage:
    'carlens engine push | status | search (--crop CROP_ID | --image FILE | --text TEXT) [--zone 4,5] [--damage true|false] [--type dent,crack] [--exclude-photo ID] [-k 10] [--compare] [--engine chroma] [--url URL (default ' +
    `${DEFAULT_URL})] [--collection NAME (default ${DEFAULT_COLLECTION})] [--json] [--workspace DIR]`,
  options: {
    engine: { type: 'string', default: 'chroma' },
    url: { type: 'string', default: DEFAULT_URL },
    collection: { type: 'string', default: DEFAULT_COLLECTION },
    ...QUERY_OPTIONS,
    compare: { type: 'boolean' },
  },
  async run(context) {
    const [action, ...rest] = context.positionals;
    if (rest.length) throw new UsageError(`engine takes one action, not ${context.positionals.join(' ')}`);
    if (context.values.engine !== 'chroma') throw new UsageError(`--engine ${String(context.values.engine)} is not supported; the server engine is chroma`);
    const target: ChromaTarget = { url: String(context.values.url), collection: String(context.values.collection) };
    if (action === 'push') return push(context, target);
    if (action === 'status') return status(context, target);
    if (action === 'search') return search(context, target);
    throw new UsageError('engine needs an action: push, status or search');
  },
};

function write(context: CommandContext, json: unknown, text: string): number {
  context.stdout.write(context.json ? `${JSON.stringify(json, null, 2)}\n` : text);
  return 0;
}

async function push(context: CommandContext, target: ChromaTarget): Promise<number> {
  const local = await LocalVectorStore.open(context.workspace);
  const started = performance.now();
  const pushed = await pushIndex(local.index, target, (done, total) => context.stderr.write(`engine push: ${done} / ${total}\n`));
  const seconds = (performance.now() - started) / 1000;
  return write(context, { ...pushed, count: local.index.size, seconds }, `pushed ${local.index.size} vectors of generation ${pushed.generation} to ${pushed.location} in ${seconds.toFixed(1)} s\n`);
}

/** What the server holds, and whether it is the workspace's live generation. */
async function status(context: CommandContext, target: ChromaTarget): Promise<number> {
  const chroma = await ChromaVectorStore.connect(target);
  const held = chroma.describe();
  const count = await chroma.count();
  const local = await LocalVectorStore.open(context.workspace);
  const live = local.describe().generation;
  const current = held.generation === live && held.model === local.describe().model;
  const verdict = current ? 'the workspace\'s live generation' : `not the workspace's live generation ${live}: run carlens engine push`;
  return write(context, { ...held, count, workspace_generation: live, current }, `${held.location}: ${count} vectors, model ${held.model} dim ${held.dim}, generation ${held.generation} (${verdict})\n`);
}

function requireK(context: CommandContext): number {
  const k = Number(context.values.k);
  if (!Number.isInteger(k) || k < 1) throw new UsageError(`-k must be a positive integer, not ${String(context.values.k)}`);
  return k;
}

/** The query vector: an indexed crop's (from the workspace index), or a photo or text through phase 3's model. */
async function queryVector(context: CommandContext, local: () => Promise<LocalVectorStore>): Promise<{ vector: Float32Array; description: string; model: string }> {
  const cropId = context.values.crop;
  if (typeof cropId === 'string') {
    const { index } = await local();
    const row = index.rowOf(cropId);
    if (row === undefined) throw new UsageError(`crop ${cropId} is not in the workspace index`);
    return { vector: index.vector(row), description: `crop ${cropId}`, model: index.config.model };
  }
  const imagePath = typeof context.values.image === 'string' ? context.values.image : undefined;
  const text = typeof context.values.text === 'string' ? context.values.text : undefined;
  const { embedder, multiPatch } = await loadQueryEmbedder(context.workspace);
  try {
    const vector = await embedder.embedQuery({ imagePath, text, multiPatch });
    return { vector, description: imagePath ? `image ${imagePath}` : `text "${text}"`, model: embedder.manifest.id };
  } finally {
    await embedder.dispose();
  }
}

function overlap(found: StoreHit[], truth: StoreHit[]): number {
  const ids = new Set(found.map((h) => h.crop_id));
  return truth.length ? truth.filter((h) => ids.has(h.crop_id)).length / truth.length : 1;
}

async function search(context: CommandContext, target: ChromaTarget): Promise<number> {
  const filters: SearchFilters = parseFilters(context);
  const k = requireK(context);
  if ((['crop', 'image', 'text'] as const).filter((s) => context.values[s] !== undefined).length !== 1) {
    throw new UsageError('give exactly one of --crop, --image, --text');
  }
  // The workspace index is read only when needed (a crop's vector, --compare): the server holds the rest.
  let opened: Promise<LocalVectorStore> | null = null;
  const local = () => (opened ??= LocalVectorStore.open(context.workspace));
  const chroma = await ChromaVectorStore.connect(target);
  const query = await queryVector(context, local);
  const { model, location, generation } = chroma.describe();
  if (query.model !== model) throw new Error(`${location} holds ${model} vectors, the query vector comes from ${query.model}; push this workspace's index (carlens engine push)`);
  const [results] = await chroma.searchMany([query.vector], k, filters);
  const compared = context.values.compare === true ? (await (await local()).searchMany([query.vector], k, filters))[0]! : null;
  const lines = [`query: ${query.description}  (${location}, generation ${generation})`, ''];
  if (!results!.length) lines.push('no crop passes the filters');
  results!.forEach((hit, i) => lines.push(`${String(i + 1).padStart(3)}  ${hit.score.toFixed(4)}  ${hit.crop_id}`));
  if (compared) lines.push('', `local index: ${(100 * overlap(results!, compared)).toFixed(0)} % of its top ${k} found by the server`);
  const json = { engine: chroma.describe(), query: query.description, k, filters, results, ...(compared ? { local: compared, overlap: overlap(results!, compared) } : {}) };
  return write(context, json, `${lines.join('\n')}\n`);
}
