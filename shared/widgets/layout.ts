/**
 * A dashboard's layout: tiles on a 12-column grid, validated for bounds and
 * overlaps (no auto-packing: what is saved is what is shown).
 *
 * @module
 */

import { z } from "zod";

import {
  GRID_COLUMNS,
  GRID_ROWS,
  MAX_TILE_HEIGHT,
  MAX_TILES,
  overlaps,
  readingOrder,
  type Tile,
} from "./grid.ts";

export { GRID_COLUMNS, GRID_ROWS, MAX_TILE_HEIGHT, MAX_TILES, overlaps, readingOrder };
export type { Tile };

/** One tile: a widget at column x, row y, w columns wide and h rows high. */
export const tileSchema = z.object({
  widget_id: z.uuid(),
  x: z.number().int().min(0).max(GRID_COLUMNS - 1),
  y: z.number().int().min(0).max(GRID_ROWS - 1),
  w: z.number().int().min(1).max(GRID_COLUMNS),
  h: z.number().int().min(1).max(MAX_TILE_HEIGHT),
}).strict();

/** A layout: at most 40 tiles, inside the grid, none overlapping, each widget once. */
export const layoutSchema = z.array(tileSchema).max(MAX_TILES).superRefine((tiles, ctx) => {
  const seen = new Set<string>();
  tiles.forEach((t, i) => {
    if (t.x + t.w > GRID_COLUMNS) {
      ctx.addIssue({
        code: "custom",
        path: [i, "w"],
        message: `The tile reaches past the grid's ${GRID_COLUMNS} columns`,
      });
    }
    if (t.y + t.h > GRID_ROWS) {
      ctx.addIssue({
        code: "custom",
        path: [i, "h"],
        message: `The tile reaches past row ${GRID_ROWS}`,
      });
    }
    if (seen.has(t.widget_id)) {
      ctx.addIssue({
        code: "custom",
        path: [i, "widget_id"],
        message: "A widget appears once on a dashboard",
      });
    }
    seen.add(t.widget_id);
    const hit = tiles.findIndex((o, j) => j < i && overlaps(o, t));
    if (hit >= 0) {
      ctx.addIssue({ code: "custom", path: [i], message: `The tile overlaps tile ${hit}` });
    }
  });
});
