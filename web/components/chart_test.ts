import assert from "node:assert/strict";
import { labelBudget, shortenLabel } from "./chart.tsx";

Deno.test("a short label is drawn whole", () => {
  assert.equal(shortenLabel("SOC 2", labelBudget(300)), "SOC 2");
  assert.equal(shortenLabel("SOX IT General Controls", 23), "SOX IT General Controls");
});

Deno.test("a framework name too long for a narrow tile ends in an ellipsis, at a word when one is near", () => {
  // A 390 px phone draws the chart about 300 px wide: 18 characters of label.
  const budget = labelBudget(300);
  assert.equal(budget, 18);
  const shown = shortenLabel("NIST Cybersecurity Framework 2.0", budget);
  assert.equal(shown, "NIST Cybersecurit…");
  assert.ok(shown.length <= budget);
  assert.equal(shortenLabel("CIS Critical Security Controls v8.1", budget), "CIS Critical…");
  assert.equal(shortenLabel("ISO/IEC 27001:2022 Annex A", budget), "ISO/IEC 27001:202…");
});

Deno.test("a long label without a space nearby is cut mid-word", () => {
  assert.equal(shortenLabel("Supercalifragilistic", 10), "Supercali…");
});

Deno.test("a wide chart keeps more of a label; a tiny one still shows a few characters", () => {
  assert.equal(
    shortenLabel("NIST Cybersecurity Framework 2.0", labelBudget(800)),
    "NIST Cybersecurity Framework 2.0",
  );
  assert.equal(labelBudget(10), 8);
});
