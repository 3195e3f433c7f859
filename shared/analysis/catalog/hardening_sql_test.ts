// The one hardening statement agrees with the TypeScript reference on generated
// instances (random property values, plugins, records and unreadable tables).
import assert from "node:assert/strict";
import fc from "fast-check";
import { createTestbed, type SnowRecord } from "./_testbed.ts";
import { CHECKS } from "./catalog.ts";
import {
  evaluateHardeningSetting,
  HARDENING_SETTINGS,
  type HardeningSnapshot,
} from "./hardening.ts";

const bed = await createTestbed();
Deno.test.afterAll(() => bed.close());

const HARDENING_CHECKS = CHECKS.filter((c) => c.hardening !== null);
const items = HARDENING_SETTINGS.flatMap((s) => s.items);
const propertyNames = [...new Set(items.flatMap((i) => (i.kind === "property" ? [i.name] : [])))];
const pluginIds = [...new Set(items.flatMap((i) => (i.kind === "plugin" ? [i.id] : [])))];
const recordRefs = items.flatMap((i) =>
  i.kind === "record"
    ? [{ table: i.table, sysId: i.sysId }]
    : i.kind === "script_action"
    ? i.anyOf.map((sysId) => ({ table: "sysevent_script_action", sysId }))
    : []
);
const countedTables = [
  ...new Set(items.flatMap((i) => (i.kind === "record_count" ? [i.table] : []))),
];
const TABLES = [
  ...new Set(["sys_properties", "v_plugin", ...recordRefs.map((r) => r.table), ...countedTables]),
];

/** Values that hit the rules' edges: booleans, bounds, lists, blanks, junk. */
const VALUES = [
  "true",
  "false",
  "TRUE",
  " true ",
  "",
  "  ",
  "0",
  "1",
  "5",
  "7",
  "8",
  "15",
  "59",
  "60",
  "61",
  "720",
  "721",
  "1024",
  "1440",
  "3000",
  "86400",
  "-1",
  "1e3",
  "abc",
  "deny",
  "allow",
  "enforce",
  "log_only",
  "DENY",
  "background_script_admin",
  "com.glide.sys.security.ContextualSecurityManager",
  "admin,evt_mgmt_admin",
  "admin,other",
  "text/html,image/svg,image/svg+xml,application/xml",
  "text/html",
  "c60ad24b732220103a5b0dd43cf6a7db",
];

interface World {
  properties: Record<string, string>;
  pattern: string[];
  plugins: Record<string, "active" | "inactive">;
  records: Record<string, boolean>;
  counts: Record<string, number>;
  unreadable: string[];
}

const worldArb: fc.Arbitrary<World> = fc.record({
  properties: fc.dictionary(fc.constantFrom(...propertyNames), fc.constantFrom(...VALUES), {
    maxKeys: 120,
  }),
  pattern: fc.array(fc.constantFrom("true", "false", " true"), { maxLength: 3 }),
  plugins: fc.dictionary(
    fc.constantFrom(...pluginIds),
    fc.constantFrom("active" as const, "inactive" as const),
  ),
  records: fc.dictionary(
    fc.constantFrom(...recordRefs.map((r) => `${r.table}:${r.sysId}`)),
    fc.boolean(),
  ),
  counts: fc.dictionary(
    fc.constantFrom(...countedTables.filter((t) => t !== "blacklisted_password")),
    fc.integer({ min: 0, max: 2 }),
  ),
  unreadable: fc.subarray(TABLES, { maxLength: 3 }),
});

function snapshotOf(world: World): HardeningSnapshot {
  const records = new Map<string, Map<string, { active: string }>>();
  const put = (table: string, sysId: string, active: string) => {
    const t = records.get(table) ?? new Map();
    t.set(sysId, { active });
    records.set(table, t);
  };
  for (const [ref, active] of Object.entries(world.records)) {
    const [table, sysId] = ref.split(":") as [string, string];
    put(table, sysId, String(active));
  }
  for (const [table, n] of Object.entries(world.counts)) {
    for (let i = 0; i < n; i++) {
      put(table, `${table}${i}`.padEnd(32, "0").slice(0, 32), i === 0 ? "true" : "false");
    }
  }
  const properties = new Map(
    Object.entries(world.properties).map(([name, value]) => [name, { sysId: `p:${name}`, value }]),
  );
  world.pattern.forEach((value, i) =>
    properties.set(`glide.enforce_security_scope.x_${i}`, { sysId: `pat${i}`, value })
  );
  return {
    readableTables: new Set(TABLES.filter((t) => !world.unreadable.includes(t))),
    properties,
    plugins: new Map(
      Object.entries(world.plugins).map(([id, active]) => [id, { sysId: `plugin:${id}`, active }]),
    ),
    records,
  };
}

