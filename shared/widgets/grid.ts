/**
 * The dashboard grid's dimensions and tile shape, without zod (the web app
 * imports it).
 *
 * @module
 */

/** Columns of the grid. */
export const GRID_COLUMNS = 12;
/** Rows a layout may reach. */
export const GRID_ROWS = 200;
/** Tiles on one dashboard. */
export const MAX_TILES = 40;
/** Tallest tile, in rows. */
export const MAX_TILE_HEIGHT = 12;

/** One tile: a widget at column x, row y, w columns wide and h rows high. */
export interface Tile {
  widget_id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Whether two tiles share a cell. */
export function overlaps(a: Tile, b: Tile): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Tiles in reading order: by row, then column (the one-column phone order). */
export function readingOrder<T extends Tile>(tiles: readonly T[]): T[] {
  return tiles.toSorted((a, b) => a.y - b.y || a.x - b.x);
}
