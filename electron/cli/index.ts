#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type Command, type OptionSpec } from './command';
import { COMMANDS } from './commands';
import { withWorkspaceLock } from '../core/workspace/lock';
import { DEFAULT_WORKSPACE } from '../core/workspace/workspace';

const COMMON_OPTIONS: OptionSpec = {
  workspace: { type: 'string', default: DEFAULT_WORKSPACE },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: carlens <command> [options]   (npm run cli -- <command> …)',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'common options: --workspace DIR (default ./workspace; every output goes there), --json, --help',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${helpText()}\n`);
    return name ? 0 : 2;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`unknown command: ${name}\n\n${helpText()}\n`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      process.stdout.write(`usage: ${command.usage}\n`);
      return 0;
    }
    const context = {
      positionals,
      values,
      workspace: resolve(String(values.workspace)),
      json: Boolean(values.json),
      stdout: process.stdout,
      stderr: process.stderr,
    };
    if (!command.writesWorkspace) return await command.run(context);
    return await withWorkspaceLock(context.workspace, `carlens ${command.name}`, () => command.run(context));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${command.name}: ${message}\nusage: ${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`${command.name}: ${message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
