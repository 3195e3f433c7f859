// Every behavioural check on two fixtures (_evaluator_cases.ts): a compliant one
// (the check PASSes) and one with violations added (the check FAILs on exactly
// the violating resources).
import assert from "node:assert/strict";
import { CASES, type Fixture } from "./_evaluator_cases.ts";
import { createTestbed, sid } from "./_testbed.ts";
import { CHECKS } from "./catalog.ts";

const bed = await createTestbed();
Deno.test.afterAll(() => bed.close());

Deno.test("every behavioural check has a fixture case", () => {
  const behavioural = CHECKS.filter((c) => c.family === "behavioural").map((c) => c.id).sort();
  assert.deepEqual(Object.keys(CASES).sort(), behavioural);
});

for (const [id, c] of Object.entries(CASES)) {
  const check = CHECKS.find((x) => x.id === id);
  Deno.test(`${id} passes on compliant data and fails on exactly the violating resources`, async (t) => {
    assert.ok(check, `no check ${id}`);
    const load = async (fixture: Fixture) => {
      const instance = await bed.instance();
      await instance.touch(check.tables.map((x) => x.table));
      for (const [table, records] of Object.entries(fixture)) await instance.add(table, records);
      return instance;
    };
    await t.step("PASS", async () => {
      const instance = await load(c.pass);
      const outcome = await instance.outcome(check, { parameters: c.parameters });
      assert.equal(outcome.status, "PASS", JSON.stringify(outcome.evidence));
      assert.equal(outcome.failed, 0);
      await instance.dispose();
    });
    await t.step("FAIL", async () => {
      const instance = await load(c.fail);
      const outcome = await instance.outcome(check, { parameters: c.parameters });
      assert.equal(outcome.status, "FAIL");
      const expected = c.failing.map((a) => (a.startsWith("=") ? a.slice(1) : sid(a))).sort();
      assert.deepEqual(outcome.evidence.map((r) => r.resource_key).sort(), expected);
      await instance.dispose();
    });
  });
}
