/**
 * Which dataset the Train form starts on. cor-policy trains on photo files (it embeds
 * them), so a dataset with no file on this machine can never train: it is never the
 * default, even when it is the one open in Browse.
 */
export interface TrainableDataset {
  id: number;
  photosPresent: number;
}

/** The preferred dataset when it has photos here, else the first one that has; null when none has. */
export function defaultTrainDataset(datasets: readonly TrainableDataset[], preferred: number | null): number | null {
  const wanted = datasets.find((d) => d.id === preferred);
  if (wanted && wanted.photosPresent > 0) return wanted.id;
  return datasets.find((d) => d.photosPresent > 0)?.id ?? null;
}
