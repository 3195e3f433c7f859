// The required-field review, made executable: for every behavioural check and
// every field it declares, the field is removed from each record of the
// violating fixture (_evaluator_cases.ts) and the check is run again.
//
// - Absent is not empty: a missing field never adds a failing resource.
// - An evidence-only field (declared, or read by the statement only inside the
//   evidence it returns: _define.ts) never changes which resources fail, so its
//   absence on an instance does not block the verdict (availability.ts).
// - An optional table left out of the data never blocks the verdict.
import assert from "node:assert/strict";
import { CASES, type Fixture } from "./_evaluator_cases.ts";
import { createTestbed, sid } from "./_testbed.ts";
import { CHECKS } from "./catalog.ts";
import type { Check } from "./types.ts";

const bed = await createTestbed();
Deno.test.afterAll(() => bed.close());

async function failing(check: Check, fixture: Fixture, parameters?: Record<string, unknown>) {
  const instance = await bed.instance();
  await instance.touch(check.tables.filter((t) => !t.optional).map((t) => t.table));
  for (const [table, records] of Object.entries(fixture)) await instance.add(table, records);
  const outcome = await instance.outcome(check, { parameters });
  await instance.dispose();
  return {
    status: outcome.status,
    keys: outcome.evidence.map((r) => r.resource_key).sort(),
  };
}

function without(fixture: Fixture, table: string, field: string): Fixture {
  return {
    ...fixture,
    [table]: (fixture[table] ?? []).map((r) => {
      const { [field]: _, ...rest } = r;
      return rest;
    }),
  };
}

for (const [id, c] of Object.entries(CASES)) {
  const check = CHECKS.find((x) => x.id === id)!;
  const expected = c.failing.map((a) => (a.startsWith("=") ? a.slice(1) : sid(a))).sort();
  Deno.test(`${id}: an absent field never adds a failure, an evidence-only one changes nothing`, async () => {
    const problems: string[] = [];
    for (const req of check.tables) {
      if (!(c.fail[req.table]?.length)) continue;
      for (const field of req.fields) {
        const { keys } = await failing(check, without(c.fail, req.table, field), c.parameters);
        const added = keys.filter((k) => !expected.includes(k));
        const same = keys.length === expected.length && added.length === 0;
        const name = `${req.table}.${field}`;
        if (added.length > 0) problems.push(`${name}: its absence makes ${added.length} more fail`);
        else if (req.evidenceOnly?.includes(field) && !same) {
          problems.push(`${name}: declared evidence-only but it decides the verdict`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });
  const optional = check.tables.filter((t) => t.optional);
  if (optional.length === 0) continue;
  Deno.test(`${id}: an optional table left out never blocks the verdict`, async () => {
    for (const req of optional) {
      const { [req.table]: _, ...rest } = c.fail;
      const { status } = await failing(check, rest, c.parameters);
      assert.ok(status === "PASS" || status === "FAIL", `${req.table}: ${status}`);
    }
  });
}
