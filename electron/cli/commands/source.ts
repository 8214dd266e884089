import { basename, resolve } from 'node:path';
import type { PhotoState } from '../../core/dataset/model';
import { workspacePhaseStates, type PhaseCondition } from '../../core/pipeline/phase-states';
import { addWorkspaceSource, planSourceRemoval, removeWorkspaceSource, sourceCropCounts, type SourceRemoval } from '../../core/pipeline/source-edit';
import { NoWorkspaceSourcesError, workspaceSources } from '../../core/pipeline/workspace-sources';
import { MANIFEST_PHASES } from '../../core/workspace/manifest';
import { UsageError, type Command, type CommandContext } from '../command';

const USAGE = 'carlens source list | add DIR [--state damaged|undamaged] [--label-map FILE] [--zones FILE] | remove DIR [--yes]   [--json] [--workspace DIR]';

const optional = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const day = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').slice(0, 16) : 'unknown');

export const sourceCommand: Command = {
  name: 'source',
  summary: "List, add or remove the workspace's dataset folders (workspace.json); every phase covers all of them",
  usage: USAGE,
  options: {
    state: { type: 'string' },
    'label-map': { type: 'string' },
    zones: { type: 'string' },
    yes: { type: 'boolean', default: false },
  },
  // add and remove take the workspace lock themselves; list only reads, so it also answers during a run.
  async run(context) {
    const [action, folder, ...extra] = context.positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    if (action === 'list') {
      if (folder !== undefined) throw new UsageError('list takes no folder');
      return list(context);
    }
    if (action !== 'add' && action !== 'remove') throw new UsageError(`expected list, add or remove, not ${action === undefined ? 'nothing' : `'${action}'`}`);
    if (!folder) throw new UsageError(`${action} needs a dataset folder`);
    return action === 'add' ? add(context, folder) : remove(context, folder);
  },
};

async function add(context: CommandContext, folder: string): Promise<number> {
  const state = context.values.state;
  if (state !== undefined && state !== 'damaged' && state !== 'undamaged') throw new UsageError(`--state must be damaged or undamaged, not '${String(state)}'`);
  const added = await addWorkspaceSource(context.workspace, {
    path: folder,
    state: state as PhotoState | undefined,
    labelMap: optional(context.values['label-map']),
    zones: optional(context.values.zones),
  });
  if (context.json) context.stdout.write(`${JSON.stringify(added, null, 2)}\n`);
  else context.stdout.write(`added source ${basename(added.source.path)} (${added.source.path}): ${added.photos} photos; run phase 1 (carlens run) to crop them with the other sources\n`);
  return 0;
}

function removalText(r: SourceRemoval): string {
  const decisions = r.reviewDecisions === 0 ? '' : `; ${r.reviewDecisions} review decision(s) on them stay in the journal, reported as orphaned`;
  return `${r.crops} crops of ${r.photos} photos of source ${r.name} (${r.source.path}) leave crops.json and contexts.json, with their image files${decisions}; the embeddings, index and validation then show stale until phases 3-5 run again`;
}

async function remove(context: CommandContext, folder: string): Promise<number> {
  if (!context.values.yes) {
    const plan = await planSourceRemoval(context.workspace, folder);
    if (context.json) context.stdout.write(`${JSON.stringify({ removed: false, ...plan }, null, 2)}\n`);
    else context.stdout.write(`would remove: ${removalText(plan)}\n`);
    context.stderr.write('source: nothing was removed; run it again with --yes to remove it\n');
    return 1;
  }
  const removed = await removeWorkspaceSource(context.workspace, folder);
  if (context.json) context.stdout.write(`${JSON.stringify({ removed: true, ...removed }, null, 2)}\n`);
  else context.stdout.write(`removed: ${removalText(removed)}\n`);
  return 0;
}

const TITLES = ['1 crops', '2 contexts', '3 embeddings', '4 index', '5 validation'];

function phaseLine(c: PhaseCondition, i: number): string {
  const counts = Object.entries(c.counts).map(([k, v]) => `${k} ${v}`).join(', ');
  const detail = c.state === 'never' ? 'not recorded (never run, or run before workspace.json recorded phases)' : c.reason ?? `${day(c.finished_at)} UTC · ${counts}`;
  return `  ${TITLES[i]!.padEnd(13)} ${c.state.padEnd(6)} ${detail}`;
}

async function list(context: CommandContext): Promise<number> {
  let sources: Awaited<ReturnType<typeof workspaceSources>> = [];
  try {
    sources = await workspaceSources(context.workspace);
  } catch (error) {
    if (!(error instanceof NoWorkspaceSourcesError)) throw error;
  }
  const counts = await sourceCropCounts(context.workspace, sources);
  const phases = await workspacePhaseStates(context.workspace);
  const rows = sources.map((s) => ({ ...s, name: basename(s.path), ...counts.get(resolve(s.path))! }));
  if (context.json) {
    context.stdout.write(`${JSON.stringify({ workspace: context.workspace, sources: rows, phases }, null, 2)}\n`);
    return 0;
  }
  const lines = [`workspace ${context.workspace}: ${rows.length} source(s)`];
  for (const s of rows) {
    const added = 'added_at' in s ? ` · added ${day(String(s.added_at))} UTC` : '';
    lines.push(
      `  ${s.name}  ${s.path}`,
      `    state: ${s.state ?? 'from the annotations'} · label map: ${s.labelMap ?? "the folder's"} · zone table: ${s.zones ?? "the folder's"}${added}`,
      `    phase 1: ${s.crops} crops of ${s.photos} photos (${s.damaged} damaged, ${s.undamaged} undamaged)`,
    );
  }
  lines.push('phases (workspace.json):', ...MANIFEST_PHASES.map((p, i) => phaseLine(phases[p], i)));
  context.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
