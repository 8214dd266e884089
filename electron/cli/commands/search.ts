import { DAMAGE_TYPES, isDamageType, type DamageType } from '../../core/domain/damage-types';
import { isZoneId } from '../../core/domain/zones';
import { loadQueryEmbedder } from '../../core/embedder/query';
import { RERUN_HINT } from '../../core/index/store';
import {
  inspectionAnswer,
  readSearchQuery,
  Retriever,
  withProposals,
  type InspectionAnswer,
  type QueryReading,
  type RetrievalResult,
  type SearchFilters,
} from '../../core/retriever';
import { loadLexicon } from '../../core/text/lexicon';
import { UsageError, type Command, type CommandContext } from '../command';

/** What a query and its filters take on the command line; shared by `search` and `engine search`. */
export const QUERY_OPTIONS = {
  image: { type: 'string' },
  text: { type: 'string' },
  crop: { type: 'string' },
  zone: { type: 'string' },
  damage: { type: 'string' },
  type: { type: 'string' },
  'exclude-photo': { type: 'string' },
  k: { type: 'string', short: 'k', default: '10' },
} as const satisfies Command['options'];

export const searchCommand: Command = {
  name: 'search',
  summary:
    'Similar crops for a photo, a text or an indexed crop, with zone / damage filters applied before ranking; a text is also read for zone, part, side, damage type and clean/damaged, proposed as filters that lift matching crops (--strict: applied as filters)',
  usage:
    'carlens search (--image FILE | --text TEXT | --crop CROP_ID) [--zone 4,5] [--damage true|false] [--type dent,crack] [--exclude-photo ID] [--strict] [-k 10] [--json] [--workspace DIR]',
  options: { ...QUERY_OPTIONS, strict: { type: 'boolean' } },
  async run(context) {
    if (context.positionals.length) throw new UsageError('search takes no positional arguments');
    const filters = parseFilters(context);
    const k = Number(context.values.k);
    if (!Number.isInteger(k) || k < 1) throw new UsageError(`-k must be a positive integer, not ${String(context.values.k)}`);
    const sources = (['image', 'text', 'crop'] as const).filter((s) => context.values[s] !== undefined);
    if (sources.length !== 1) throw new UsageError('give exactly one of --image, --text, --crop');

    const retriever = await Retriever.open(context.workspace);
    const query = await queryVector(retriever, context, filters);
    const reading = query.reading;
    const strict = context.values.strict === true;
    const applied = reading && strict ? withProposals(filters, reading) : filters;
    const results = retriever.search(query.vector, { k, filters: applied, soft: reading && !strict ? reading.soft : undefined });
    const answer = inspectionAnswer(results);
    if (context.json) {
      const interpretation = reading && { ...reading.interpretation, summary: reading.summary, proposals: reading.proposals, applied: strict ? 'as filters' : 'as a lift' };
      context.stdout.write(`${JSON.stringify({ query: query.description, k, filters: applied, interpretation, results, answer }, null, 2)}\n`);
    } else {
      context.stdout.write(formatResults(query.description, results, answer, reading && { summary: reading.summary, strict, notes: reading.interpretation.notes }));
    }
    return 0;
  },
};

interface Query {
  vector: Float32Array;
  description: string;
  /** A text query's interpretation (null for a photo or a crop). */
  reading: QueryReading | null;
}

