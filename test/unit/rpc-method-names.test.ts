import { describe, expect, it } from 'vitest';
import { methodNames } from '../../shared/rpc/contract.js';

/**
 * Scripts and other clients call methods by name, so the names are a public
 * interface: a renamed or dropped method fails here. New methods are appended.
 */
const publishedNames = [
  'app.info',
  'project.create',
  'project.open',
  'project.openDemo',
  'project.current',
  'project.close',
  'project.recent',
  'project.forgetRecent',
  'project.check',
  'datasets.list',
  'datasets.preview',
  'datasets.import',
  'datasets.delete',
  'datasets.setImageRoot',
  'images.query',
  'images.facets',
  'images.get',
  'task.cancel',
  'runs.list',
  'runs.get',
  'runs.delete',
  'runs.importFile',
  'runs.startLive',
  'runs.resume',
  'runs.promptPresets',
  'runs.apiKeys.list',
  'runs.apiKeys.set',
  'runs.apiKeys.delete',
  'completions.query',
  'completions.forImage',
  'reward.specs.list',
  'reward.specs.save',
  'reward.specs.rename',
  'reward.specs.delete',
  'reward.runColumns',
  'reward.pythonSources',
  'evaluate.run',
  'evaluate.compare',
  'evaluate.addBaseline',
  'audit.queue',
  'audit.review',
  'audit.undo',
  'audit.history',
  'audit.places',
  'audit.stats',
  'audit.hard.preview',
  'audit.hard.save',
  'audit.subsets.list',
  'audit.subsets.delete',
  'audit.export',
  'jobs.environment',
  'jobs.setPython',
  'jobs.encoders',
  'jobs.start',
  'jobs.list',
  'jobs.get',
  'jobs.metrics',
  'jobs.log',
  'jobs.cancel',
  'jobs.resume',
  'jobs.delete',
  'jobs.predict',
  'jobs.provenance',
  'jobs.manifest',
  'jobs.runs',
  'jobs.compare',
  'jobs.export',
  'jobs.import',
  'jobs.rerun',
  'external.recipes',
  'external.preview',
  'external.start',
  'external.settings',
  'external.detectVersion',
  'external.checkpoints',
];

describe('RPC method names', () => {
  it('keeps every published method name', () => {
    const missing = publishedNames.filter((name) => !(methodNames as string[]).includes(name));
    expect(missing).toEqual([]);
  });

  it('lists every method of the contract here', () => {
    const unlisted = (methodNames as string[]).filter((name) => !publishedNames.includes(name));
    expect(unlisted).toEqual([]);
  });
});