async function load(world: World) {
  const instance = await bed.instance();
  const snap = snapshotOf(world);
  const props: SnowRecord[] = [...snap.properties].map(([name, r]) => ({
    sys_id: r.sysId.replace(/[^0-9a-zA-Z_.-]/g, "_").slice(0, 64),
    name,
    value: r.value,
  }));
  await instance.add("sys_properties", props);
  await instance.add(
    "v_plugin",
    [...snap.plugins].map(([id, r]) => ({
      sys_id: r.sysId.replace(/[^0-9a-zA-Z_.-]/g, "_"),
      id,
      active: r.active,
    })),
  );
  for (const [table, rows] of snap.records) {
    await instance.add(table, [...rows].map(([sysId, r]) => ({ sys_id: sysId, active: r.active })));
  }
  for (const t of TABLES) await instance.setReadable(t, !world.unreadable.includes(t));
  return { instance, snap };
}

Deno.test("the hardening statement gives the same verdict as the TypeScript reference on generated instances", async () => {
  await fc.assert(
    fc.asyncProperty(worldArb, async (world) => {
      const { instance, snap } = await load(world);
      const rows = await instance.evaluate(HARDENING_CHECKS);
      for (const check of HARDENING_CHECKS) {
        const expected = evaluateHardeningSetting(check.hardening!, snap).status;
        const manual = check.hardening!.items.some((i) => i.kind === "manual");
        const row = rows.get(check.id)?.[0];
        const got = row?.status === "PASS" || row?.status === "FAIL" ? row.status : null;
        assert.equal(got, manual ? null : expected, `${check.id} on ${JSON.stringify(world)}`);
        if (!manual && expected === null) {
          const reason = evaluateHardeningSetting(check.hardening!, snap).reason;
          assert.equal(row?.evidence.reason ?? null, reason, `${check.id}: reason`);
        }
      }
      await instance.dispose();
    }),
    { numRuns: 12, seed: 20261122 },
  );
});

Deno.test("the hardening statement reports each item's evidence", async () => {
  const instance = await bed.instance();
  await instance.add("sys_properties", [{
    sys_id: "p1",
    name: "glide.ui.session_timeout",
    value: "180",
  }]);
  await instance.touch(["v_plugin"]);
  const timeout = HARDENING_CHECKS.find((c) => c.hardening!.key === "glide.ui.session_timeout")!;
  const csv = HARDENING_CHECKS.find((c) => c.hardening!.key === "glide.basicauth.required.csv")!;
  const plugin = HARDENING_CHECKS.find((c) => c.hardening!.key === "com.glide.high_security")!;
  const rows = await instance.evaluate([timeout, csv, plugin]);
  assert.deepEqual(rows.get(timeout.id), [{
    resource_key: "glide.ui.session_timeout",
    table_name: "sys_properties",
    sys_id: "p1",
    status: "FAIL",
    evidence: {
      items: [{
        kind: "property",
        name: "glide.ui.session_timeout",
        table: "sys_properties",
        readable: true,
        present: true,
        value: "180",
        effective: "180",
        compliant: false,
        default_used: false,
      }],
      default_used: false,
      reason: null,
    },
  }]);
  const absent = rows.get(csv.id)![0]!;
  assert.equal(absent.sys_id, null);
  assert.deepEqual(absent.evidence.items, [{
    kind: "property",
    name: "glide.basicauth.required.csv",
    table: "sys_properties",
    readable: true,
    present: false,
    value: null,
    effective: "false",
    compliant: false,
    default_used: true,
  }]);
  assert.equal(absent.evidence.default_used, true, "judged on the platform default");
  assert.equal(rows.get(plugin.id)![0]!.status, "FAIL");
  await instance.dispose();
});

Deno.test("a record-count item passes once enough records are synced", async () => {
  const blacklist = HARDENING_CHECKS.find((c) =>
    c.hardening!.key === "glide.enable.blacklist_password"
  )!;
  const instance = await bed.instance();
  await instance.add("sys_properties", [{
    name: "glide.enable.blacklist_password",
    value: "true",
  }]);
  await instance.add(
    "blacklisted_password",
    Array.from({ length: 4999 }, (_, i) => ({ sys_id: `bp${i}` })),
  );
  assert.equal((await instance.outcome(blacklist)).status, "FAIL");
  await instance.add("blacklisted_password", [{ sys_id: "bp-last" }]);
  assert.equal((await instance.outcome(blacklist)).status, "PASS");
  await instance.dispose();
});
