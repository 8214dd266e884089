import { runContexts, type ContextsResult } from '../../core/contexts';
import { UsageError, type Command } from '../command';
import { progressReporter } from '../progress';

export const contextsCommand: Command = {
  name: 'contexts',
  summary: 'Phase 2: a context text per crop (zone, part, damage types, spatial pattern), hand edits applied',
  usage: 'carlens contexts [--json] [--workspace DIR]',
  options: {},
  writesWorkspace: true,
  async run(context) {
    if (context.positionals.length) throw new UsageError('contexts takes no positional arguments');
    const progress = progressReporter(context.stderr);
    let result: ContextsResult;
    try {
      result = await runContexts({ workspace: context.workspace, onProgress: progress });
    } finally {
      progress.end();
    }
    const damaged = result.crops.filter((c) => c.has_damage).length;
    const samples = [result.crops.find((c) => c.has_damage), result.crops.find((c) => !c.has_damage)]
      .filter((c) => c?.text_description)
      .map((c) => ({ crop_id: c!.crop_id, text: c!.text_description! }));
    const summary = {
      crops: result.crops.length,
      damaged,
      clean: result.crops.length - damaged,
      shortened: result.shortened,
      edited: result.edited,
      failures: result.failures,
      path: result.path,
      samples,
    };
    if (context.json) {
      context.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      const lines = [
        `crops      ${summary.crops} (${summary.damaged} damaged, ${summary.clean} clean)`,
        `shortened  ${summary.shortened} (over the token budget)`,
        `edited     ${summary.edited} (hand-written overrides)`,
        `failures   ${summary.failures.length}`,
        ...summary.failures.map((f) => `  ${f.crop_id} (${f.file}): ${f.message}`),
        `written    ${summary.path}`,
        ...samples.flatMap((s) => ['', `${s.crop_id}:`, `  ${s.text}`]),
      ];
      context.stdout.write(`${lines.join('\n')}\n`);
    }
    return result.failures.length ? 1 : 0;
  },
};
