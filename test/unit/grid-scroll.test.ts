import { describe, expect, it } from 'vitest';
import { firstRowAt, scrollRange, scrollTopForRow, scrollTopToShow, type GridMetrics } from '../../renderer/src/lib/grid-scroll.js';

const cellHeight = 206;
const maxScrollHeight = 8_000_000;
/** A viewport that holds 3.2 rows: a row at the bottom is often cut. */
const viewportHeight = 661;

function grid(photos: number, columns: number): GridMetrics {
  return { cellHeight, totalRows: Math.ceil(photos / columns), viewportHeight, maxScrollHeight };
}

/** What the browser allows: scrollTop between 0 and the range less the viewport. */
const clamp = (g: GridMetrics, top: number): number => Math.min(Math.max(0, top), scrollRange(g) - g.viewportHeight);

/** Whether all of `row` is in the viewport at this scrollTop. */
function fullyInView(g: GridMetrics, row: number, top: number): boolean {
  const first = firstRowAt(g, top);
  return row >= first - 1e-9 && row + 1 <= first + g.viewportHeight / g.cellHeight + 1e-9;
}

describe('virtual grid scrolling', () => {
  it('maps rows one to one below the height cap', () => {
    const g = grid(120_000, 4);
    expect(scrollRange(g)).toBe(30_000 * cellHeight);
    expect(scrollTopForRow(g, 1234)).toBe(1234 * cellHeight);
    expect(firstRowAt(g, 1234 * cellHeight)).toBe(1234);
  });

  it('scales past the cap and still reaches the last row (4.7M photos)', () => {
    const g = grid(4_700_000, 6);
    expect(scrollRange(g)).toBe(maxScrollHeight);
    const end = scrollRange(g) - viewportHeight;
    expect(firstRowAt(g, end) + viewportHeight / cellHeight).toBeCloseTo(g.totalRows, 6);
    expect(firstRowAt(g, scrollTopForRow(g, 400_000))).toBeCloseTo(400_000, 6);
  });

  it.each([
    ['below the cap', grid(120_000, 4)],
    ['past the cap', grid(4_700_000, 6)],
  ])('brings the last and the first row fully into view (%s)', (_name, g) => {
    const last = g.totalRows - 1;
    const down = scrollTopToShow(g, last, 0);
    expect(down).not.toBeNull();
    expect(fullyInView(g, last, clamp(g, down ?? 0))).toBe(true);
    const up = scrollTopToShow(g, 0, clamp(g, down ?? 0));
    expect(up).toBe(0);
  });

  it('does not scroll for a row already in view, and scrolls a row below only to the bottom edge', () => {
    const g = grid(120_000, 4);
    expect(scrollTopToShow(g, 1, 0)).toBeNull();
    // Row 3 ends at 824 px, below the 661 px viewport: scroll just enough.
    const to = scrollTopToShow(g, 3, 0);
    expect(to).toBe(4 * cellHeight - viewportHeight);
    expect(fullyInView(g, 3, to ?? 0)).toBe(true);
    expect(fullyInView(g, 0, to ?? 0)).toBe(false);
  });
});
