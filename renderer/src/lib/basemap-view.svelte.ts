/**
 * A base map bound to a component's element: made when the element appears (offline
 * outlines or online tiles, attribution, resized with its element, see basemap.ts),
 * torn down with the component, and the caller's markers redrawn into one cleared
 * layer whenever what `draw` reads changes. Made while a component initialises.
 */
import type L from 'leaflet';
import { untrack } from 'svelte';
import { mountBaseMap } from './basemap.js';

export interface BaseMapDrawing {
  /** Once per map, before the first drawing: legends, listeners. */
  setup?: (map: L.Map) => void;
  /** Draws the markers into the (cleared) layer; it runs again when the state it reads changes. */
  draw: (layer: L.LayerGroup, map: L.Map) => void;
}

export class BaseMapView {
  /** The map's element (bind:this). */
  element = $state<HTMLElement | undefined>();
  /** The map while its element is mounted. */
  map = $state.raw<L.Map | null>(null);
  private layer: L.LayerGroup | null = null;

  constructor(drawing: BaseMapDrawing) {
    $effect(() => {
      const element = this.element;
      if (!element) return;
      const mounted = mountBaseMap(element);
      this.layer = mounted.layer;
      untrack(() => drawing.setup?.(mounted.map));
      this.map = mounted.map;
      return () => {
        mounted.destroy();
        this.layer = null;
        this.map = null;
      };
    });

    $effect(() => {
      const map = this.map;
      const layer = this.layer;
      if (!map || !layer) return;
      layer.clearLayers();
      drawing.draw(layer, map);
    });
  }
}
