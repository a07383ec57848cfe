/**
 * Where a virtual grid's rows sit in its scroll range. Below a height cap a row is
 * `cellHeight` pixels of scrolling; above it (browsers cap an element's height at a
 * few tens of millions of pixels) the scroll range is mapped proportionally, so a
 * list of 4.7M photos scrolls, and reaches its last row, like a short one.
 */
export interface GridMetrics {
  cellHeight: number;
  totalRows: number;
  /** The viewport's inner height, px. */
  viewportHeight: number;
  maxScrollHeight: number;
}

/** The spacer's height: the content's own height, up to the cap. */
export function scrollRange(g: GridMetrics): number {
  return Math.min(g.totalRows * g.cellHeight, g.maxScrollHeight);
}

function scaled(g: GridMetrics): boolean {
  return g.totalRows * g.cellHeight > g.maxScrollHeight;
}

/** Rows of scrolling per pixel of scrollTop's range, as pixels per row. */
function pxPerRow(g: GridMetrics): number {
  if (!scaled(g)) return g.cellHeight;
  return (scrollRange(g) - g.viewportHeight) / Math.max(1, g.totalRows - g.viewportHeight / g.cellHeight);
}

/** The row at the top of the viewport, as a float (its fraction is scrolled past). */
export function firstRowAt(g: GridMetrics, scrollTop: number): number {
  return scrollTop / pxPerRow(g);
}

/** The scrollTop that puts `row` at the top (clamped at 0; the browser clamps the end). */
export function scrollTopForRow(g: GridMetrics, row: number): number {
  return Math.max(0, row * pxPerRow(g));
}

/**
 * The least scrolling that shows all of `row`: a row above comes in at the top, one
 * below at the bottom; null when it is in view already.
 */
export function scrollTopToShow(g: GridMetrics, row: number, scrollTop: number): number | null {
  const first = firstRowAt(g, scrollTop);
  const rowsInView = g.viewportHeight / g.cellHeight;
  if (row < first) return scrollTopForRow(g, row);
  if (row + 1 > first + rowsInView) return Math.ceil(scrollTopForRow(g, row + 1 - rowsInView));
  return null;
}
