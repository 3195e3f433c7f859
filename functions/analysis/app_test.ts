// The analysis API through the real app (JWT, zod, RLS, the task runner):
// who may do what, runs with live progress, findings with filters and keyset
// pages, triage, suppressions that mute and expire, custom checks with
// preview, check settings, and the error shape of refusals.
import assert from "node:assert/strict";
import type { TestUser } from "../../scripts/testing/mod.ts";
import { createAnalysisTestbed } from "../../shared/analysis/_testbed.ts";
import { createAnalysisApp } from "./app.ts";

const bed = await createAnalysisTestbed();
Deno.test.afterAll(() => bed.close());
const app = createAnalysisApp(bed.services);
const sql = bed.tdb.db.sql;
const NOW = new Date();

async function call(token: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await app.request(`http://localhost/analysis${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

function assertError(res: { status: number; body: unknown }, status: number, code?: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  const error = (res.body as { error: { code: string; message: string } }).error;
  assert.equal(typeof error.message, "string");
  if (code) assert.equal(error.code, code);
}

async function member(role: string): Promise<TestUser> {
  const user = await bed.auth.createUser(bed.tdb.db);
  await sql`insert into public.memberships (org_id, user_id, role) values (${bed.orgId}, ${user.id}, ${role})`;
  return user;
}

const owner = bed.owner;
const analyst = await member("analyst");
const viewer = await member("viewer");
const admin = await member("admin");
const outsider = await bed.auth.createUser(bed.tdb.db, { orgName: "Someone Else" });
const instanceId = await bed.instance("Acme");
await bed.loadSimulated(instanceId, { users: 80, plant: true, now: NOW });

async function startAndDrain(token: string, body: unknown) {
  const res = await call(token, "POST", "/runs", body);
  assert.equal(res.status, 202, res.text);
  await bed.services.tasks.drain({ maxDeliveries: 5000 });
  return res.body.data.run.id as string;
}

const firstRun = await startAndDrain(analyst.token, { instance_id: instanceId });

Deno.test("roles: viewers read, analysts run and triage, admins change settings, outsiders see nothing", async (t) => {
  await t.step("a viewer cannot start a run", async () => {
    assertError(
      await call(viewer.token, "POST", "/runs", { instance_id: instanceId }),
      403,
      "insufficient_role",
    );
  });
  await t.step("an outsider gets 404 for the instance, the run and its findings", async () => {
    assertError(await call(outsider.token, "POST", "/runs", { instance_id: instanceId }), 404);
    assertError(await call(outsider.token, "GET", `/runs/${firstRun}`), 404);
    assertError(await call(outsider.token, "GET", `/findings?run_id=${firstRun}`), 404);
    assertError(await call(outsider.token, "GET", `/catalog?org_id=${bed.orgId}`), 404);
  });
  await t.step("no token is a 401 with the error shape", async () => {
    assertError(await call(null, "GET", `/runs/${firstRun}`), 401, "missing_token");
  });
  await t.step("a viewer reads the catalog, frameworks, runs and findings", async () => {
    const catalog = await call(viewer.token, "GET", `/catalog?org_id=${bed.orgId}`);
    assert.equal(catalog.status, 200);
    assert.ok(catalog.body.data.length >= 300);
    assert.equal((await call(viewer.token, "GET", "/frameworks")).status, 200);
    assert.equal(
      (await call(viewer.token, "GET", `/runs?instance_id=${instanceId}`)).body.data.length,
      1,
    );
    assert.equal((await call(viewer.token, "GET", `/findings?run_id=${firstRun}`)).status, 200);
  });
  await t.step("a viewer cannot change check settings; an analyst neither", async () => {
    const body = { org_id: bed.orgId, enabled: false };
    assertError(
      await call(viewer.token, "PUT", "/catalog/identity_account_dormant/settings", body),
      403,
    );
    assertError(
      await call(analyst.token, "PUT", "/catalog/identity_account_dormant/settings", body),
      403,
    );
  });
});

Deno.test("a run reports progress over SSE and, once done, its scores, summary and verdicts", async () => {
  const run = await call(viewer.token, "GET", `/runs/${firstRun}`);
  assert.equal(run.status, 200);
  const data = run.body.data;
  assert.equal(data.status, "succeeded");
  assert.equal(data.progress, 1);
  assert.match(data.catalog_version, /^c-[0-9a-f]{12}$/);
  assert.equal(typeof data.scores.overall.score, "number");
  assert.equal(typeof data.scores.security_center.score, "number");
  assert.ok(data.summary.findings.failing > 0);
  assert.ok(Object.keys(data.scores.frameworks).includes("soc2_2017"));
  assert.equal(data.explanation.previous_run_id, null);

  const events = await app.request(
    `http://localhost/analysis/runs/${firstRun}/events?access_token=${viewer.token}`,
  );
  assert.equal(events.status, 200);
  assert.match(events.headers.get("content-type") ?? "", /text\/event-stream/);
  const text = await events.text();
  assert.match(text, /event: progress\n/);
  assert.match(text, /"status":"succeeded"/);
  assert.match(text, /event: end\n/);

  const sox = await call(viewer.token, "GET", `/runs/${firstRun}/frameworks/sox_itgc`);
  assert.equal(sox.status, 200, sox.text);
  assert.equal(sox.body.data.score, data.scores.frameworks.sox_itgc.score);
  assert.ok(sox.body.data.requirements.length > 0);
  for (const r of sox.body.data.requirements) {
    const failing = r.checks.filter((c: { effective: string }) => c.effective === "FAIL").length;
    assert.equal(r.failed, failing);
    assert.equal(r.status === "FAIL", failing > 0, r.id);
  }
  assertError(await call(viewer.token, "GET", `/runs/${firstRun}/frameworks/nope`), 404);

  // Requirements no check serves are reported as manual or not covered, never as passing.
  const uncheckedStatuses = new Set<string>();
  for (const r of sox.body.data.requirements) {
    if (r.checks.length === 0) {
      assert.equal(r.status, r.coverage === "manual" ? "MANUAL" : "NOT_COVERED", r.id);
      uncheckedStatuses.add(r.status);
    } else {
      assert.ok(["covered", "partial"].includes(r.coverage), r.id);
    }
  }
  assert.deepEqual([...uncheckedStatuses].sort(), ["MANUAL", "NOT_COVERED"]);
  const backups = sox.body.data.requirements.find((r: { id: string }) => r.id === "CO-06");
  assert.equal(backups.status, "MANUAL");
  assert.equal(
    sox.body.data.coverage.total,
    sox.body.data.requirements.length,
  );
  assert.deepEqual(data.scores.frameworks.sox_itgc.requirements, sox.body.data.coverage);

  const checks = await call(viewer.token, "GET", `/runs/${firstRun}/checks`);
  assert.equal(checks.body.data.length, data.checks_total);
  const failing = checks.body.data.find((c: { status: string }) => c.status === "FAIL");
  const detail = await call(viewer.token, "GET", `/runs/${firstRun}/checks/${failing.check_id}`);
  assert.ok(detail.body.data.evidence.length > 0);
  assert.ok(detail.body.data.evidence.length <= 50);
});

