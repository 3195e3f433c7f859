// Accuracy of the whole path, on instances that look like ours and on instances
// that do not: the simulator's planted instance and its four profiles (sparse,
// locked_down, integration_heavy, legacy_release; scripts/snow_sim/profiles.ts)
// are synced with the production sync engine and Table API client, the full
// catalog runs through the analysis engine, and the run is compared with the
// ground truth the scenario defines — the manifest of the data the integration
// user can see, computed by the simulator's own rules, never by a check:
//
// - every §5 control: precision = recall = 1.0 on (table, sys_id) and on the
//   property name for the property findings the manifest judges;
// - the checks that must be "could not judge" are exactly the ones the scenario
//   hides data from, with the right verdict (NOT_EVALUATED / NOT_APPLICABLE) and
//   a reason naming what is missing — so no FAIL is caused by missing data;
// - every NOT_EVALUATED / NOT_APPLICABLE verdict carries a reason;
// - hardening settings get the manifest's verdict, a setting judged on its
//   default says so, and legacy settings stay out of the Security Center score.
import assert from "node:assert/strict";
import {
  createSnowSimulator,
  PROFILE_SCENARIOS,
  type ProfileName,
} from "../../scripts/snow_sim/mod.ts";
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
const SIZE = { users: 240, changes: 160, incidents: 160, seed: 7 };
const CASES: { name: string; profile: ProfileName | null }[] = [
  { name: "acme", profile: null },
  { name: "sparse", profile: "sparse" },
  { name: "locked", profile: "locked_down" },
  { name: "integrations", profile: "integration_heavy" },
  { name: "legacy", profile: "legacy_release" },
];
const sim = createSnowSimulator({
  instances: CASES.map((c) => ({
    name: c.name,
    ...SIZE,
    ...(c.profile ? { profile: c.profile } : {}),
  })),
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

const hrSettings = CHECKS.filter((c) =>
  c.hardening?.plugin?.ids.includes("com.sn_hr_core") &&
  c.hardening.items.every((i) => i.kind !== "manual")
).map((c) => c.id);

/**
 * The scenario's "could not judge" verdicts, beyond those of the plain
 * instance: which checks read data the profile hides (by the tables and fields
 * each check's rule needs), and what the product must say.
 */
const NOT_JUDGED: Record<string, Record<string, { verdict: string; reason: RegExp }>> = {
  sparse: {
    identity_terminated_user_active: {
      verdict: "NOT_APPLICABLE",
      reason: /`sn_hr_core_profile` does not exist on this instance/,
    },
    incident_security_stale: {
      verdict: "NOT_APPLICABLE",
      reason: /`sn_si_incident` does not exist on this instance/,
    },
    identity_privileged_user_without_mfa: {
      verdict: "NOT_EVALUATED",
      reason: /field `enable_multifactor_authn` is not available on table `sys_user`/,
    },
    incident_record_reopened: {
      verdict: "NOT_EVALUATED",
      reason: /field `reopen_count` is not available on table `incident`/,
    },
    identity_integration_credential_stale: {
      verdict: "NOT_EVALUATED",
      reason: /field `last_password_change` is not available on table `sys_user`/,
    },
    hardening_glide_login_no_blank_password_enabled: {
      verdict: "NOT_EVALUATED",
      reason: /property not set and platform default unknown: glide\.login\.no_blank_password/,
    },
    ...Object.fromEntries(hrSettings.map((id) => [id, {
      verdict: "NOT_APPLICABLE",
      reason: /HR Service Delivery.*not installed on this instance/,
    }])),
    // The plugin's own setting fails (it is not active); the setting that only
    // exists with the plugin is not applicable.
    hardening_glide_authenticate_limit_concurrent_interactive_sessions_set: {
      verdict: "NOT_APPLICABLE",
      reason:
        /Limit Concurrent Sessions \(com\.glide\.limit\.concurrent\.sessions\).*not installed/,
    },
  },
  locked: {
    change_update_set_reopened: { verdict: "NOT_EVALUATED", reason: /no read access: sys_audit/ },
    change_security_config_edit_unapproved: {
      verdict: "NOT_EVALUATED",
      reason: /no read access: sys_audit/,
    },
    integration_account_interactive_use: {
      verdict: "NOT_EVALUATED",
      reason: /no read access: syslog_transaction/,
    },
    identity_integration_account_unused: {
      verdict: "NOT_EVALUATED",
      reason: /no read access: syslog_transaction/,
    },
    integration_oauth_token_lifespan_long: {
      verdict: "NOT_EVALUATED",
      reason: /no read access: oauth_entity/,
    },
    integration_oauth_client_password_grant: {
      verdict: "NOT_EVALUATED",
      reason: /no read access: oauth_entity/,
    },
  },
  integrations: {},
  legacy: {},
};

async function syncedInstance(name: string): Promise<string> {
  const id = crypto.randomUUID();
  const credentials = {
    type: "basic" as const,
    username: "complianceiq.integration",
    password: "integration-password",
  };
  const envelope = await runtime.keyring.seal(credentials, { orgId: bed.orgId, instanceId: id });
  await sql`
    insert into public.instances (id, org_id, name, url, auth_type, credentials)
    values (${id}, ${bed.orgId}, ${`${name} (simulated)`}, ${`http://sim.invalid/${name}`}, 'basic',
            ${sql.json(envelope as never)})`;
  await startSync(bed.services, bed.claims, id, "full");
  await bed.services.tasks.drain({ maxDeliveries: 20_000 });
  const [run] = await sql`select status, error from public.sync_runs where instance_id = ${id}`;
  // Tables the instance does not have or denies make a sync partial, never failed.
  assert.ok(["succeeded", "partial"].includes(run?.status), `sync: ${run?.status} ${run?.error}`);
  return id;
}

type Verdict = {
  check_id: string;
  status: string;
  reason: string | null;
  default_used: boolean;
  sc_risk: string | null;
};

async function analysed(name: string) {
  const instanceId = await syncedInstance(name);
  const manifest = sim.visibleManifest(name);
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
    (await sql<Verdict[]>`
      select check_id, status, reason, default_used, sc_risk::text as sc_risk
      from public.analysis_check_results where run_id = ${runId}`).map((r) => [r.check_id, r]),
  );
  const [run] = await sql<
    { status: string; checks_total: number; scores: Record<string, never> }[]
  >`
    select status, checks_total, scores from public.analysis_runs where id = ${runId}`;
  return { instanceId, manifest, failing, verdicts, run: run! };
}

function findingKey(
  row: { table_name: string; sys_id: string | null; resource_key: string },
): string | null {
  if (row.table_name === "sys_properties" || row.table_name === "v_plugin") {
    return JUDGED_PROPERTIES.has(row.resource_key) ? `property:${row.resource_key}` : null;
  }
  return `${row.table_name}:${row.sys_id}`;
}

const results = new Map<string, Awaited<ReturnType<typeof analysed>>>();
for (const c of CASES) results.set(c.name, await analysed(c.name));
const baseline = results.get("acme")!;
const notJudged = (v: Map<string, Verdict>) =>
  new Set(
    [...v.values()].filter((x) => x.status !== "PASS" && x.status !== "FAIL").map((x) =>
      x.check_id
    ),
  );

for (const c of CASES) {
  const label = c.profile ?? "plain";
  const r = results.get(c.name)!;

  Deno.test(`${label}: the run succeeded over the whole catalog, every "could not judge" with a reason`, () => {
    assert.equal(r.run.status, "succeeded");
    assert.equal(r.run.checks_total, CHECKS.length);
    assert.equal(r.verdicts.size, CHECKS.length);
    const silent = [...r.verdicts.values()].filter((v) =>
      (v.status === "NOT_EVALUATED" || v.status === "NOT_APPLICABLE") && !v.reason?.trim()
    ).map((v) => v.check_id);
    assert.deepEqual(silent, []);
  });

  for (const control of CONTROL_IDS) {
    Deno.test(`${label}, control ${control}: every visible planted violation found, nothing else`, () => {
      const expected = new Set([
        ...r.manifest.controls[control].violations.map((v) => `${v.table}:${v.sysId}`),
        ...r.manifest.controls[control].properties.map((p) => `property:${p.name}`),
      ]);
      if (c.profile === null) {
        assert.ok(expected.size > 0, "the simulator planted nothing for this control");
      }
      const checks = new Set(CHECKS.filter((k) => k.controls.includes(control)).map((k) => k.id));
      const actual = new Set(
        r.failing.filter((f) => checks.has(f.check_id)).map(findingKey).filter((
          k,
        ): k is string => k !== null),
      );
      const missed = [...expected].filter((k) => !actual.has(k)).sort();
      const extra = [...actual].filter((k) => !expected.has(k)).sort();
      const precision = actual.size === 0 ? 1 : (actual.size - extra.length) / actual.size;
      const recall = expected.size === 0 ? 1 : (expected.size - missed.length) / expected.size;
      const unjudged = [...checks].filter((id) => notJudged(r.verdicts).has(id))
        .map((id) => `${id}: ${r.verdicts.get(id)?.reason}`);
      assert.deepEqual(
        { precision, recall, missed, extra },
        { precision: 1, recall: 1, missed: [], extra: [] },
        `not judged: ${unjudged.join("; ") || "none"}`,
      );
    });
  }

  Deno.test(`${label}: exactly the checks whose data the scenario hides are not judged, and say why`, () => {
    const expected = NOT_JUDGED[c.name] ?? {};
    const plain = notJudged(baseline.verdicts);
    const extra = [...notJudged(r.verdicts)].filter((id) => !plain.has(id) && !(id in expected))
      .map((id) => `${id}: ${r.verdicts.get(id)?.status} ${r.verdicts.get(id)?.reason}`);
    assert.deepEqual(extra, [], "not judged although the scenario hides nothing it needs");
    for (const [id, want] of Object.entries(expected)) {
      const got = r.verdicts.get(id);
      assert.equal(got?.status, want.verdict, `${id}: ${got?.reason}`);
      assert.match(got?.reason ?? "", want.reason, id);
    }
  });

  Deno.test(`${label}: every hardening setting the manifest judges gets its verdict`, () => {
    const byKey = new Map(CHECKS.filter((k) => k.hardening).map((k) => [k.hardening!.key, k]));
    const disagreements = r.manifest.hardening.flatMap((h) => {
      const check = byKey.get(h.name);
      const verdict = check ? r.verdicts.get(check.id) : undefined;
      const actual = verdict?.status ?? "missing";
      const expected = !h.decidable ? "NOT_EVALUATED" : h.compliant ? "PASS" : "FAIL";
      // Settings with items on tables the simulator lacks cannot be proven compliant.
      const partial = actual === "NOT_EVALUATED" && expected === "PASS" &&
        /has not been synced yet|not readable|does not exist/.test(verdict?.reason ?? "");
      return actual === expected || partial
        ? []
        : [{ name: h.name, expected, actual, reason: verdict?.reason }];
    });
    assert.deepEqual(disagreements, []);
  });
}

Deno.test("sparse: a setting not set on the instance is judged on its default and says so", () => {
  const r = results.get("sparse")!;
  const check = (key: string) => CHECKS.find((k) => k.hardening?.key === key)!.id;
  const csv = r.verdicts.get(check("glide.basicauth.required.csv"))!;
  assert.deepEqual([csv.status, csv.default_used], ["FAIL", true]);
  const timeout = r.verdicts.get(check("glide.ui.session_timeout"))!;
  assert.equal(timeout.default_used, true);
  assert.ok(r.run.scores.security_center, "no Security Center score");
});

Deno.test("integration-heavy: service accounts that never log in fail no interactive-login check", async () => {
  const r = results.get("integrations")!;
  const accounts = Object.keys(PROFILE_SCENARIOS.integration_heavy.serviceAccounts);
  const ids = new Set(
    (await sql<{ sys_id: string }[]>`
      select sys_id from public.snow_records
      where instance_id = ${r.instanceId} and table_name = 'sys_user'
        and data ->> 'user_name' in ${sql(accounts)}`).map((u) => u.sys_id),
  );
  assert.equal(ids.size, accounts.length, "the service accounts were not synced");
  // Their admin grants are findings of the integration-account check (A8) …
  const a8 = r.failing.filter((f) => f.check_id === "identity_integration_account_privileged");
  assert.ok(a8.length >= 3, `A8 found ${a8.length} grants`);
  // … and none of them is a dormancy, MFA or missing-owner finding.
  const interactive = r.failing.filter((f) =>
    [
      "identity_privileged_account_dormant",
      "identity_account_dormant",
      "identity_privileged_user_without_mfa",
      // They carry no email, employee number or manager by design.
      "identity_account_unattributed",
    ].includes(f.check_id) && ids.has(f.sys_id ?? "")
  ).map((f) => `${f.check_id}:${f.sys_id}`);
  assert.deepEqual(interactive, []);
});

Deno.test("integration-heavy: unused integration accounts and old integration passwords are found, by the scenario", async () => {
  const r = results.get("integrations")!;
  const names = new Map(
    (await sql<{ sys_id: string; user_name: string }[]>`
      select sys_id, data ->> 'user_name' as user_name from public.snow_records
      where instance_id = ${r.instanceId} and table_name = 'sys_user'`).map((u) => [
      u.sys_id,
      u.user_name,
    ]),
  );
  const scenario = new Set(Object.keys(PROFILE_SCENARIOS.integration_heavy.serviceAccounts));
  const failing = (checkId: string) =>
    r.failing.filter((f) => f.check_id === checkId).map((f) => names.get(f.sys_id ?? "")!)
      .filter((n) => scenario.has(n)).sort();
  // Written from the scenario's days, not from a rule: never used, or last used
  // 200 days ago; the others called the API or opened a session recently.
  assert.deepEqual(failing("identity_integration_account_unused"), [
    "int.servicebus",
    "svc.hr.feed",
  ]);
  // Changed 800 and 500 days ago, or never on an account created 400 days ago.
  assert.deepEqual(failing("identity_integration_credential_stale"), [
    "int.servicebus",
    "svc.hr.feed",
    "svc.monitoring",
  ]);
  for (
    const id of ["identity_integration_account_unused", "identity_integration_credential_stale"]
  ) {
    assert.equal(r.verdicts.get(id)?.status, "FAIL", id);
  }
});

Deno.test("legacy release: legacy settings are judged, and stay out of the Security Center score", () => {
  const r = results.get("legacy")!;
  const legacy = CHECKS.filter((k) => k.hardening?.source === "legacy");
  assert.ok(legacy.length >= 5);
  const verdict = (key: string) =>
    r.verdicts.get(legacy.find((k) => k.hardening!.key === key)!.id)!;
  assert.equal(verdict("glide.http.cache_control").status, "FAIL");
  assert.equal(verdict("glide.kmf.encrypter.enabled").status, "FAIL");
  assert.equal(verdict("glide.security.use_csrf_token").status, "PASS");
  for (const k of legacy) assert.equal(r.verdicts.get(k.id)?.sc_risk, null, k.id);
});
