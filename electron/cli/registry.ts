/** Every CLI command, in the order `--help` lists them: a new command is added here. */
import type { CliCommand } from './command.js';
import { evalCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { infoCommand } from './commands/info.js';
import { jobsCommand } from './commands/jobs.js';
import { initCommand } from './commands/init.js';
import { labelCommand } from './commands/label.js';
import { parseCommand } from './commands/parse.js';
import { scoreCommand } from './commands/score.js';
import { serveCommand } from './commands/serve.js';
import { trainCommand } from './commands/train.js';

export const commands: CliCommand[] = [initCommand, importCommand, infoCommand, labelCommand, parseCommand, scoreCommand, evalCommand, exportCommand, trainCommand, jobsCommand, serveCommand];
