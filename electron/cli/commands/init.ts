import { parseArgs } from 'node:util';
import { ProjectStore } from '../../services/store/project-store.js';
import { normaliseProjectPath } from '../../services/store/project-file.js';
import { UsageError, type CliCommand } from '../command.js';

export const initCommand: CliCommand = {
  name: 'init',
  summary: 'create an empty project file (and its cache folder)',
  usage: 'georeason init --project <file>',
  run(args, io) {
    const { values } = parseArgs({ args, options: { project: { type: 'string' } }, strict: true });
    if (!values.project) throw new UsageError('--project <file> is required');
    const store = ProjectStore.create(normaliseProjectPath(values.project));
    io.stdout(`created ${store.path} (schema ${store.schemaVersion})\n`);
    store.close();
    return Promise.resolve(0);
  },
};
