import assert from "node:assert/strict";
import { layoutSchema } from "../../../shared/widgets/layout.ts";
import { add, move, pack, remove, resize, type Tile } from "./layout_edit.ts";

const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const tile = (n: number, w: number, h = 2): Tile => ({ widget_id: id(n), x: 0, y: 0, w, h });
const at = (tiles: Tile[]) => tiles.map((t) => [Number(t.widget_id.at(-1)), t.x, t.y, t.w]);

Deno.test("packing fills rows left to right and starts a row below the tallest", () => {
  const packed = pack([tile(1, 4, 3), tile(2, 6), tile(3, 4)]);
  assert.deepEqual(at(packed), [[1, 0, 0, 4], [2, 4, 0, 6], [3, 0, 3, 4]]);
});

Deno.test("moves swap neighbours; resizing stays in the grid; every result is a valid layout", () => {
  let tiles = pack([tile(1, 4), tile(2, 4), tile(3, 4), tile(4, 12)]);
  tiles = move(tiles, id(1), "right");
  assert.deepEqual(at(tiles).slice(0, 2), [[2, 0, 0, 4], [1, 4, 0, 4]]);
  tiles = move(tiles, id(4), "up");
  assert.deepEqual(at(tiles)[0], [4, 0, 0, 12], "the full-width tile went to the top row");
  assert.deepEqual(move(tiles, id(4), "left"), tiles, "nothing left of the first tile");
  tiles = resize(tiles, id(2), "w", 20);
  assert.equal(tiles.find((t) => t.widget_id === id(2))!.w, 12);
  tiles = resize(tiles, id(3), "h", -5);
  assert.equal(tiles.find((t) => t.widget_id === id(3))!.h, 1);
  tiles = remove(add(add(tiles, id(5)), id(5)), id(1));
  assert.deepEqual(tiles.map((t) => t.widget_id).sort(), [id(2), id(3), id(4), id(5)]);
  assert.ok(layoutSchema.safeParse(tiles).success);
});
