// Loads a planted simulator dataset into snow_records, runs every check, and
// compares each control test's (docs/servicenow/controls.md) failures with the simulator's ground-truth manifest
// (precision = recall = 1.0), on (table, sys_id) for record violations and on the
// property name for property findings the manifest judges.
import assert from "node:assert/strict";
import { generateDataset } from "../../../scripts/snow_sim/generate.ts";
import { computeManifest } from "../../../scripts/snow_sim/manifest.ts";
import { HARDENING_SETTINGS as SIM_SETTINGS } from "../../servicenow/hardening/catalog.ts";
import { createTestbed } from "./_testbed.ts";
import { CHECKS, requiredFields } from "./catalog.ts";
import { CONTROL_IDS, type EvaluatorRow } from "./types.ts";

const bed = await createTestbed();
Deno.test.afterAll(() => bed.close());

const NOW = new Date("2026-06-01T00:00:00Z");

/** Property names the manifest judges (its hardening catalog and the audit properties of A12/L2). */
const JUDGED_PROPERTIES = new Set([
  ...SIM_SETTINGS.map((s) => s.name),
  "glide.ui.audit_deleted_tables",
  "glide.db.audit.ignore.delete",
  "glide.sys.audit_inserts",
  "glide.db.audit.lazy",
]);

async function loadSimulatedInstance(plant: boolean) {
  const { dataset } = generateDataset({
    instance: "acme",
    seed: 7,
    users: 240,
    changes: 160,
    incidents: 160,
    now: NOW,
    plant,
    integrationUserName: "complianceiq.integration",
    integrationRoles: ["snc_read_only", "x_ciq_auditor"],
    oauthClient: {
      clientId: "complianceiq-connector",
      name: "ComplianceIQ connector",
      accessTokenLifespan: 1800,
      refreshTokenLifespan: 8_640_000,
    },
  });
  const instance = await bed.instance();
  const sql = bed.tdb.db.sql;
  for (const table of Object.keys(requiredFields(CHECKS))) {
    if (!dataset.tables.has(table)) continue; // not on this instance: the sync records it unreadable
    const store = dataset.table(table);
    const columns = store.schema.columns.map((c) => c.name);
    const records = store.rows.map((row) =>
      Object.fromEntries(columns.map((c, i) => [c, row[i] ?? ""]))
    );
    for (let i = 0; i < records.length; i += 2000) {
      await sql`
        insert into public.snow_records (org_id, instance_id, table_name, sys_id, sys_updated_on, data)
        select ${bed.orgId}, ${instance.id}, ${table}, r ->> 'sys_id', public.sn_datetime(r ->> 'sys_updated_on'), r
        from jsonb_array_elements(${sql.json(records.slice(i, i + 2000))}) as r`;
    }
    await instance.setReadable(table, true);
  }
  return {
    dataset,
    manifest: computeManifest(dataset, "acme"),
    rows: await instance.evaluate(CHECKS, { now: NOW }),
  };
}

const planted = await loadSimulatedInstance(true);
const clean = await loadSimulatedInstance(false);

function findingKey(row: EvaluatorRow): string | null {
  if (row.table_name === "sys_properties" || row.table_name === "v_plugin") {
    return JUDGED_PROPERTIES.has(row.resource_key) ? `property:${row.resource_key}` : null;
  }
  return `${row.table_name}:${row.sys_id}`;
}

function compare(run: typeof planted, control: typeof CONTROL_IDS[number]) {
  const expected = new Set([
    ...run.manifest.controls[control].violations.map((v) => `${v.table}:${v.sysId}`),
    ...run.manifest.controls[control].properties.map((p) => `property:${p.name}`),
  ]);
  const actual = new Set<string>();
  for (const check of CHECKS.filter((c) => c.controls.includes(control))) {
    for (const row of run.rows.get(check.id) ?? []) {
      const key = row.status === "FAIL" ? findingKey(row) : null;
      if (key) actual.add(key);
    }
  }
  const missed = [...expected].filter((k) => !actual.has(k)).sort();
  const extra = [...actual].filter((k) => !expected.has(k)).sort();
  assert.deepEqual({ missed, extra }, { missed: [], extra: [] });
  return expected.size;
}

for (const control of CONTROL_IDS) {
  Deno.test(`control ${control} finds exactly the violations planted in the simulator`, () => {
    assert.ok(compare(planted, control) > 0, "the simulator planted nothing for this control");
  });
}

Deno.test("no control check fails on the simulator's clean baseline", () => {
  for (const control of CONTROL_IDS) assert.equal(compare(clean, control), 0, control);
});

Deno.test("the simulator serves every table the catalog reads", () => {
  const tables = new Set(CHECKS.flatMap((c) => c.tables.map((t) => t.table)));
  assert.deepEqual([...tables].filter((t) => !clean.dataset.tables.has(t)), []);
});

Deno.test("every simulator hardening setting gets the simulator's verdict", () => {
  const hardening = CHECKS.filter((c) => c.hardening);
  const byKey = new Map(hardening.map((c) => [c.hardening!.key, c]));
  const disagreements = [planted, clean].flatMap(({ manifest, rows }) =>
    manifest.hardening.flatMap((h) => {
      const check = byKey.get(h.name);
      const actual = check ? rows.get(check.id)?.[0]?.status ?? "NOT_EVALUATED" : "missing";
      const expected = h.compliant ? "PASS" : "FAIL";
      return actual === expected ? [] : [{ name: h.name, expected, actual }];
    })
  );
  assert.deepEqual(disagreements, []);
});
