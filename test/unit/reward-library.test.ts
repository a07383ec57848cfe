import { describe, expect, it } from 'vitest';
import { presetNames, presets } from '../../shared/reward/presets.js';
import type { PresetSpec, SavedSpec } from '../../shared/rpc/reward-methods.js';
import { labCurves, libraryEntries, startingSpecs } from '../../renderer/src/lib/reward-library.js';

const shipped: PresetSpec[] = presetNames.map((name) => ({ name, description: `${name} preset`, spec: presets[name] }));
const saved: SavedSpec[] = [
  { id: 7, name: 'my-tuned', spec: presets['geo-r-code'], error: null },
  { id: 8, name: 'broken', spec: null, error: 'components: at least one' },
];

describe('reward lab library', () => {
  it('lists presets then saved specs under keys the overlays and the trainer panel share', () => {
    const lib = libraryEntries(shipped, saved);
    expect(lib.map((e) => e.key)).toEqual([...presetNames.map((n) => `preset:${n}`), 'saved:7', 'saved:8']);
    expect(lib.at(-1)).toMatchObject({ name: 'broken', builtin: false, id: 8, spec: null, error: 'components: at least one' });
    expect(lib[0]).toMatchObject({ builtin: true, id: null, error: null, description: `${presetNames[0]} preset` });
  });

  it("edits Geo-R's paper reward as A and compares with its released code as B", () => {
    const { a, b } = startingSpecs(shipped);
    expect(a?.name).toBe('geo-r-paper');
    expect(b?.name).toBe('geo-r-code');
    // Without those presets: the first one as A, no B.
    const other = shipped.filter((p) => !p.name.startsWith('geo-r'));
    expect(startingSpecs(other)).toEqual({ a: other[0], b: null });
    expect(startingSpecs([])).toEqual({ a: null, b: null });
  });

  it('draws A solid with draggable knots, B and the overlays dashed, and skips specs with no distance curve', () => {
    const lib = libraryEntries(shipped, saved);
    const a = presets['geo-r-paper'];
    const curves = labCurves(a, { spec: presets['geo-r-code'], label: 'geo-r-code' }, ['saved:8', 'saved:7', 'preset:globe-lenient'], lib, 'knots');
    expect(curves.map((c) => [c.label, c.dashed])).toEqual([
      [`A: ${a.name}`, false],
      ['B: geo-r-code', true],
      ['my-tuned', true],
    ]);
    expect(curves[0]?.knots).toBeGreaterThan(0);
    expect(curves[1]?.knots).toBe(0);
    // Overlay colours follow the overlay's place in the list.
    expect(curves[2]?.color).toBe('#9333ea');
    expect(labCurves(presets['globe-lenient'], { spec: null, label: null }, [], lib, 'log')).toEqual([]);
  });
});