async function queryVector(retriever: Retriever, context: CommandContext, filters: SearchFilters): Promise<Query> {
  const cropId = context.values.crop;
  if (typeof cropId === 'string') {
    const row = retriever.index.rowOf(cropId);
    if (row === undefined) throw new UsageError(`crop ${cropId} is not in the index`);
    return { vector: retriever.index.vector(row), description: `crop ${cropId}`, reading: null };
  }
  const imagePath = typeof context.values.image === 'string' ? context.values.image : undefined;
  const text = typeof context.values.text === 'string' ? context.values.text : undefined;
  // The model, fusion and text vocabulary the workspace's vectors were made with.
  const { embedder, multiPatch } = await loadQueryEmbedder(context.workspace);
  try {
    const { model, dim } = retriever.index.config;
    if (embedder.manifest.id !== model || embedder.dim !== dim) {
      throw new Error(
        `the index holds ${model} vectors of dimension ${dim}, the query embedder gives ${embedder.manifest.id} of dimension ${embedder.dim}; ${RERUN_HINT}`,
      );
    }
    const vector = await embedder.embedQuery({ imagePath, text, multiPatch });
    const lexicon = embedder.textVocabulary?.lexicon ?? (await loadLexicon());
    const reading = text ? readSearchQuery(text, lexicon, filters) : null;
    return { vector, description: imagePath ? `image ${imagePath}` : `text "${text}"`, reading };
  } finally {
    await embedder.dispose();
  }
}

function list(value: unknown): string[] | undefined {
  if (typeof value !== 'string') return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}

export function parseFilters(context: Pick<CommandContext, 'values'>): SearchFilters {
  const filters: SearchFilters = {};
  const zones = list(context.values.zone);
  if (zones) {
    const bad = zones.find((z) => !isZoneId(Number(z)) || String(Number(z)) !== z);
    if (bad !== undefined) throw new UsageError(`--zone takes zone numbers 1..10, not ${bad}`);
    filters.vehicle_zone = zones;
  }
  const damage = context.values.damage;
  if (damage !== undefined) {
    if (damage !== 'true' && damage !== 'false') throw new UsageError(`--damage must be true or false, not ${String(damage)}`);
    filters.has_damage = damage === 'true';
  }
  const types = list(context.values.type);
  if (types) {
    const bad = types.find((t) => !isDamageType(t));
    if (bad !== undefined) throw new UsageError(`--type ${bad} is not one of ${DAMAGE_TYPES.join(', ')}`);
    filters.damage_type = types as DamageType[];
  }
  const exclude = context.values['exclude-photo'];
  if (typeof exclude === 'string') filters.exclude_source_image = exclude;
  return filters;
}

function percent(x: number): string {
  return `${Math.round(100 * x)} %`;
}

export interface InterpretationLine {
  summary: string;
  strict: boolean;
  notes: string[];
}

export function formatResults(query: string, results: RetrievalResult[], answer: InspectionAnswer, interpretation: InterpretationLine | null = null): string {
  const lines = [`query: ${query}`];
  if (interpretation) {
    const how = interpretation.strict ? 'applied as filters' : 'proposed: matching crops rank higher, +lift; --strict makes them filters';
    lines.push(`interpreted as: ${interpretation.summary}  (${how})`, ...interpretation.notes.map((n) => `  note: ${n}`));
  }
  lines.push('');
  if (!results.length) return `${lines.join('\n')}no crop passes the filters\n`;
  for (const r of results) {
    const damage = r.has_damage ? r.damage_types.join('+') || 'damage' : 'clean';
    const lift = r.lift ? ` +${r.lift.toFixed(3)}` : '';
    lines.push(`${String(r.rank).padStart(3)}  ${r.score.toFixed(4)}${lift.padEnd(7)}  zone ${(r.zone ?? '?').padEnd(2)}  ${damage.padEnd(24)}  ${r.crop_id}  ${r.crop_path}`);
  }
  lines.push('');
  if (answer.has_damage) {
    lines.push(`damage: ${answer.has_damage.value ? 'yes' : 'no'} (${percent(answer.has_damage.confidence)} of the evidence)`);
  }
  if (answer.damage_types.length) {
    lines.push(`types:  ${answer.damage_types.map((t) => `${t.value} ${percent(t.confidence)}`).join(', ')}`);
  }
  if (answer.zone) lines.push(`zone:   ${answer.zone.value} (${percent(answer.zone.confidence)})`);
  return `${lines.join('\n')}\n`;
}
