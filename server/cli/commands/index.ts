/**
 * The command registry. To add a command (drift, bench, compress, export…): write
 * `server/cli/commands/<name>.ts` default-exporting a `Command` (see ../command.ts) and add it here.
 * The order here is the order of `model-lab --help`.
 */
import type { Command } from '../command';
import bench from './bench';
import compress from './compress';
import drift from './drift';
import explain from './explain';
import exportCommand from './export';
import info from './info';
import loadtest from './loadtest';
import predict from './predict';
import serve from './serve';

export const COMMANDS: readonly Command[] = [serve, info, predict, drift, bench, loadtest, compress, exportCommand, explain];
