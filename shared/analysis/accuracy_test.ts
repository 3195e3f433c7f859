// Accuracy of the whole path: the simulator's planted instance is synced with
// the production sync engine and Table API client, the full catalog runs
// through the analysis engine (task runner, recording SQL), and the run's
// findings are compared with the simulator's ground-truth manifest for every
// §5 control: precision = recall = 1.0 on (table, sys_id) for record
// violations and on the property name for property findings the manifest
// judges. Hardening settings must get the manifest's verdict (or NOT_EVALUATED
// when a table they need does not exist on the simulated instance).
import assert from "node:assert/strict";
import { createSnowSimulator } from "../../scripts/snow_sim/mod.ts";
import { simulatorFetch } from "../../scripts/testing/mod.ts";
import { HARDENING_SETTINGS as SIM_SETTINGS } from "../servicenow/hardening/catalog.ts";
import { loadConfig } from "../env/mod.ts";
import { configureInstanceRuntime, generateKey, startSync } from "../instances/mod.ts";
import { CHECKS, CONTROL_IDS } from "./catalog/mod.ts";
import { createAnalysisTestbed } from "./_testbed.ts";

const bed = await createAnalysisTestbed();
Deno.test.afterAll(() => bed.close());
const sql = bed.tdb.db.sql;

const START = new Date("2026-06-01T00:00:00Z");
const sim = createSnowSimulator({
  instances: [{ name: "acme", users: 240, changes: 160, incidents: 160, seed: 7 }],
  startTime: START,
});
const runtime = await configureInstanceRuntime({
  config: loadConfig({
    CREDENTIALS_KEYS: `accuracy:${generateKey()}`,
    ALLOW_PRIVATE_INSTANCE_URLS: "true",
    SYNC_PAGE_SIZE: "500",
  }),
  fetch: simulatorFetch(sim),
  client: {
    sleep: () => Promise.resolve(),
    requestsPerSecond: 100_000,
  },
  // The sync measures log-table windows on the simulated instance's clock, as
  // the run below measures its rules from the manifest's time.
  now: () => sim.clock.now(),
});

/** Property names the manifest judges (its hardening catalog and the audit properties of A12/L2). */
const JUDGED_PROPERTIES = new Set([
  ...SIM_SETTINGS.map((s) => s.name),
  "glide.ui.audit_deleted_tables",
  "glide.db.audit.ignore.delete",
  "glide.sys.audit_inserts",
  "glide.db.audit.lazy",
]);

async function syncedInstance(): Promise<string> {
  const id = crypto.randomUUID();
  const credentials = {
    type: "basic" as const,
    username: "complianceiq.integration",
    password: "integration-password",
  };
  const envelope = await runtime.keyring.seal(credentials, { orgId: bed.orgId, instanceId: id });
  await sql`
    insert into public.instances (id, org_id, name, url, auth_type, credentials)
    values (${id}, ${bed.orgId}, 'Acme (simulated)', 'http://sim.invalid/acme', 'basic',
            ${sql.json(envelope as never)})`;
  await startSync(bed.services, bed.claims, id, "full");
  await bed.services.tasks.drain({ maxDeliveries: 20_000 });
  const [run] = await sql`select status, error from public.sync_runs where instance_id = ${id}`;
  assert.equal(run?.status, "succeeded", `sync: ${run?.status} ${run?.error}`);
  return id;
}

const instanceId = await syncedInstance();
const manifest = sim.manifest("acme");
const runId = await bed.run(instanceId, { type: "all" }, {
  evaluatedAt: new Date(`${manifest.asOf.replace(" ", "T")}Z`),
});

const failing = await sql<
  { check_id: string; table_name: string; sys_id: string | null; resource_key: string }[]
>`
  select fr.check_id, f.table_name, f.sys_id, f.resource_key
  from public.analysis_finding_results fr join public.analysis_findings f on f.id = fr.finding_id
  where fr.run_id = ${runId} and fr.status = 'FAIL'`;
const verdicts = new Map(
  (await sql<{ check_id: string; status: string; reason: string | null }[]>`
    select check_id, status, reason from public.analysis_check_results where run_id = ${runId}`)
    .map((r) => [r.check_id, r]),
);

function findingKey(
  row: { table_name: string; sys_id: string | null; resource_key: string },
): string | null {
  if (row.table_name === "sys_properties" || row.table_name === "v_plugin") {
    return JUDGED_PROPERTIES.has(row.resource_key) ? `property:${row.resource_key}` : null;
  }
  return `${row.table_name}:${row.sys_id}`;
}

Deno.test("the analysis run of the synced simulator instance succeeded over the whole catalog", async () => {
  const [run] =
    await sql`select status, checks_total, checks_done from public.analysis_runs where id = ${runId}`;
  assert.equal(run?.status, "succeeded");
  assert.equal(run?.checks_total, CHECKS.length);
  assert.equal(verdicts.size, CHECKS.length);
});

for (const control of CONTROL_IDS) {
  Deno.test(`control ${control}: the run finds every planted violation and nothing else`, () => {
    const expected = new Set([
      ...manifest.controls[control].violations.map((v) => `${v.table}:${v.sysId}`),
      ...manifest.controls[control].properties.map((p) => `property:${p.name}`),
    ]);
    assert.ok(expected.size > 0, "the simulator planted nothing for this control");
    const checks = new Set(CHECKS.filter((c) => c.controls.includes(control)).map((c) => c.id));
    const notEvaluated = [...checks].filter((id) => verdicts.get(id)?.status === "NOT_EVALUATED")
      .map((id) => `${id}: ${verdicts.get(id)?.reason}`);
    const actual = new Set(
      failing.filter((f) => checks.has(f.check_id)).map(findingKey).filter((k): k is string =>
        k !== null
      ),
    );
    const missed = [...expected].filter((k) => !actual.has(k)).sort();
    const extra = [...actual].filter((k) => !expected.has(k)).sort();
    const precision = actual.size === 0 ? 1 : (actual.size - extra.length) / actual.size;
    const recall = (expected.size - missed.length) / expected.size;
    assert.deepEqual(
      { precision, recall, missed, extra },
      { precision: 1, recall: 1, missed: [], extra: [] },
      `not evaluated: ${notEvaluated.join("; ") || "none"}`,
    );
  });
}

Deno.test("every simulator hardening setting gets the manifest's verdict, never a false PASS", () => {
  const byKey = new Map(CHECKS.filter((c) => c.hardening).map((c) => [c.hardening!.key, c]));
  const disagreements = manifest.hardening.flatMap((h) => {
    const check = byKey.get(h.name);
    const verdict = check ? verdicts.get(check.id) : undefined;
    const actual = verdict?.status ?? "missing";
    const expected = h.compliant ? "PASS" : "FAIL";
    // Settings with items on tables the simulator lacks cannot be proven compliant.
    const partial = actual === "NOT_EVALUATED" && expected === "PASS" &&
      /has not been synced yet|not readable/.test(verdict?.reason ?? "");
    return actual === expected || partial
      ? []
      : [{ name: h.name, expected, actual, reason: verdict?.reason }];
  });
  assert.deepEqual(disagreements, []);
});
