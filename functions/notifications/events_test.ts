// The alert events added to the first four: framework readiness below a
// threshold (after a run), an instance that could not be reached (told apart
// from refused credentials) and suppressions about to expire (the daily
// scheduled task) — each once per cause and throttled like the others.
import assert from "node:assert/strict";
import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
  insertSampleRow,
} from "../../scripts/testing/mod.ts";
import { memoryMailer } from "../../shared/mail/mod.ts";
import { dailyScheduleId } from "../../shared/notifications/daily_task.ts";
import { notifyJobEnded, setNotificationChannels } from "../../shared/notifications/mod.ts";
import { ServiceNowError } from "../../shared/servicenow/client/errors.ts";
import { InstanceAuthError } from "../../shared/servicenow/sync/reader.ts";
import { isUnreachable } from "../../shared/servicenow/sync/unreachable.ts";
import { createNotificationsApp } from "./app.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const sql = tdb.db.sql;
const services = createTestServices(tdb.db, auth, { PUBLIC_URL: "https://ciq.example" });
const app = createNotificationsApp(services);
const owner = await auth.createUser(tdb.db, { orgName: "Events Org" });
const orgId = owner.orgId!;
const tenant = { orgId, userId: owner.id };
const instance = await insertSampleRow(sql, "public.instances", tenant, {
  "public.instances": { url: "https://events.service-now.com", auth_type: "basic" },
});
setNotificationChannels({ mailer: memoryMailer(), allowPrivate: true });
Deno.test.afterAll(async () => {
  setNotificationChannels(null);
  await tdb.close();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await app.request(`http://localhost/notifications${path}`, {
    method,
    headers: { authorization: `Bearer ${owner.token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

async function rule(input: Record<string, unknown>): Promise<string> {
  const res = await call("POST", `/${orgId}/rules`, { in_app_role: "owner", ...input });
  assert.equal(res.status, 201, res.text);
  return res.body.data.id;
}

async function inboxTitles(): Promise<string[]> {
  const res = await call("GET", `/${orgId}/inbox?limit=100`);
  return res.body.data.map((n: { title: string }) => n.title);
}

const end = (jobId: string, kind: string, status: "failed" | "succeeded") =>
  notifyJobEnded(services, { orgId, jobId, kind, status });

async function run(frameworks: Record<string, number>, previous: string | null) {
  const jobId = crypto.randomUUID();
  const scores = {
    overall: { score: 70 },
    frameworks: Object.fromEntries(Object.entries(frameworks).map(([k, v]) => [k, { score: v }])),
  };
  const [row] = await sql<{ id: string }[]>`
    insert into public.analysis_runs
      (org_id, instance_id, status, catalog_version, scores, previous_run_id, job_id)
    values (${orgId}, ${instance.id}, 'succeeded', 'test', ${sql.json(scores)}, ${previous},
            ${jobId}) returning id`;
  return { jobId, runId: row!.id };
}

Deno.test("a framework falling under the threshold alerts once; staying under does not", async () => {
  await rule({
    name: "SOX readiness",
    event: "framework.readiness_below",
    framework: "sox_itgc",
    threshold: 80,
    throttle_minutes: 0,
  });
  const first = await run({ sox_itgc: 85, soc2_2017: 50 }, null);
  assert.deepEqual(await end(first.jobId, "analysis.run", "succeeded"), {
    sent: 0,
    failed: 0,
    throttled: 0,
    duplicates: 0,
  }, "85 is above 80; SOC 2 is not the rule's framework");
  const second = await run({ sox_itgc: 72.5, soc2_2017: 40 }, first.runId);
  const fell = await end(second.jobId, "analysis.run", "succeeded");
  assert.equal(fell?.sent, 1);
  assert.ok((await inboxTitles()).includes(
    `sox_itgc readiness on ${instance.name} fell below 80`,
  ));
  assert.equal((await end(second.jobId, "analysis.run", "succeeded"))?.duplicates, 1);
  const third = await run({ sox_itgc: 70 }, second.runId);
  assert.equal((await end(third.jobId, "analysis.run", "succeeded"))?.sent, 0, "still under");
});

Deno.test("a rule without a framework watches every framework", async () => {
  await rule({ name: "Any framework", event: "framework.readiness_below", threshold: 60 });
  const before = await run({ soc2_2017: 65, nist: 90 }, null);
  const after = await run({ soc2_2017: 55, nist: 59 }, before.runId);
  const outcome = await end(after.jobId, "analysis.run", "succeeded");
  // Two causes (two frameworks); the second is throttled by the rule's 60 minutes.
  assert.deepEqual([outcome?.sent, outcome?.throttled], [1, 1]);
});

async function failedSync(code: string, error: string) {
  const [job] = await sql<{ id: string }[]>`
    insert into public.jobs (org_id, kind, status, error, error_code, payload)
    values (${orgId}, 'servicenow.sync', 'failed', ${error}, ${code},
            ${sql.json({ instanceId: instance.id })}) returning id`;
  return job!.id;
}

Deno.test("an unreachable instance alerts once per outage; refused credentials do not", async () => {
  await rule({ name: "Unreachable", event: "instance.unreachable", throttle_minutes: 0 });
  const refused = await failedSync("instance_auth_failed", "Cannot sync: credentials rejected");
  assert.equal((await end(refused, "servicenow.sync", "failed"))?.sent, 0);
  const down = await failedSync("instance_unreachable", "connect ECONNREFUSED");
  assert.equal((await end(down, "servicenow.sync", "failed"))?.sent, 1);
  assert.ok((await inboxTitles()).includes(`${instance.name} cannot be reached`));
  const stillDown = await failedSync("instance_unreachable", "DNS lookup failed");
  assert.equal((await end(stillDown, "servicenow.sync", "failed"))?.duplicates, 1);
  // A successful sync in between: the next failure is a new outage.
  await sql`insert into public.sync_runs (org_id, instance_id, mode, status, started_at)
            values (${orgId}, ${instance.id}, 'full', 'succeeded', now())`;
  const again = await failedSync("instance_unreachable", "timed out");
  assert.equal((await end(again, "servicenow.sync", "failed"))?.sent, 1);
});

Deno.test("sync errors: only connection failures count as unreachable", () => {
  const net = new ServiceNowError("unavailable", "fetch failed", { reason: "network" });
  assert.equal(isUnreachable(net), true);
  assert.equal(isUnreachable(new Error("wrapped", { cause: net })), true);
  assert.equal(
    isUnreachable(new ServiceNowError("unavailable", "timed out", { reason: "timeout" })),
    true,
  );
  assert.equal(
    isUnreachable(new ServiceNowError("unavailable", "503", { reason: "server_error" })),
    false,
  );
  assert.equal(isUnreachable(new ServiceNowError("auth_failed", "401", { status: 401 })), false);
  assert.equal(isUnreachable(new InstanceAuthError("rejected")), false);
  assert.equal(isUnreachable(new ServiceNowError("not_readable", "403", { status: 403 })), false);
});

Deno.test("the daily task announces suppressions expiring within the rule's days", async () => {
  await rule({ name: "Expiring", event: "suppression.expiring", days: 7, throttle_minutes: 0 });
  assert.ok(await services.tasks.schedules.get(dailyScheduleId(orgId)), "scheduled daily");
  const soon = await sql<{ id: string }[]>`
    insert into public.analysis_suppressions (org_id, scope, check_id, reason, expires_at)
    values (${orgId}, 'check_org', 'admin_mfa', 'Accepted risk until the SSO rollout',
            now() + interval '3 days'),
           (${orgId}, 'check_org', 'session_timeout', 'Accepted for the migration',
            now() + interval '30 days'),
           (${orgId}, 'check_org', 'revoked_one', 'No longer accepted', now() + interval '1 day')
    returning id`;
  await sql`update public.analysis_suppressions set revoked_at = now() where id = ${soon[2]!.id}`;
  await services.tasks.fire(dailyScheduleId(orgId));
  await services.tasks.drain();
  const [job] = await sql<{ id: string; status: string }[]>`
    select id, status from public.jobs where org_id = ${orgId} and kind = 'notifications.daily'`;
  assert.equal(job?.status, "succeeded");
  assert.equal((await end(job!.id, "notifications.daily", "succeeded"))?.sent, 1);
  const titles = await inboxTitles();
  assert.ok(titles.some((t) => /suppression of admin_mfa expires/.test(t)), titles.join("\n"));
  assert.ok(!titles.some((t) => /session_timeout|revoked_one/.test(t)));
  // The next day's run: the same suppression and date is the same cause.
  assert.equal((await end(job!.id, "notifications.daily", "succeeded"))?.duplicates, 1);
});

Deno.test("the new rule fields are validated", async () => {
  const bad = await call("POST", `/${orgId}/rules`, {
    name: "Bad",
    event: "suppression.expiring",
    days: 400,
  });
  assert.equal(bad.status, 400, bad.text);
  const badFw = await call("POST", `/${orgId}/rules`, {
    name: "Bad",
    event: "framework.readiness_below",
    framework: "SOX; drop",
  });
  assert.equal(badFw.status, 400, badFw.text);
});
