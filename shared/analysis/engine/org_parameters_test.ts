// Organization settings as parameter defaults: the dormant-account checks take
// their window from the organization's `dormant_account_days` unless the check
// has its own override (override > organization setting > catalog default),
// and each run records the parameters it used.
import assert from "node:assert/strict";
import { createAnalysisTestbed } from "../_testbed.ts";
import { getCheckDetail } from "../catalog_api.ts";

const bed = await createAnalysisTestbed();
Deno.test.afterAll(() => bed.close());
const sql = bed.tdb.db.sql;
const NOW = new Date("2026-06-01T12:00:00Z");
const ACCOUNT = "identity_account_dormant";
const PRIVILEGED = "identity_privileged_account_dormant";
const scope = { type: "checks" as const, checks: [ACCOUNT, PRIVILEGED] };

function snowDate(daysAgo: number): string {
  return new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 19).replace(
    "T",
    " ",
  );
}

const sysId = (name: string) => name.padEnd(32, "0");
// Last logins 10, 60, 200 and 400 days before the evaluation, and never.
const LOGINS: Record<string, string> = {
  recent: snowDate(10),
  twomonths: snowDate(60),
  sevenmonths: snowDate(200),
  overayear: snowDate(400),
  never: "",
};

const instanceId = await bed.instance("dormancy");
await bed.put(
  instanceId,
  "sys_user",
  Object.entries(LOGINS).map(([name, login]) => ({
    sys_id: sysId(name),
    user_name: name,
    active: "true",
    last_login_time: login,
    web_service_access_only: "false",
    internal_integration_user: "false",
  })),
);
// Every one of them holds admin, so both checks judge the same accounts.
await bed.put(instanceId, "sys_user_role", [{ sys_id: sysId("role_admin"), name: "admin" }]);
await bed.put(
  instanceId,
  "sys_user_has_role",
  Object.keys(LOGINS).map((name) => ({
    sys_id: sysId(`has_${name}`),
    user: sysId(name),
    role: sysId("role_admin"),
    state: "active",
  })),
);

async function setDormantDays(days: number | null): Promise<void> {
  if (days === null) {
    await sql`update public.organizations set settings = settings - 'dormant_account_days'
              where id = ${bed.orgId}`;
  } else {
    await sql`update public.organizations
              set settings = settings || ${sql.json({ dormant_account_days: days })}
              where id = ${bed.orgId}`;
  }
}

async function setOverride(checkId: string, parameters: Record<string, unknown> | null) {
  if (parameters === null) {
    await sql`delete from public.analysis_check_settings
              where org_id = ${bed.orgId} and check_id = ${checkId}`;
    return;
  }
  await sql`
    insert into public.analysis_check_settings (org_id, check_id, enabled, parameters)
    values (${bed.orgId}, ${checkId}, true, ${sql.json(parameters as never)})
    on conflict (org_id, check_id) do update set parameters = excluded.parameters`;
}

/** Runs both checks; returns the failing user names per check and the recorded parameters. */
async function analyse() {
  const runId = await bed.run(instanceId, scope, { evaluatedAt: NOW });
  const [run] = await sql<{ status: string; parameters: Record<string, unknown> }[]>`
    select status, parameters from public.analysis_runs where id = ${runId}`;
  assert.equal(run?.status, "succeeded");
  const rows = await sql<{ check_id: string; user_name: string }[]>`
    select f.check_id, fr.evidence ->> 'user_name' as user_name
    from public.analysis_finding_results fr
    join public.analysis_findings f on f.id = fr.finding_id
    where fr.run_id = ${runId} and fr.status = 'FAIL'
    order by f.check_id, user_name`;
  const failing = (checkId: string) =>
    rows.filter((r) => r.check_id === checkId).map((r) => r.user_name);
  return { account: failing(ACCOUNT), privileged: failing(PRIVILEGED), parameters: run.parameters };
}

Deno.test("dormant_account_days 30 reports more dormant accounts than 365 on the same data", async () => {
  await setDormantDays(30);
  const strict = await analyse();
  assert.deepEqual(strict.account, ["never", "overayear", "sevenmonths", "twomonths"]);
  assert.deepEqual(strict.privileged, strict.account);
  assert.deepEqual(strict.parameters, { [ACCOUNT]: { days: 30 }, [PRIVILEGED]: { days: 30 } });

  await setDormantDays(365);
  const lenient = await analyse();
  assert.deepEqual(lenient.account, ["never", "overayear"]);
  assert.deepEqual(lenient.privileged, lenient.account);
  assert.deepEqual(lenient.parameters, { [ACCOUNT]: { days: 365 }, [PRIVILEGED]: { days: 365 } });
  assert.ok(strict.account.length > lenient.account.length);
});

Deno.test("without the setting the organization default (90 days) applies and nothing is recorded", async () => {
  await setDormantDays(null);
  const result = await analyse();
  assert.deepEqual(result.account, ["never", "overayear", "sevenmonths"]);
  assert.deepEqual(result.parameters, {});
});

Deno.test("a per-check override wins over the organization setting", async (t) => {
  await setDormantDays(30);
  await setOverride(ACCOUNT, { days: 100 });
  try {
    await t.step("the run uses and records the override for that check only", async () => {
      const result = await analyse();
      assert.deepEqual(result.account, ["never", "overayear", "sevenmonths"]);
      assert.deepEqual(result.privileged, ["never", "overayear", "sevenmonths", "twomonths"]);
      assert.deepEqual(result.parameters, {
        [ACCOUNT]: { days: 100 },
        [PRIVILEGED]: { days: 30 },
      });
    });
    await t.step("the catalog shows each value with its source", async () => {
      const account = await getCheckDetail(bed.tdb.db, bed.claims, bed.orgId, ACCOUNT);
      const privileged = await getCheckDetail(bed.tdb.db, bed.claims, bed.orgId, PRIVILEGED);
      const days = (d: typeof account) => d.parameters.find((p) => p.name === "days")!;
      assert.deepEqual(
        [days(account).value, days(account).source, days(account).default],
        [100, "override", 90],
      );
      assert.deepEqual(
        [days(privileged).value, days(privileged).source, days(privileged).org_setting],
        [30, "organization", "dormant_account_days"],
      );
    });
    await t.step(
      "an override equal to the catalog default still wins and is not recorded",
      async () => {
        await setOverride(ACCOUNT, { days: 90 });
        const result = await analyse();
        assert.deepEqual(result.account, ["never", "overayear", "sevenmonths"]);
        assert.deepEqual(result.parameters, { [PRIVILEGED]: { days: 30 } });
      },
    );
  } finally {
    await setOverride(ACCOUNT, null);
  }
});
