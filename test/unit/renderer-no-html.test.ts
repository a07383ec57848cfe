/**
 * The renderer never hands strings to an HTML sink: Leaflet's bindTooltip/bindPopup
 * and divIcon's `html` write strings as innerHTML, and so do innerHTML/outerHTML/
 * insertAdjacentHTML and Svelte's {@html}. Text goes through textNode (textContent).
 * The end-to-end proof with a hostile name is in test/e2e/hostile-content.e2e.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '../../renderer/src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|svelte)$/.test(e.name) ? [p] : [];
  });
}

describe('no HTML sinks in the renderer', () => {
  const files = sources(root).map((file) => ({ file: path.relative(root, file), text: fs.readFileSync(file, 'utf8') }));

  it('finds the renderer sources', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(files.some((f) => f.text.includes('bindTooltip('))).toBe(true);
  });

  it('gives Leaflet tooltips, popups and div icons DOM nodes, never strings', () => {
    const bad: string[] = [];
    for (const { file, text } of files) {
      for (const m of text.matchAll(/\.(bindTooltip|bindPopup|setTooltipContent|setPopupContent|setContent)\(\s*([^\n]{0,40})/g)) {
        const arg = (m[2] ?? '').trim();
        if (!/^(\(\)\s*=>\s*)?textNode\(/.test(arg)) bad.push(`${file}: ${m[0]}`);
      }
      for (const m of text.matchAll(/\bhtml:\s*([^,}]*)/g)) if (!(m[1] ?? '').trim().startsWith('textNode(')) bad.push(`${file}: ${m[0]}`);
    }
    expect(bad).toEqual([]);
  });

  it('uses no innerHTML, outerHTML, insertAdjacentHTML or {@html}', () => {
    const bad = files.filter((f) => /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML\(|\{@html\s/.test(f.text)).map((f) => f.file);
    expect(bad).toEqual([]);
  });
});
