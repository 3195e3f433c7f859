import assert from "node:assert/strict";
import { checksSentence, runCounts } from "./run_counts.ts";

const summary = {
  findings: { failing: 40, muted: 5, by_severity: {}, by_delta: {}, not_evaluated: 0 },
  checks: {
    total: 355,
    by_status: { PASS: 180, FAIL: 163, NOT_EVALUATED: 12 },
    by_effective: { PASS: 182, FAIL: 158, NOT_EVALUATED: 12, MUTED: 3 },
    failing_by_severity: {},
  },
};

Deno.test("runCounts() counts every check that ran once, scored or not", () => {
  const counts = runCounts({ checks_total: 355, summary });
  assert.equal(counts.ran, 355);
  assert.equal(counts.passed + counts.failed + counts.notEvaluated + counts.muted, counts.ran);
  // The headline used to say "182 of 340 checks" next to "355 checks in this run".
  assert.equal(counts.scored, 340);
  assert.deepEqual([counts.failingFindings, counts.mutedFindings], [40, 5]);
});

Deno.test("checksSentence() says how many ran and how each ended, leaving out zeros", () => {
  assert.equal(
    checksSentence(runCounts({ checks_total: 355, summary })),
    "355 checks ran: 182 pass, 158 fail, 12 not evaluated, 3 muted",
  );
  const clean = {
    ...summary,
    checks: { ...summary.checks, total: 1, by_effective: { PASS: 1 } },
  };
  assert.equal(
    checksSentence(runCounts({ checks_total: 1, summary: clean })),
    "1 check ran: 1 pass, 0 fail",
  );
});

Deno.test("checksSentence() names a verdict it does not know yet, so counts still add up", () => {
  const more = {
    ...summary,
    checks: { ...summary.checks, total: 4, by_effective: { PASS: 2, FAIL: 1, SKIPPED: 1 } },
  };
  assert.equal(
    checksSentence(runCounts({ checks_total: 4, summary: more })),
    "4 checks ran: 2 pass, 1 fail, 1 skipped",
  );
});
