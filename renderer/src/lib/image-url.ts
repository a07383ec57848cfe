/** Photos are fetched by id only: a custom protocol in Electron, an HTTP route in a browser. */
export type ImageSize = 'thumb' | 'large';

export function imageUrl(id: number, size: ImageSize): string {
  return window.georeason ? `georeason-image://image/${id}?size=${size}` : `./image/${id}?size=${size}`;
}

/** The map's binary point buffer for a filter (see electron/services/browse/points.ts). */
export function pointsUrl(filter: unknown): string {
  return `./data/points?filter=${encodeURIComponent(JSON.stringify(filter))}`;
}
