import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  /** Positional arguments after the command name. */
  positionals: string[];
  /** Parsed options (strings, booleans, or string arrays for `multiple`). */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** Absolute workspace path (`--workspace`, default ./workspace). */
  workspace: string;
  json: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec;
  /**
   * Writes the workspace's pipeline outputs: the whole command runs under the workspace lock, recorded as
   * `carlens <name>`, so another writer is told which command holds it.
   */
  writesWorkspace?: boolean;
  /** Returns the process exit code. */
  run(context: CommandContext): Promise<number>;
}

export class UsageError extends Error {}
