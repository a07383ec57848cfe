/**
 * Cells of a regular longitude/latitude grid that starts at (-180, -90), as the city
 * and polygon indexes lay theirs out.
 */

/** The column of the cell holding `lon`, clamped to 0..width-1. */
export function gridColumn(lon: number, cellDeg: number, width: number): number {
  return clampedCell((lon + 180) / cellDeg, width);
}

/** The row of the cell holding `lat`, clamped to 0..height-1. */
export function gridRow(lat: number, cellDeg: number, height: number): number {
  return clampedCell((lat + 90) / cellDeg, height);
}

function clampedCell(position: number, count: number): number {
  const i = Math.floor(position);
  return i < 0 ? 0 : i >= count ? count - 1 : i;
}
