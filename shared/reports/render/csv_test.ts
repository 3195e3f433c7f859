import assert from "node:assert/strict";
import { csvField, neutralizeFormula } from "./csv.ts";

Deno.test("every cell a spreadsheet would run as a formula is neutralised", () => {
  for (const bad of ["=1+2", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"]) {
    assert.equal(neutralizeFormula(bad), `'${bad}`);
  }
  for (const fine of ["admin", "1-2", "a=b", "", "'quoted"]) {
    assert.equal(neutralizeFormula(fine), fine);
  }
});

Deno.test("RFC 4180 quoting: commas, quotes and line breaks are quoted, quotes doubled", () => {
  assert.equal(csvField('say "hi", then\nleave'), '"say ""hi"", then\nleave"');
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField(null), "");
  assert.equal(csvField(12), "12");
  assert.equal(csvField(false), "false");
  assert.equal(csvField(new Date("2026-01-02T03:04:05Z")), "2026-01-02T03:04:05.000Z");
  assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvField("\rx"), `"'\rx"`);
});