Deno.test("findings: filters, sort and keyset pagination cover every row exactly once", async () => {
  const all: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await call(
      viewer.token,
      "GET",
      `/findings?instance_id=${instanceId}&status=FAIL&limit=7${cursor ? `&cursor=${cursor}` : ""}`,
    );
    assert.equal(res.status, 200, res.text);
    all.push(...res.body.data.map((f: { id: string }) => f.id));
    cursor = res.body.next_cursor;
    pages++;
  } while (cursor && pages < 500);
  const [count] = await sql`select count(*)::int as n from public.analysis_finding_results
                            where run_id = ${firstRun} and status = 'FAIL'`;
  assert.equal(all.length, count!.n);
  assert.equal(new Set(all).size, all.length);

  const high = await call(
    viewer.token,
    "GET",
    `/findings?run_id=${firstRun}&severity=critical,high&limit=200`,
  );
  assert.ok(
    high.body.data.every((f: { severity: string }) => ["critical", "high"].includes(f.severity)),
  );
  const ranks = high.body.data.map((f: { severity: string }) => f.severity === "critical" ? 0 : 1);
  assert.deepEqual(ranks, [...ranks].sort());

  for (const sort of ["first_seen", "resource", "check"]) {
    const paged: string[] = [];
    let next: string | null = null;
    do {
      const res = await call(
        viewer.token,
        "GET",
        `/findings?run_id=${firstRun}&sort=${sort}&limit=40${next ? `&cursor=${next}` : ""}`,
      );
      paged.push(...res.body.data.map((f: { id: string }) => f.id));
      next = res.body.next_cursor;
    } while (next);
    assert.equal(new Set(paged).size, count!.n, sort);
  }

  const framework = await call(
    viewer.token,
    "GET",
    `/findings?run_id=${firstRun}&framework=sox_itgc&area=identity`,
  );
  assert.ok(
    framework.body.data.every((f: { frameworks: string[]; area: string }) =>
      f.frameworks.includes("sox_itgc") && f.area === "identity"
    ),
  );
  assertError(
    await call(viewer.token, "GET", `/findings?run_id=${firstRun}&cursor=nonsense`),
    400,
    "invalid_cursor",
  );
  assertError(
    await call(viewer.token, "GET", `/findings?severity=urgent`),
    400,
    "validation_failed",
  );
});

