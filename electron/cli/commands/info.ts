import { parseArgs } from 'node:util';
import { ProjectStore } from '../../services/store/project-store.js';
import { UsageError, type CliCommand } from '../command.js';

interface DatasetRow {
  id: number;
  name: string;
  format: string;
  images: number;
}

export const infoCommand: CliCommand = {
  name: 'info',
  summary: "list a project's datasets with their photo counts",
  usage: 'georeason info --project <file> [--json]',
  run(args, io) {
    const { values } = parseArgs({
      args,
      options: { project: { type: 'string' }, json: { type: 'boolean', default: false } },
      strict: true,
    });
    if (!values.project) throw new UsageError('--project <file> is required');
    const store = ProjectStore.open(values.project);
    try {
      const datasets = store.db
        .prepare(
          `SELECT d.id, d.name, d.format, (SELECT COUNT(*) FROM images i WHERE i.dataset_id = d.id) AS images
             FROM datasets d ORDER BY d.id`,
        )
        .all() as DatasetRow[];
      if (values.json) {
        io.stdout(`${JSON.stringify({ datasets: datasets.map(({ id, name, images }) => ({ id, name, images })) })}\n`);
      } else {
        io.stdout(`${store.path}  (schema ${store.schemaVersion})\n`);
        if (datasets.length === 0) io.stdout('no datasets yet\n');
        for (const d of datasets) io.stdout(`${String(d.id).padStart(4)}  ${d.name}  ${d.format}  ${d.images} photos\n`);
      }
    } finally {
      store.close();
    }
    return Promise.resolve(0);
  },
};
