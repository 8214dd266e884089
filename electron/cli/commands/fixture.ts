import { isAbsolute, resolve } from 'node:path';
import { writeFixture } from '../../core/fixture/fixture';
import { workspacePaths } from '../../core/workspace/workspace';
import { UsageError, type Command } from '../command';

function count(value: unknown, name: string): number {
  const n = Number(value ?? 0);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number ≥ 0`);
  return n;
}

export const fixtureCommand: Command = {
  name: 'fixture',
  summary: 'Write a deterministic synthetic dataset in the seed naming convention',
  usage: 'carlens fixture <out> --ko N --ok N [--seed S] [--json] [--workspace DIR]   (<out> relative to <workspace>/fixtures)',
  options: {
    ko: { type: 'string' },
    ok: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
  async run(context) {
    const [out, ...extra] = context.positionals;
    if (!out || extra.length > 0) throw new UsageError('expected exactly one output folder');
    if (context.values.ko === undefined && context.values.ok === undefined) throw new UsageError('give --ko and/or --ok');
    const seed = Number(context.values.seed);
    if (!Number.isInteger(seed)) throw new UsageError('--seed must be a whole number');
    // Outputs stay inside the workspace unless an absolute path says otherwise.
    const root = isAbsolute(out) ? out : resolve(workspacePaths(context.workspace).fixturesDir, out);
    const result = await writeFixture(root, { ko: count(context.values.ko, 'ko'), ok: count(context.values.ok, 'ok'), seed });
    const damaged = result.photos.filter((p) => p.state === 'damaged').length;
    if (context.json) context.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else context.stdout.write(`fixture written to ${result.root}: ${damaged} ko + ${result.photos.length - damaged} ok photos (seed ${seed})\n`);
    return 0;
  },
};