Deno.test("a finding in full: rationale, evidence, copyable remediation, history; triage by analysts", async () => {
  const list = await call(viewer.token, "GET", `/findings?run_id=${firstRun}&limit=1`);
  const id = list.body.data[0].id;
  const finding = await call(viewer.token, "GET", `/findings/${id}`);
  assert.equal(finding.status, 200);
  const f = finding.body.data;
  assert.ok(f.check.risk.length > 0);
  assert.ok(f.check.remediation.summary.length > 0);
  assert.equal(f.history.length, 1);
  assert.equal(f.history[0].delta, "new");
  assert.ok(Object.keys(f.evidence).length > 0);
  assert.equal(f.triage.state, "open");

  assertError(
    await call(viewer.token, "PUT", `/findings/${id}/triage`, { state: "under_review" }),
    403,
  );
  const triaged = await call(analyst.token, "PUT", `/findings/${id}/triage`, {
    state: "risk_accepted",
    note: "Compensating control: quarterly review",
  });
  assert.equal(triaged.status, 200);
  assert.equal(triaged.body.data.state, "risk_accepted");
  const after = await call(viewer.token, "GET", `/findings/${id}`);
  assert.equal(after.body.data.triage.state, "risk_accepted");
  assert.equal(after.body.data.events[0].kind, "triage");
  assert.equal(after.body.data.events[0].to_state, "risk_accepted");
  assert.equal(after.body.data.events[0].actor_email, analyst.email);
  const filtered = await call(
    viewer.token,
    "GET",
    `/findings?run_id=${firstRun}&triage=risk_accepted`,
  );
  assert.deepEqual(filtered.body.data.map((x: { id: string }) => x.id), [id]);
  assertError(await call(analyst.token, "PUT", `/findings/${id}/triage`, { state: "done" }), 400);
});

Deno.test("suppressions mute findings and checks, leave them visible, and resurface when they expire", async () => {
  // A failing check with exactly one finding.
  const checks = (await call(viewer.token, "GET", `/runs/${firstRun}/checks`)).body.data as {
    check_id: string;
    status: string;
    failed: number;
    family: string;
  }[];
  const single = checks.find((c) =>
    c.status === "FAIL" && c.failed === 1 && c.family !== "hardening"
  )!;
  const findings = await call(
    viewer.token,
    "GET",
    `/findings?run_id=${firstRun}&check_id=${single.check_id}`,
  );
  const findingId = findings.body.data[0].id;
  const before =
    (await call(viewer.token, "GET", `/runs/${firstRun}`)).body.data.scores.behavioural;

  assertError(
    await call(analyst.token, "POST", "/suppressions", {
      scope: "finding",
      finding_id: findingId,
      reason: "x",
      owner_id: analyst.id,
    }),
    400,
  );
  assertError(
    await call(analyst.token, "POST", "/suppressions", {
      scope: "finding",
      finding_id: findingId,
      reason: "Accepted until the HR feed lands",
      owner_id: outsider.id,
    }),
    422,
    "invalid_owner",
  );
  const muted = await call(analyst.token, "POST", "/suppressions", {
    scope: "finding",
    finding_id: findingId,
    reason: "Accepted until the HR feed lands",
    owner_id: owner.id,
    expires_at: new Date(Date.now() + 86_400_000).toISOString(),
  });
  assert.equal(muted.status, 201, muted.text);
  assert.equal(muted.body.data.active, true);
  assert.equal(muted.body.data.owner_email, owner.email);

  const listed = await call(
    viewer.token,
    "GET",
    `/findings?run_id=${firstRun}&check_id=${single.check_id}`,
  );
  assert.equal(listed.body.data.length, 1, "muted findings stay visible");
  assert.equal(listed.body.data[0].muted, true);
  const during =
    (await call(viewer.token, "GET", `/runs/${firstRun}`)).body.data.scores.behavioural;
  assert.equal(during.passed, before.passed + 1, "the check now counts as passing");
  assert.ok(during.score > before.score);
  const unmutedOnly = await call(
    viewer.token,
    "GET",
    `/findings?run_id=${firstRun}&muted=false&check_id=${single.check_id}`,
  );
  assert.equal(unmutedOnly.body.data.length, 0);

  // The expiry passes: the finding counts again, with no job involved.
  await sql`update public.analysis_suppressions set expires_at = now() - interval '1 second' where id = ${muted.body.data.id}`;
  const expired = await call(
    viewer.token,
    "GET",
    `/findings?run_id=${firstRun}&check_id=${single.check_id}`,
  );
  assert.equal(expired.body.data[0].muted, false);
  assert.deepEqual(
    (await call(viewer.token, "GET", `/runs/${firstRun}`)).body.data.scores.behavioural,
    before,
  );

  await t_checkScopes(single.check_id, before);
});

