/**
 * The importers' shared vocabulary: dataset formats, import options and results,
 * and the messages the import worker exchanges with the main thread.
 */

/** Formats the importers recognise; stored in `datasets.format`. */
export type DatasetFormat =
  | 'mp16-pro'
  | 'im2gps3k'
  | 'yfcc4k'
  | 'geoclip'
  | 'csv'
  | 'vlm-r1'
  | 'geo-r'
  | 'exif-folder';

export const datasetFormats: readonly DatasetFormat[] = [
  'mp16-pro',
  'im2gps3k',
  'yfcc4k',
  'geoclip',
  'csv',
  'vlm-r1',
  'geo-r',
  'exif-folder',
];

export interface ImportOptions {
  /** The metadata file (CSV, JSON, JSONL) or a folder of photos. */
  source: string;
  /** Where the photos are; rel_path is relative to it. For a folder import, the folder itself. */
  imagesDir?: string;
  /** Dataset name; default: the source's base name (made unique with a suffix). */
  name?: string;
  /** Force a format instead of detecting it. */
  format?: DatasetFormat;
  /** Make gazetteer CoR labels during the import (default true). */
  label?: boolean;
  /** Skip malformed rows (counted in `skippedBad`) instead of failing the import. */
  skipBad?: boolean;
}

export interface ImportResult {
  datasetId: number;
  name: string;
  format: DatasetFormat;
  /** Rows written to `images`. */
  rows: number;
  /** Rows given a gazetteer label. */
  labeled: number;
  /** Rows with a dataset-provided label (source = 'dataset'). */
  datasetLabels: number;
  photosPresent: number;
  photosMissing: number;
  /** Folder import: photos without GPS in their EXIF (not imported). */
  skippedNoGps: number;
  /** Folder import: files that looked like photos but could not be read (not imported). */
  unreadable: number;
  /** Malformed rows skipped with `skipBad`. */
  skippedBad: number;
  durationMs: number;
  /**
   * Where the time went (ms): listing photos, reading+labelling+inserting (of which:
   * inside SQLite's INSERTs, and waiting for labels), re-creating indexes, facets,
   * COMMIT, WAL checkpoint; and the labelling thread's busy time (beside readMs).
   */
  phases: {
    listMs: number;
    readMs: number;
    insertMs: number;
    labelWaitMs: number;
    labelMs: number;
    indexMs: number;
    facetsMs: number;
    commitMs: number;
    checkpointMs: number;
    /**
     * CPU time (ms) of the import's thread while reading and while building indexes,
     * and of the labelling thread (null when labels were made on the import's thread);
     * null where the system does not tell a thread's CPU time.
     */
    cpu: { readMs: number; indexMs: number; labelMs: number | null } | null;
  };
  warnings: string[];
}

export interface DetectResult {
  format: DatasetFormat;
  /** What a person reads, e.g. "MP16-Pro CSV". */
  label: string;
  /** Column names (CSV header, JSON keys, or the folder's synthetic columns). */
  columns: string[];
  /** The first rows (at most 10), as strings in `columns` order. */
  previewRows: string[][];
  warnings: string[];
}

/** Worker → main. */
export type WorkerMessage =
  | { type: 'progress'; done: number; total: number | null; message: string }
  | { type: 'done'; result: ImportResult }
  | { type: 'error'; code: number; message: string; problems?: string[] };

/** Main → worker. */
export type ControlMessage = { type: 'cancel' };

export interface WorkerInput {
  projectPath: string;
  options: ImportOptions;
  /** Label on the import's own thread instead of a labelling thread (the benchmark's baseline). */
  labelInThread?: boolean;
  /** Drop and re-create the secondary indexes (true) or keep them (false), whatever the size. */
  deferIndexes?: boolean;
  /** Build the deferred indexes with the whole page cache as one sorter run (the benchmark's baseline). */
  oneSortRun?: boolean;
}
