// Findings as the Analysis page reads them: grouped by check with the total,
// links to the record in ServiceNow, remediation without placeholders, the
// run's check counts agreeing everywhere, and triage or mute of many findings
// at once (validated, all or nothing, by role, scoped by RLS).
import assert from "node:assert/strict";
import type { TestUser } from "../../scripts/testing/mod.ts";
import { createAnalysisTestbed } from "../../shared/analysis/_testbed.ts";
import { getCheck } from "../../shared/analysis/catalog/mod.ts";
import { createAnalysisApp } from "./app.ts";

const bed = await createAnalysisTestbed();
Deno.test.afterAll(() => bed.close());
const app = createAnalysisApp(bed.services);
const sql = bed.tdb.db.sql;

async function call(token: string, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await app.request(`http://localhost/analysis${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

async function member(role: string): Promise<TestUser> {
  const user = await bed.auth.createUser(bed.tdb.db);
  await sql`insert into public.memberships (org_id, user_id, role) values (${bed.orgId}, ${user.id}, ${role})`;
  return user;
}

const analyst = await member("analyst");
const viewer = await member("viewer");
const outsider = await bed.auth.createUser(bed.tdb.db, { orgName: "Elsewhere" });
const instanceId = await bed.instance("Acme");
await bed.loadSimulated(instanceId, { users: 60, plant: true, now: new Date() });
const runId = await bed.run(instanceId);

interface Item {
  id: string;
  check_id: string;
  sys_id: string | null;
  table_name: string;
  record_url: string | null;
  muted: boolean;
  triage_state: string;
}

/** Every finding of the run matching a query, through the keyset pages. */
async function allFindings(query = ""): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { data: Item[]; next_cursor: string | null } } = await call(
      viewer.token,
      "GET",
      `/findings?run_id=${runId}&limit=200${query}${cursor ? `&cursor=${cursor}` : ""}`,
    );
    assert.equal(page.status, 200);
    items.push(...page.body.data);
    cursor = page.body.next_cursor;
  } while (cursor);
  return items;
}

Deno.test("findings grouped by check: counts per check and a total that agree with the list", async () => {
  const failing = await allFindings("&status=FAIL");
  const groups = await call(viewer.token, "GET", `/findings/groups?run_id=${runId}&status=FAIL`);
  assert.equal(groups.status, 200, groups.text);
  assert.equal(groups.body.total, failing.length);
  const perCheck = new Map<string, number>();
  for (const f of failing) perCheck.set(f.check_id, (perCheck.get(f.check_id) ?? 0) + 1);
  assert.equal(groups.body.data.length, perCheck.size);
  for (const g of groups.body.data) assert.equal(g.count, perCheck.get(g.check_id), g.check_id);
  const ranks = ["critical", "high", "medium", "low", "informational"];
  const order = groups.body.data.map((g: { severity: string }) => ranks.indexOf(g.severity));
  assert.deepEqual(order, [...order].sort((a, b) => a - b), "most severe first");

  const run = await call(viewer.token, "GET", `/runs/${runId}`);
  assert.equal(groups.body.total, run.body.data.summary.findings.failing);

  // Without a per-finding filter, the counts are those kept with each check
  // result (the trigger on finding results, as the engine recorded them).
  const all = await allFindings("");
  const kept = await call(viewer.token, "GET", `/findings/groups?run_id=${runId}`);
  assert.equal(kept.body.total, all.length);
  assert.equal(kept.body.capped, false);
  const allPerCheck = new Map<string, number>();
  for (const f of all) allPerCheck.set(f.check_id, (allPerCheck.get(f.check_id) ?? 0) + 1);
  assert.equal(kept.body.data.length, allPerCheck.size);
  for (const g of kept.body.data) assert.equal(g.count, allPerCheck.get(g.check_id), g.check_id);

  const high = await call(viewer.token, "GET", `/findings/groups?run_id=${runId}&severity=high`);
  assert.ok(high.body.data.every((g: { severity: string }) => g.severity === "high"));
  assert.equal(
    (await call(outsider.token, "GET", `/findings/groups?run_id=${runId}`)).status,
    404,
  );
  assert.equal((await call(viewer.token, "GET", `/findings/groups`)).status, 400);
});

Deno.test("a finding links to its record in the instance and its remediation names the record", async () => {
  const failing = await allFindings("&status=FAIL");
  const withRecord = failing.find((f) => f.sys_id && /^[0-9a-f]{32}$/i.test(f.sys_id));
  assert.ok(withRecord);
  assert.equal(
    withRecord.record_url,
    `https://acme.service-now.com/${withRecord.table_name}.do?sys_id=${withRecord.sys_id}`,
  );
  // Every failing check whose catalog remediation has a placeholder: none left unfilled.
  const templated = [...new Set(failing.map((f) => f.check_id))].filter((id) => {
    const r = getCheck(id)?.remediation;
    return r && /<[a-z_]+>/.test([r.summary, ...r.steps].join("\n"));
  });
  assert.ok(templated.length > 0, "the simulator plants a check with a <resource> step");
  for (const checkId of templated) {
    const finding = failing.find((f) => f.check_id === checkId)!;
    const detail = await call(viewer.token, "GET", `/findings/${finding.id}`);
    assert.equal(detail.status, 200);
    const text = [
      detail.body.data.check.remediation.summary,
      ...detail.body.data.check.remediation.steps,
    ]
      .join("\n");
    assert.doesNotMatch(text, /<(resource|table|user_name|role)>/, checkId);
    assert.equal(detail.body.data.instance_url, "https://acme.service-now.com");
    if (finding.sys_id && /<resource>/.test(getCheck(checkId)!.remediation.steps.join("\n"))) {
      assert.match(text, new RegExp(`sys_id=${finding.sys_id}`), checkId);
    }
  }
});