async function t_checkScopes(checkId: string, before: { passed: number; muted: number }) {
  // Organization-wide mutes need an admin.
  const orgWide = {
    scope: "check_org",
    org_id: bed.orgId,
    check_id: checkId,
    reason: "Not applicable here",
    owner_id: admin.id,
  };
  assertError(
    await call(analyst.token, "POST", "/suppressions", orgWide),
    403,
    "insufficient_role",
  );
  const created = await call(admin.token, "POST", "/suppressions", orgWide);
  assert.equal(created.status, 201);
  const scores =
    (await call(viewer.token, "GET", `/runs/${firstRun}`)).body.data.scores.behavioural;
  assert.equal(scores.muted, before.muted + 1);
  assertError(
    await call(analyst.token, "POST", `/suppressions/${created.body.data.id}/revoke`),
    403,
  );
  const revoked = await call(admin.token, "POST", `/suppressions/${created.body.data.id}/revoke`);
  assert.equal(revoked.body.data.active, false);
  assertError(
    await call(admin.token, "POST", `/suppressions/${created.body.data.id}/revoke`),
    409,
    "already_revoked",
  );
  const list = await call(viewer.token, "GET", `/suppressions?org_id=${bed.orgId}&active=all`);
  assert.ok(list.body.data.length >= 2);
  const instanceWide = await call(analyst.token, "POST", "/suppressions", {
    scope: "check_instance",
    instance_id: instanceId,
    check_id: "no_such_check",
    reason: "Typo",
    owner_id: analyst.id,
  });
  assertError(instanceWide, 422, "unknown_check");
}

