import { describe, expect, it } from 'vitest';
import { gridColumn, gridRow } from '../../electron/services/geo/grid-cell.js';

describe('grid cells', () => {
  it('counts cells from (-180, -90) and clamps to the grid', () => {
    expect(gridColumn(-180, 1, 360)).toBe(0);
    expect(gridColumn(-179.5, 1, 360)).toBe(0);
    expect(gridColumn(0, 1, 360)).toBe(180);
    expect(gridColumn(180, 1, 360)).toBe(359);
    expect(gridColumn(-200, 1, 360)).toBe(0);
    expect(gridRow(-90, 0.5, 360)).toBe(0);
    expect(gridRow(0.25, 0.5, 360)).toBe(180);
    expect(gridRow(90, 0.5, 360)).toBe(359);
    expect(gridRow(95, 0.5, 360)).toBe(359);
  });
});