Deno.test("the run, its summary and its checks agree on how many checks ran", async () => {
  const run = (await call(viewer.token, "GET", `/runs/${runId}`)).body.data;
  const checks = (await call(viewer.token, "GET", `/runs/${runId}/checks`)).body.data;
  const byEffective = Object.values(run.summary.checks.by_effective as Record<string, number>)
    .reduce((a, b) => a + b, 0);
  assert.equal(run.summary.checks.total, run.checks_total);
  assert.equal(checks.length, run.checks_total);
  assert.equal(byEffective, run.checks_total);
  const o = run.scores.overall;
  assert.equal(
    o.passed + o.failed + o.not_evaluated + o.not_applicable + o.muted,
    run.checks_total,
  );
});

Deno.test("bulk triage: all or nothing, analysts only, one event per changed finding", async (t) => {
  const failing = (await allFindings("&status=FAIL")).slice(0, 4);
  const ids = failing.map((f) => f.id);
  const triage = (state: string, user = analyst, findingIds = ids.slice(0, 3)) =>
    call(user.token, "POST", "/findings/bulk/triage", {
      finding_ids: findingIds,
      state,
      note: "Ticket SEC-12",
    });

  await t.step("a viewer is refused and nothing changes", async () => {
    const res = await triage("remediating", viewer);
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, "insufficient_role");
  });
  await t.step("an unknown finding among them fails the whole call", async () => {
    const res = await triage("remediating", analyst, [...ids.slice(0, 2), crypto.randomUUID()]);
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, "findings_not_found");
    const [n] = await sql`select count(*)::int as n from public.analysis_finding_triage
                          where finding_id in ${sql(ids)}`;
    assert.equal(n!.n, 0);
  });
  await t.step("an outsider cannot see them (RLS): 404", async () => {
    assert.equal((await triage("remediating", outsider)).status, 404);
  });
  await t.step("invalid bodies are 400s with the error shape", async () => {
    for (
      const body of [
        { finding_ids: [], state: "open" },
        { finding_ids: [ids[0], ids[0]], state: "open" },
        { finding_ids: ids, state: "fixed" },
        { finding_ids: Array.from({ length: 201 }, () => crypto.randomUUID()), state: "open" },
      ]
    ) {
      const res = await call(analyst.token, "POST", "/findings/bulk/triage", body);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(typeof res.body.error.message, "string");
    }
  });
  await t.step("an analyst triages three findings; again is a no-op", async () => {
    const res = await triage("remediating");
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(withoutOrg(res.body.data), { updated: 3, unchanged: 0 });
    const listed = await allFindings("&status=FAIL&triage=remediating");
    assert.deepEqual(listed.map((f) => f.id).sort(), ids.slice(0, 3).sort());
    const [events] = await sql`select count(*)::int as n from public.analysis_finding_events
                               where finding_id in ${sql(ids)} and kind = 'triage'`;
    assert.equal(events!.n, 3);
    assert.deepEqual(withoutOrg((await triage("remediating")).body.data), {
      updated: 0,
      unchanged: 3,
    });
  });
});

Deno.test("bulk mute: one suppression per finding, already muted ones left, bad owner changes nothing", async () => {
  const failing = (await allFindings("&status=FAIL&muted=false")).slice(-3);
  const ids = failing.map((f) => f.id);
  const mute = (body: Record<string, unknown>, user = analyst) =>
    call(user.token, "POST", "/findings/bulk/mute", {
      finding_ids: ids,
      reason: "Accepted until the migration",
      owner_id: analyst.id,
      ...body,
    });
  const badOwner = await mute({ owner_id: outsider.id });
  assert.equal(badOwner.status, 422);
  assert.equal(badOwner.body.error.code, "invalid_owner");
  assert.equal((await mute({ expires_at: "2001-01-01T00:00:00Z" })).status, 422);
  assert.equal((await mute({}, viewer)).status, 403);
  assert.equal((await allFindings("&muted=true")).length, 0, "nothing was muted");

  const first = await mute({ finding_ids: ids.slice(0, 1) });
  assert.deepEqual(withoutOrg(first.body.data), { updated: 1, unchanged: 0 });
  const all = await mute({});
  assert.equal(all.status, 200, all.text);
  assert.deepEqual(withoutOrg(all.body.data), { updated: 2, unchanged: 1 });
  const muted = await allFindings("&muted=true");
  assert.deepEqual(muted.map((f) => f.id).sort(), [...ids].sort());
  const groups = await call(viewer.token, "GET", `/findings/groups?run_id=${runId}&muted=true`);
  assert.equal(groups.body.total, 3);
});

/** A bulk result's counts (its `org_id` is the findings' organization). */
function withoutOrg(data: { org_id: string; updated: number; unchanged: number }) {
  assert.match(data.org_id, /^[0-9a-f-]{36}$/);
  return { updated: data.updated, unchanged: data.unchanged };
}