Deno.test("custom checks: preview against synced data, create, run, edit and delete", async () => {
  const preview = await call(analyst.token, "POST", "/custom-checks/preview", {
    instance_id: instanceId,
    table_name: "sys_user",
    query: "active=true^failed_attempts>=3",
    evidence_fields: ["user_name", "failed_attempts"],
  });
  assert.equal(preview.status, 200, preview.text);
  const [expected] = await sql`
    select count(*)::int as n from public.snow_records
    where instance_id = ${instanceId} and table_name = 'sys_user' and data ->> 'active' = 'true'
      and (data ->> 'failed_attempts') ~ '^[0-9]+$' and (data ->> 'failed_attempts')::int >= 3`;
  assert.equal(preview.body.data.matches, expected!.n);
  assert.ok(
    preview.body.data.records.every((r: { evidence: { failed_attempts: string } }) =>
      Number(r.evidence.failed_attempts) >= 3
    ),
  );

  const bad = await call(analyst.token, "POST", "/custom-checks/preview", {
    instance_id: instanceId,
    table_name: "sys_user",
    query: "active=true^failed_attemptsFOO3",
  });
  assertError(bad, 422, "invalid_query");
  assert.equal(bad.body.error.details[0].position, 27);

  const body = {
    org_id: bed.orgId,
    title: "Active users with repeated failed logins",
    severity: "medium",
    risk_score: 5.5,
    area: "identity",
    table_name: "sys_user",
    query: "active=true^failed_attempts>=3",
    evidence_fields: ["user_name", "failed_attempts"],
    frameworks: [{ framework: "soc2_2017", requirement: "CC6.1" }],
    remediation: "Reset the password and review the sign-in log.",
  };
  assertError(await call(viewer.token, "POST", "/custom-checks", body), 403);
  assertError(
    await call(analyst.token, "POST", "/custom-checks", {
      ...body,
      frameworks: [{ framework: "soc2_2017", requirement: "X9" }],
    }),
    422,
    "unknown_requirement",
  );
  const created = await call(analyst.token, "POST", "/custom-checks", body);
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.data.check_id, "custom_active_users_with_repeated_failed_logins");
  assertError(await call(analyst.token, "POST", "/custom-checks", body), 409, "check_id_taken");

  const catalog = await call(viewer.token, "GET", `/catalog?org_id=${bed.orgId}&family=custom`);
  assert.deepEqual(catalog.body.data.map((c: { id: string }) => c.id), [
    created.body.data.check_id,
  ]);

  const runId = await startAndDrain(analyst.token, {
    instance_id: instanceId,
    scope: { type: "checks", checks: [created.body.data.check_id] },
  });
  const verdict = await call(
    viewer.token,
    "GET",
    `/runs/${runId}/checks/${created.body.data.check_id}`,
  );
  assert.equal(verdict.body.data.failed, expected!.n);
  const run = (await call(viewer.token, "GET", `/runs/${runId}`)).body.data;
  assert.equal(run.custom_checks[created.body.data.check_id].version, 1);

  const edited = await call(analyst.token, "PATCH", `/custom-checks/${created.body.data.id}`, {
    query: "active=true^failed_attempts>=50",
  });
  assert.equal(edited.body.data.version, 2);
  assertError(
    await call(analyst.token, "PATCH", `/custom-checks/${created.body.data.id}`, {
      query: "nameLIKE" + "x".repeat(5000),
    }),
    400,
  );
  const tables = await call(viewer.token, "GET", `/tables?instance_id=${instanceId}`);
  const users = tables.body.data.find((t: { table_name: string }) => t.table_name === "sys_user");
  assert.ok(
    users.fields.some((f: { name: string; synced: boolean }) =>
      f.name === "failed_attempts" && f.synced
    ),
  );

  assert.equal(
    (await call(analyst.token, "DELETE", `/custom-checks/${created.body.data.id}`)).status,
    204,
  );
  assertError(await call(viewer.token, "GET", `/custom-checks/${created.body.data.id}`), 404);
});

Deno.test("check settings: admins disable checks and override parameters within bounds; runs record them", async () => {
  const id = "identity_account_dormant";
  const detail = await call(viewer.token, "GET", `/catalog/${id}?org_id=${bed.orgId}`);
  const param = detail.body.data.parameters[0];
  assert.ok(param, "the check has a parameter");
  // The dormancy window defaults to the organization's dormant_account_days (90).
  assert.deepEqual(
    [param.name, param.value, param.source, param.org_setting],
    ["days", 90, "organization", "dormant_account_days"],
  );
  const bad = await call(admin.token, "PUT", `/catalog/${id}/settings`, {
    org_id: bed.orgId,
    parameters: { [param.name]: -5 },
  });
  assertError(bad, 422, "invalid_parameters");
  const value = param.kind === "integer"
    ? Math.min(param.bounds.max, param.default + 1)
    : param.default;
  const ok = await call(admin.token, "PUT", `/catalog/${id}/settings`, {
    org_id: bed.orgId,
    parameters: { [param.name]: value },
  });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.data.parameters[0].value, value);
  assert.equal(ok.body.data.parameters[0].source, "override");
  assert.equal(ok.body.data.customized, true);

  const runId = await startAndDrain(owner.token, {
    instance_id: instanceId,
    scope: { type: "checks", checks: [id] },
  });
  const run = (await call(viewer.token, "GET", `/runs/${runId}`)).body.data;
  assert.deepEqual(run.parameters, { [id]: { [param.name]: value } });
  assert.ok(run.explanation.previous_run_id);

  const off = await call(admin.token, "PUT", `/catalog/${id}/settings`, {
    org_id: bed.orgId,
    enabled: false,
  });
  assert.equal(off.body.data.enabled, false);
  assert.equal(off.body.data.parameters[0].value, value, "disabling keeps the overrides");
  const framework = await call(owner.token, "POST", "/runs", {
    instance_id: instanceId,
    scope: { type: "framework", framework: "nope" },
  });
  assertError(framework, 422, "invalid_scope");
  const scoped = await startAndDrain(owner.token, {
    instance_id: instanceId,
    scope: { type: "framework", framework: "sox_itgc" },
  });
  const ran = await sql`select check_ids from public.analysis_runs where id = ${scoped}`;
  assert.ok(!ran[0]!.check_ids.includes(id), "a disabled check is left out of framework runs");
  assert.ok(ran[0]!.check_ids.length > 0);
});

