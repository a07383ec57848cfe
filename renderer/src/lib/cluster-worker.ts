/**
 * Clustering off the main thread: supercluster indexes every point once, then
 * answers each map move with only the clusters and points in view, as one flat
 * typed array (no per-point objects cross the worker boundary).
 */
import Supercluster from 'supercluster';
import type { ClusterReply, ClusterRequest } from './cluster-protocol.js';
import { boundsOf } from './map-geometry.js';

type Props = { id: number };
let index: Supercluster<Props, Supercluster.AnyProps> | null = null;

const post = (reply: ClusterReply, transfer: Transferable[] = []): void => {
  (self as unknown as Worker).postMessage(reply, transfer);
};

self.onmessage = (event: MessageEvent<ClusterRequest>) => {
  const message = event.data;
  if (message.type === 'load') {
    const started = performance.now();
    const view = new DataView(message.buffer);
    const count = view.getUint32(0, true);
    const lon = new Float32Array(message.buffer, 4, count);
    const lat = new Float32Array(message.buffer, 4 + count * 4, count);
    const ids = new Uint32Array(message.buffer, 4 + count * 8, count);
    const features: Supercluster.PointFeature<Props>[] = new Array(count);
    for (let i = 0; i < count; i++) {
      features[i] = {
        type: 'Feature',
        properties: { id: ids[i] ?? 0 },
        geometry: { type: 'Point', coordinates: [lon[i] ?? 0, lat[i] ?? 0] },
      };
    }
    index = new Supercluster<Props, Supercluster.AnyProps>({ radius: 60, maxZoom: 16, minPoints: 2 });
    index.load(features);
    post({ type: 'loaded', count, ms: performance.now() - started, generation: message.generation, bounds: boundsOf(lon, lat) });
  } else if (message.type === 'view') {
    const clusters = index ? index.getClusters(message.bbox, Math.round(message.zoom)) : [];
    const items = new Float64Array(clusters.length * 4);
    clusters.forEach((c, i) => {
      const [x, y] = c.geometry.coordinates as [number, number];
      const props = c.properties as { cluster?: boolean; cluster_id?: number; point_count?: number; id?: number };
      items[i * 4] = x;
      items[i * 4 + 1] = y;
      items[i * 4 + 2] = props.cluster ? (props.point_count ?? 0) : 1;
      items[i * 4 + 3] = props.cluster ? (props.cluster_id ?? 0) : (props.id ?? 0);
    });
    post({ type: 'view', items, generation: message.generation }, [items.buffer]);
  } else if (message.type === 'expand') {
    const zoom = index ? index.getClusterExpansionZoom(message.clusterId) : 0;
    post({ type: 'expand', zoom, generation: message.generation });
  }
};
