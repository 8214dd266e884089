import type { Command } from '../command';

/** Every CLI command, in the order `help` lists them. Each lives in its own module beside this one. */
export const COMMANDS: Command[] = [];
