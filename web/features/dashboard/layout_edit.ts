/**
 * Editing a dashboard's layout with buttons (keyboard first): tiles keep an
 * order and a size; positions follow by packing them in rows on the 12-column
 * grid, so every edit gives a valid layout (inside the grid, no overlaps).
 *
 * @module
 */
import {
  GRID_COLUMNS,
  MAX_TILE_HEIGHT,
  readingOrder,
  type Tile,
} from "../../../shared/widgets/grid.ts";

export { GRID_COLUMNS, MAX_TILE_HEIGHT, readingOrder };
export type { Tile };

/** Places tiles in order, left to right, a new row when one does not fit. */
export function pack(tiles: readonly Tile[]): Tile[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return tiles.map((t) => {
    const w = Math.min(Math.max(t.w, 1), GRID_COLUMNS);
    if (x + w > GRID_COLUMNS) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    const placed = { ...t, w, x, y };
    x += w;
    rowHeight = Math.max(rowHeight, t.h);
    return placed;
  });
}

/** Directions a tile moves in. */
export type Direction = "left" | "right" | "up" | "down";

/**
 * Moves a tile: left and right swap it with its neighbour in reading order;
 * up and down with the tile above or below it (the nearest by column).
 * Unchanged when there is nowhere to go.
 */
export function move(tiles: readonly Tile[], widgetId: string, to: Direction): Tile[] {
  const order = readingOrder(tiles);
  const i = order.findIndex((t) => t.widget_id === widgetId);
  if (i < 0) return [...order];
  const me = order[i]!;
  let j = -1;
  if (to === "left") j = i - 1;
  else if (to === "right") j = i + 1 < order.length ? i + 1 : -1;
  else {
    const rows = [...new Set(order.map((t) => t.y))].sort((a, b) => a - b);
    const row = rows[rows.indexOf(me.y) + (to === "up" ? -1 : 1)];
    if (row !== undefined) {
      const candidates = order.map((t, k) => ({ t, k })).filter(({ t }) => t.y === row);
      candidates.sort((a, b) => Math.abs(a.t.x - me.x) - Math.abs(b.t.x - me.x));
      j = candidates[0]?.k ?? -1;
    }
  }
  if (j < 0) return [...order];
  const next = [...order];
  [next[i], next[j]] = [next[j]!, next[i]!];
  return pack(next);
}

/** Changes a tile's width or height by `delta` (within the grid), repacking. */
export function resize(
  tiles: readonly Tile[],
  widgetId: string,
  dim: "w" | "h",
  delta: number,
): Tile[] {
  const max = dim === "w" ? GRID_COLUMNS : MAX_TILE_HEIGHT;
  return pack(
    readingOrder(tiles).map((t) =>
      t.widget_id === widgetId ? { ...t, [dim]: Math.min(Math.max(t[dim] + delta, 1), max) } : t
    ),
  );
}

/** Adds a widget at the end (a third of a row wide, 3 rows high). */
export function add(tiles: readonly Tile[], widgetId: string): Tile[] {
  if (tiles.some((t) => t.widget_id === widgetId)) return [...tiles];
  return pack([...readingOrder(tiles), { widget_id: widgetId, x: 0, y: 0, w: 4, h: 3 }]);
}

/** Removes a tile, repacking the rest. */
export function remove(tiles: readonly Tile[], widgetId: string): Tile[] {
  return pack(readingOrder(tiles).filter((t) => t.widget_id !== widgetId));
}
