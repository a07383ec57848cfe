/** Messages between the map view and its clustering worker. */
export type ClusterRequest =
  | { type: 'load'; buffer: ArrayBuffer; generation: number }
  | { type: 'view'; bbox: [number, number, number, number]; zoom: number; generation: number }
  | { type: 'expand'; clusterId: number; generation: number };

export type ClusterReply =
  | {
      type: 'loaded';
      count: number;
      ms: number;
      generation: number;
      /** [south, west, north, east] around every point (map-geometry's boundsOf), or null. */
      bounds: [number, number, number, number] | null;
    }
  | {
      type: 'view';
      generation: number;
      /** Flat [lon, lat, count, id] per item; count 1 means a single photo (id = image id), else a cluster id. */
      items: Float64Array;
    }
  | { type: 'expand'; zoom: number; generation: number };
