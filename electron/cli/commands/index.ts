import type { Command } from '../command';
import { fixtureCommand } from './fixture';
import { runCommand } from './run';
import { scanCommand } from './scan';
import { cropsCommand } from './crops';
import { contextsCommand } from './contexts';
import { embedCommand } from './embed';
import { engineCommand } from './engine';
import { indexCommand } from './index-cmd';
import { inspectCommand } from './inspect';
import { searchCommand } from './search';
import { sourceCommand } from './source';
import { validateCommand } from './validate';

/** Every CLI command, in the order `help` lists them. Each lives in its own module beside this one. */
export const COMMANDS: Command[] = [scanCommand, fixtureCommand, cropsCommand, contextsCommand, embedCommand, runCommand, sourceCommand, indexCommand, searchCommand, engineCommand, inspectCommand, validateCommand];
