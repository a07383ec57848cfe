/**
 * The datasets group of the RPC contract: list, preview a source, import, delete,
 * and point a dataset at its photo folder. workbench.ts spreads this object into
 * the one handler table.
 */
import path from 'node:path';
import type { RpcEvent } from '../../../shared/rpc/contract.js';
import type { datasetsMethods } from '../../../shared/rpc/datasets-methods.js';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import type { ProjectService } from '../project/project-service.js';
import type { Handlers } from '../rpc/dispatcher.js';
import { previewSource } from '../rpc/read-queries.js';
import { readsOf } from '../rpc/reads.js';
import { deleteDataset } from './delete-dataset.js';
import { setImageRoot } from './image-root.js';
import { importDataset } from './import-dataset.js';

export type DatasetsHandlers = Pick<Handlers, keyof typeof datasetsMethods>;

export function datasetsHandlers(projects: ProjectService, emit: (event: RpcEvent) => void): DatasetsHandlers {
  const reads = readsOf(projects);
  return {
    'datasets.list': () => projects.queries().listDatasets(),
    'datasets.preview': async ({ source }, task) => {
      const params = { source: path.resolve(source) };
      // With a project open, its read pool reads the file; before one is open, this thread does.
      return reads.hasProject() ? reads.run('datasets.preview', params, task) : previewSource(params);
    },
    'datasets.import': async (params, task) => {
      const store = projects.requireStore();
      const result = await importDataset(
        store.path,
        {
          source: path.resolve(params.source),
          ...(params.imagesDir ? { imagesDir: path.resolve(params.imagesDir) } : {}),
          ...(params.name ? { name: params.name } : {}),
          label: params.label ?? true,
          skipBad: params.skipBad ?? false,
        },
        task,
      );
      projects.queries().invalidate();
      emit({ type: 'project.changed', path: store.path });
      return {
        datasetId: result.datasetId,
        name: result.name,
        format: result.format,
        rows: result.rows,
        labeled: result.labeled,
        photosPresent: result.photosPresent,
        photosMissing: result.photosMissing,
        skippedBad: result.skippedBad,
        skippedNoGps: result.skippedNoGps,
        unreadable: result.unreadable,
        durationMs: result.durationMs,
        warnings: result.warnings,
      };
    },
    'datasets.delete': ({ id }) => {
      const deleted = deleteDataset(projects.requireStore().db, id);
      projects.queries().invalidate();
      return { deleted };
    },
    'datasets.setImageRoot': async ({ id, imagesDir }, task) => {
      await setImageRoot(projects.requireStore().db, id, imagesDir, task);
      projects.queries().invalidate();
      const info = projects.queries().listDatasets().find((d) => d.id === id);
      if (!info) throw new RpcError(ErrorCode.NotFound, `no dataset with id ${id}`);
      return info;
    },
  };
}
