/**
 * The offline base map: Natural Earth country outlines (world-atlas, 1:50m) drawn
 * as a canvas GeoJSON layer, so maps work with no network and no token. Online
 * tiles are an opt-in setting.
 */
import L from 'leaflet';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries50m from 'world-atlas/countries-50m.json' with { type: 'json' };

let countriesGeoJson: GeoJSON.FeatureCollection | null = null;

/**
 * Rings that cross the antimeridian (Russia, Fiji, Antarctica) jump from +180 to
 * -180; drawn as is they streak across the whole map. Unwrapping the longitudes
 * keeps each ring continuous (it simply runs past ±180, off the edge).
 */
function unwrapRing(ring: GeoJSON.Position[]): GeoJSON.Position[] {
  let shift = 0;
  let previous: number | null = null;
  return ring.map(([lon = 0, lat = 0]) => {
    if (previous !== null) {
      const delta = lon + shift - previous;
      if (delta > 180) shift -= 360;
      else if (delta < -180) shift += 360;
    }
    previous = lon + shift;
    return [lon + shift, lat];
  });
}

function unwrapGeometry(geometry: GeoJSON.Geometry): GeoJSON.Geometry {
  if (geometry.type === 'Polygon') return { ...geometry, coordinates: geometry.coordinates.map(unwrapRing) };
  if (geometry.type === 'MultiPolygon') {
    return { ...geometry, coordinates: geometry.coordinates.map((polygon) => polygon.map(unwrapRing)) };
  }
  return geometry;
}

function countries(): GeoJSON.FeatureCollection {
  if (!countriesGeoJson) {
    const topology = countries50m as unknown as Topology<{ countries: GeometryCollection }>;
    const collection = feature(topology, topology.objects.countries) as GeoJSON.FeatureCollection;
    countriesGeoJson = {
      ...collection,
      features: collection.features.map((f) => ({ ...f, geometry: unwrapGeometry(f.geometry) })),
    };
  }
  return countriesGeoJson;
}

const onlineTilesKey = 'georeason.onlineTiles';

export function onlineTilesEnabled(): boolean {
  return localStorage.getItem(onlineTilesKey) === 'on';
}

export function setOnlineTiles(on: boolean): void {
  localStorage.setItem(onlineTilesKey, on ? 'on' : 'off');
}

/** A Leaflet map with the offline outlines (and online tiles when enabled). */
export function createBaseMap(element: HTMLElement, options: L.MapOptions = {}): L.Map {
  const renderer = L.canvas({ padding: 0.5 });
  const map = L.map(element, {
    preferCanvas: true,
    renderer,
    worldCopyJump: true,
    minZoom: 1,
    maxZoom: 18,
    zoomSnap: 0.5,
    attributionControl: true,
    ...options,
  });
  map.getContainer().style.background = '#dbeafe';
  if (onlineTilesEnabled()) {
    L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png', {
      maxZoom: 19,
      attribution: '&copy; OpenStreetMap contributors',
    }).addTo(map);
  } else {
    L.geoJSON(countries(), {
      interactive: false,
      style: { color: '#64748b', weight: 0.7, fillColor: '#f8fafc', fillOpacity: 1 },
    }).addTo(map);
    map.attributionControl.addAttribution('Natural Earth (offline outlines)');
  }
  map.setView([20, 0], 2);
  return map;
}

export interface MountedMap {
  map: L.Map;
  /** One layer for the caller's markers, cleared and redrawn as its data changes. */
  layer: L.LayerGroup;
  destroy(): void;
}

/**
 * A base map in an element plus a marker layer, resized with its element. `destroy`
 * stops any running animation first: its frames would otherwise draw on a removed canvas.
 */
export function mountBaseMap(element: HTMLElement, options: L.MapOptions = { zoomControl: true }): MountedMap {
  const map = createBaseMap(element, options);
  const layer = L.layerGroup().addTo(map);
  const observer = new ResizeObserver(() => map.invalidateSize());
  observer.observe(element);
  return {
    map,
    layer,
    destroy() {
      observer.disconnect();
      map.stop();
      layer.clearLayers();
      map.remove();
    },
  };
}
