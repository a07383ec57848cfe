/**
 * What the Datasets, Browse and Map views share: the chosen dataset, the filter
 * and the selected photo. A box drawn on the map becomes the grid's bbox filter.
 */
import type { DatasetInfo } from '../../../shared/rpc/datasets-methods.js';
import type { FlagName, ImageFilter } from '../../../shared/rpc/browse-methods.js';
import { rpc } from './rpc.js';

export interface FilterFields {
  country: string;
  region: string;
  city: string;
  flags: FlagName[];
  review: NonNullable<ImageFilter['review']>;
  photo: NonNullable<ImageFilter['photo']>;
  text: string;
  bbox: [number, number, number, number] | null;
}

export const emptyFilter = (): FilterFields => ({
  country: '',
  region: '',
  city: '',
  flags: [],
  review: 'any',
  photo: 'any',
  text: '',
  bbox: null,
});

class BrowseState {
  datasets = $state<DatasetInfo[]>([]);
  datasetId = $state<number | null>(null);
  fields = $state<FilterFields>(emptyFilter());
  selectedId = $state<number | null>(null);

  /** The filter as the main process validates it; null until a dataset is chosen. */
  filter = $derived.by((): ImageFilter | null => {
    if (this.datasetId === null) return null;
    const f = this.fields;
    const filter: ImageFilter = { datasetId: this.datasetId };
    if (f.country) filter.country = f.country;
    if (f.region) filter.region = f.region;
    if (f.city.trim()) filter.city = f.city.trim();
    if (f.flags.length > 0) filter.flags = [...f.flags];
    if (f.review !== 'any') filter.review = f.review;
    if (f.photo !== 'any') filter.photo = f.photo;
    if (f.text.trim()) filter.text = f.text.trim();
    if (f.bbox) filter.bbox = [...f.bbox];
    return filter;
  });

  async loadDatasets(): Promise<void> {
    this.datasets = await rpc.call('datasets.list', {});
    if (this.datasetId === null || !this.datasets.some((d) => d.id === this.datasetId)) {
      this.datasetId = this.datasets[0]?.id ?? null;
      this.fields = emptyFilter();
      this.selectedId = null;
    }
  }

  chooseDataset(id: number): void {
    this.datasetId = id;
    this.fields = emptyFilter();
    this.selectedId = null;
  }

  reset(): void {
    this.datasets = [];
    this.datasetId = null;
    this.fields = emptyFilter();
    this.selectedId = null;
  }
}

export const browseState = new BrowseState();
