import assert from "node:assert/strict";
import { allPages } from "./all_pages.ts";

Deno.test("allPages() follows next_cursor until the last page", async () => {
  const asked: (string | undefined)[] = [];
  const pages: Record<string, { data: number[]; next_cursor: string | null }> = {
    first: { data: [1, 2], next_cursor: "c1" },
    c1: { data: [3, 4], next_cursor: "c2" },
    c2: { data: [5], next_cursor: null },
  };
  const all = await allPages((cursor) => {
    asked.push(cursor);
    return Promise.resolve(pages[cursor ?? "first"]!);
  });
  assert.deepEqual(all, [1, 2, 3, 4, 5]);
  assert.deepEqual(asked, [undefined, "c1", "c2"]);
});
