import assert from "node:assert/strict";
import { PERMISSIONS_DOC_MARKERS, tableContent } from "../shared/permissions/mod.ts";
import { currentTable } from "./permissions_doc.ts";

Deno.test("docs/architecture.md's permission table is up to date (run `deno task docs:permissions` when this fails)", async () => {
  const doc = await Deno.readTextFile(new URL("../docs/architecture.md", import.meta.url));
  const start = doc.indexOf(PERMISSIONS_DOC_MARKERS.start) + PERMISSIONS_DOC_MARKERS.start.length;
  const end = doc.indexOf(PERMISSIONS_DOC_MARKERS.end);
  assert.equal(tableContent(doc.slice(start, end)), tableContent(await currentTable()));
});