Deno.test("the frameworks API lists every requirement of a framework with its type and coverage", async () => {
  const list = await call(viewer.token, "GET", "/frameworks");
  assert.equal(list.status, 200);
  const iso = list.body.data.find((f: { id: string }) => f.id === "iso_27001_2022");
  assert.equal(iso.requirements, 93);
  const c = iso.coverage;
  assert.equal(c.covered + c.partial + c.manual + c.not_covered, c.total);
  assert.equal(c.total, 93);
  assert.ok(c.manual > 0 && c.not_covered > 0 && c.partial > 0);

  const detail = await call(viewer.token, "GET", "/frameworks/iso_27001_2022");
  assert.equal(detail.status, 200);
  const reqs = detail.body.data.requirement_list as {
    id: string;
    type: string;
    coverage: string;
    checks: unknown[];
  }[];
  assert.equal(reqs.length, 93);
  const physical = reqs.find((r) => r.id === "A.7.1")!;
  assert.deepEqual([physical.type, physical.coverage, physical.checks.length], [
    "manual",
    "manual",
    0,
  ]);
  const vulnerabilities = reqs.find((r) => r.id === "A.8.8")!;
  assert.equal(vulnerabilities.coverage, "not_covered");
  const access = reqs.find((r) => r.id === "A.5.15")!;
  assert.equal(access.coverage, "partial");
  assert.ok(access.checks.length > 0);
});

Deno.test("a table the instance does not have makes its checks NOT_APPLICABLE, an absent field NOT_EVALUATED, both with the reason", async () => {
  const second = await bed.instance("Sparse");
  await bed.loadSimulated(second, { users: 60, plant: true, now: NOW });
  // What a sync of a sparse instance records: no HR plugin, MFA flag omitted by a field ACL.
  await sql`delete from public.snow_records
            where instance_id = ${second} and table_name = 'sn_hr_core_profile'`;
  await sql`
    insert into public.instance_tables (org_id, instance_id, table_name, readable, table_missing, last_error)
    values (${bed.orgId}, ${second}, 'sn_hr_core_profile', false, true,
            'Cannot read table "sn_hr_core_profile": it does not exist on this instance')
    on conflict (instance_id, table_name) do update
      set readable = false, table_missing = true, last_error = excluded.last_error`;
  await sql`
    update public.instance_tables
    set fields_requested = array['sys_id', 'user_name', 'active', 'enable_multifactor_authn'],
        fields_present = array['sys_id', 'user_name', 'active']
    where instance_id = ${second} and table_name = 'sys_user'`;
  const runId = await startAndDrain(analyst.token, { instance_id: second });
  const checks = (await call(viewer.token, "GET", `/runs/${runId}/checks`)).body.data as {
    check_id: string;
    status: string;
    effective: string;
    reason: string | null;
  }[];
  const hr = checks.find((c) => c.check_id === "identity_terminated_user_active")!;
  assert.deepEqual([hr.status, hr.effective], ["NOT_APPLICABLE", "NOT_APPLICABLE"]);
  assert.match(hr.reason ?? "", /`sn_hr_core_profile` does not exist on this instance/);
  const mfa = checks.find((c) => c.check_id === "identity_privileged_user_without_mfa")!;
  assert.equal(mfa.status, "NOT_EVALUATED");
  assert.match(mfa.reason ?? "", /field `enable_multifactor_authn` is not available/);
  const run = (await call(viewer.token, "GET", `/runs/${runId}`)).body.data;
  assert.ok(run.scores.overall.not_applicable >= 1, "not-applicable checks are counted apart");

  const preview = await call(analyst.token, "POST", "/custom-checks/preview", {
    instance_id: second,
    table_name: "sys_user",
    query: "active=true^enable_multifactor_authn=false",
  });
  assert.equal(preview.status, 200, preview.text);
  assert.deepEqual(preview.body.data.absent_fields, [
    { table: "sys_user", field: "enable_multifactor_authn" },
  ]);
  assert.match(preview.body.data.not_evaluated.join(), /enable_multifactor_authn/);
});
