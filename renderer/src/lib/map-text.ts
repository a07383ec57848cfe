/**
 * Text for Leaflet, never HTML: Leaflet writes a string given to bindTooltip, bindPopup
 * or a divIcon as innerHTML, so a place name such as `<img src=x onerror=…>` would run.
 * These build DOM nodes whose text is set with textContent instead.
 */
import L from 'leaflet';

/** An element holding `text` as text (for bindTooltip / bindPopup / divIcon html). */
export function textNode(text: string, className?: string): HTMLElement {
  const span = document.createElement('span');
  if (className) span.className = className;
  span.textContent = text;
  return span;
}

/** A legend control: one row per entry, a coloured swatch and its text. */
export function legendControl(entries: readonly { color: string; text: string }[], position: L.ControlPosition = 'bottomleft'): L.Control {
  const control = new L.Control({ position });
  control.onAdd = () => {
    const box = document.createElement('div');
    box.className = 'map-legend';
    box.setAttribute('role', 'note');
    box.setAttribute('aria-label', 'Map legend');
    // Styled here (CSSOM, allowed by the CSP) so every map carries it the same way.
    Object.assign(box.style, {
      background: 'rgba(255, 255, 255, 0.92)',
      border: '1px solid #cbd5e1',
      borderRadius: '6px',
      padding: '4px 8px',
      font: '12px/1.5 system-ui, sans-serif',
      color: '#0f172a',
    });
    for (const e of entries) {
      const row = document.createElement('div');
      const swatch = document.createElement('i');
      Object.assign(swatch.style, {
        display: 'inline-block',
        width: '10px',
        height: '10px',
        borderRadius: '50%',
        marginRight: '6px',
        verticalAlign: '-1px',
        background: e.color,
        border: '1.5px solid #fff',
        boxShadow: '0 0 0 1px #94a3b8',
      });
      row.append(swatch, textNode(e.text));
      box.append(row);
    }
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  return control;
}
