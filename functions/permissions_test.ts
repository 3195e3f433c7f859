// The permission matrix against the running API and the SQL policies: for each
// action and each role, the API allows it from the action's least role up and
// refuses it (403) below; where a table policy guards the same write, Postgres
// agrees. Runs on PGlite, and on the server with DATABASE_URL.
import assert from "node:assert/strict";
import {
  type ColumnOverrides,
  createTestAuth,
  createTestDatabase,
  createTestServices,
  insertSampleRow,
  type TestUser,
} from "../scripts/testing/mod.ts";
import { CHECKS } from "../shared/analysis/catalog/mod.ts";
import { generateApiKey } from "../shared/api_keys/mod.ts";
import { generateKey } from "../shared/instances/mod.ts";
import type { Tx } from "../shared/db/mod.ts";
import type { FunctionApp } from "../shared/http/mod.ts";
import { type Action, ACTIONS, can, ORG_ROLES, type OrgRole } from "../shared/permissions/mod.ts";
import { createAnalysisApp } from "./analysis/app.ts";
import { createAuditApp } from "./audit/app.ts";
import { createBillingApp } from "./billing/app.ts";
import { createDashboardApp } from "./dashboard/app.ts";
import { createInsightsApp } from "./insights/app.ts";
import { createInstancesApp } from "./instances/app.ts";
import { createNotificationsApp } from "./notifications/app.ts";
import { createOrganizationsApp } from "./organizations/app.ts";
import { createReportsApp } from "./reports/app.ts";
import { createTasksApp } from "./tasks/app.ts";
import { createWidgetsApp } from "./widgets/app.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const services = createTestServices(tdb.db, auth, {
  CREDENTIALS_KEYS: `k1:${generateKey()}`,
  PUBLIC_URL: "http://localhost:8000",
  QSTASH_CURRENT_SIGNING_KEY: "sig_test_current",
  QSTASH_NEXT_SIGNING_KEY: "sig_test_next",
});
Deno.test.afterAll(() => tdb.close());

const offline = () => Promise.reject(new Error("No network in this test"));
const apps: Record<string, FunctionApp> = {
  organizations: createOrganizationsApp(services),
  instances: createInstancesApp(services, { fetch: offline }),
  analysis: createAnalysisApp(services),
  tasks: createTasksApp(services),
  reports: createReportsApp(services),
  dashboard: createDashboardApp(services),
  insights: createInsightsApp(services),
  audit: createAuditApp(services),
  billing: createBillingApp(services),
  notifications: createNotificationsApp(services),
  widgets: createWidgetsApp(services),
};

// One organization with a member of every role.
const owner = await auth.createUser(tdb.db, { orgName: "Matrix Corp" });
const orgId = owner.orgId!;
const members: Record<OrgRole, TestUser> = { owner } as Record<OrgRole, TestUser>;
for (const role of ORG_ROLES) {
  if (role === "owner") continue;
  const user = await auth.createUser(tdb.db);
  await tdb.db.sql`insert into public.memberships (org_id, user_id, role)
                   values (${orgId}, ${user.id}, ${role})`;
  members[role] = user;
}
// Room for the instances the probes add (a trial allows one).
await tdb.db.sql`update public.organizations set plan = 'enterprise' where id = ${orgId}`;
const tenant = { orgId, userId: owner.id };
const checkId = CHECKS[0]!.id;
const ROWS: ColumnOverrides = {
  "public.instances": { url: "https://matrix.service-now.com", auth_type: "basic" },
  "public.analysis_findings": { check_id: checkId, status: "open" },
  "public.jobs": { status: "queued", kind: "probe" },
};
const instance = await insertSampleRow(tdb.db.sql, "public.instances", tenant, ROWS);
const finding = await insertSampleRow(tdb.db.sql, "public.analysis_findings", tenant, {
  ...ROWS,
  "public.analysis_findings": { ...ROWS["public.analysis_findings"], instance_id: instance.id },
});
const job = await insertSampleRow(tdb.db.sql, "public.jobs", tenant, ROWS);
const reportLink = await insertSampleRow(tdb.db.sql, "public.report_links", tenant, {
  "public.report_exports": { format: "pdf", status: "succeeded", sha256: null, storage: null },
  "public.report_links": { kind: "share", revoked_at: null },
});
const reportSpec = { scope: { org_id: orgId, instance_id: instance.id } };

/** A request that performs an action; `fresh` rows for actions that consume their target. */
interface Probe {
  fn: keyof typeof apps;
  method: string;
  path: (role: OrgRole) => Promise<string> | string;
  /** A function of the role when each allowed role must really change something. */
  body?: unknown;
}

// A member whose role the probes of members.change_role flip (every change is audited).
const spare = await auth.createUser(tdb.db);
await tdb.db.sql`insert into public.memberships (org_id, user_id, role)
                 values (${orgId}, ${spare.id}, 'viewer')`;

async function freshInstance(): Promise<string> {
  return (await insertSampleRow(tdb.db.sql, "public.instances", tenant, ROWS)).id;
}

const PROBES: Record<Action, Probe> = {
  "organizations.read": { fn: "organizations", method: "GET", path: () => `/${orgId}` },
  "organizations.update": {
    fn: "organizations",
    method: "PATCH",
    path: () => `/${orgId}`,
    body: (role: OrgRole) => ({ name: `Matrix Corp (${role})` }),
  },
  "organizations.transfer": {
    fn: "organizations",
    method: "PUT",
    path: () => `/${orgId}/ownership-transfer`,
    body: { user_id: members.viewer.id },
  },
  // A wrong name: the owner gets 422 (allowed, not confirmed), the rest 403.
  "organizations.delete": {
    fn: "organizations",
    method: "DELETE",
    path: () => `/${orgId}`,
    body: { confirm_name: "not the name" },
  },
  "members.read": { fn: "organizations", method: "GET", path: () => `/${orgId}/members` },
  // A fresh address each time, so a second allowed role is not refused as a duplicate.
  "members.invite": {
    fn: "organizations",
    method: "POST",
    path: () => `/${orgId}/invitations`,
    get body() {
      return { email: `nobody-${crypto.randomUUID()}@example.com`, role: "viewer" };
    },
  },
  "members.change_role": {
    fn: "organizations",
    method: "PATCH",
    path: () => `/${orgId}/members/${spare.id}`,
    body: (role: OrgRole) => ({ role: role === "owner" ? "viewer" : "auditor" }),
  },
  "members.remove": {
    fn: "organizations",
    method: "DELETE",
    path: () => `/${orgId}/members/${crypto.randomUUID()}`,
  },
  // Leaving consumes the membership: probed last, see below.
  "members.leave": { fn: "organizations", method: "POST", path: () => `/${orgId}/leave` },
  "instances.read": { fn: "instances", method: "GET", path: () => `?org_id=${orgId}` },
  "instances.create": {
    fn: "instances",
    method: "POST",
    path: () => "/test-connection",
    body: {
      org_id: orgId,
      url: "https://matrix.service-now.com",
      credentials: { type: "basic", username: "u", password: "p" },
    },
  },
  "instances.update": {
    fn: "instances",
    method: "PATCH",
    path: () => `/${instance.id}`,
    body: (role: OrgRole) => ({ name: `${instance.name} (${role})` }),
  },
  "instances.delete": {
    fn: "instances",
    method: "DELETE",
    path: async () => `/${await freshInstance()}`,
  },
  "instances.test": { fn: "instances", method: "POST", path: () => `/${instance.id}/test` },
  "instances.sync": {
    fn: "instances",
    method: "POST",
    path: async () => `/${await freshInstance()}/sync`,
  },
  "instances.schedule": {
    fn: "instances",
    method: "PUT",
    path: () => `/${instance.id}/schedule`,
    body: { schedule: null },
  },
  "checks.read": { fn: "analysis", method: "GET", path: () => `/catalog?org_id=${orgId}` },
  "checks.configure": {
    fn: "analysis",
    method: "PUT",
    path: () => `/catalog/${checkId}/settings`,
    body: { org_id: orgId, enabled: true },
  },
  "runs.read": { fn: "analysis", method: "GET", path: () => `/runs?instance_id=${instance.id}` },
  "runs.start": {
    fn: "analysis",
    method: "POST",
    path: () => "/runs",
    body: { instance_id: instance.id },
  },
  "findings.read": { fn: "analysis", method: "GET", path: () => `/findings/${finding.id}` },
  "findings.triage": {
    fn: "analysis",
    method: "PUT",
    path: () => `/findings/${finding.id}/triage`,
    body: { state: "under_review" },
  },
  "suppressions.read": {
    fn: "analysis",
    method: "GET",
    path: () => `/suppressions?org_id=${orgId}`,
  },
  "suppressions.manage": {
    fn: "analysis",
    method: "POST",
    path: () => "/suppressions",
    body: { scope: "finding", finding_id: finding.id, reason: "Accepted", owner_id: owner.id },
  },
  "suppressions.manage_org_wide": {
    fn: "analysis",
    method: "POST",
    path: () => "/suppressions",
    body: {
      scope: "check_org",
      org_id: orgId,
      check_id: checkId,
      reason: "N/A",
      owner_id: owner.id,
    },
  },
  "custom_checks.read": {
    fn: "analysis",
    method: "GET",
    path: () => `/custom-checks?org_id=${orgId}`,
  },
  "custom_checks.write": {
    fn: "analysis",
    method: "POST",
    path: () => "/custom-checks/preview",
    body: { instance_id: instance.id, table_name: "sys_user", query: "active=true" },
  },
  "dashboard.read": { fn: "dashboard", method: "GET", path: () => `?org_id=${orgId}` },
  "insights.read": {
    fn: "insights",
    method: "GET",
    path: () => `/recommendations?org_id=${orgId}`,
  },
  "jobs.read": { fn: "tasks", method: "GET", path: () => `/jobs?org_id=${orgId}` },
  "jobs.cancel": { fn: "tasks", method: "POST", path: () => `/jobs/${job.id}/cancel` },
  "jobs.probe": {
    fn: "tasks",
    method: "POST",
    path: () => "/probe",
    body: { org_id: orgId, items: 1 },
  },
  "reports.read": { fn: "reports", method: "GET", path: () => `/definitions?org_id=${orgId}` },
  "reports.generate": {
    fn: "reports",
    method: "POST",
    path: () => "/definitions",
    body: { org_id: orgId, name: "Matrix report", spec: reportSpec },
  },
  "reports.schedule": {
    fn: "reports",
    method: "POST",
    path: () => "/definitions",
    body: { org_id: orgId, name: "Matrix weekly", spec: reportSpec, schedule: "weekly" },
  },
  "audit.read": { fn: "audit", method: "GET", path: () => `/verify?org_id=${orgId}` },
  // Revoking consumes the link: allowed roles after the first see 409, never 403.
  "reports.share": { fn: "reports", method: "POST", path: () => `/links/${reportLink.id}/revoke` },
  "api_keys.read": { fn: "organizations", method: "GET", path: () => `/${orgId}/api-keys` },
  "api_keys.manage": {
    fn: "organizations",
    method: "POST",
    path: () => `/${orgId}/api-keys`,
    body: { name: "Matrix key", role: "viewer" },
  },
  "notifications.read": { fn: "notifications", method: "GET", path: () => `/${orgId}/inbox` },
  "notifications.manage": {
    fn: "notifications",
    method: "POST",
    path: () => `/${orgId}/channels`,
    body: { name: "Matrix alerts", kind: "email", emails: ["alerts@example.com"] },
  },
  "widgets.read": { fn: "widgets", method: "GET", path: () => `?org_id=${orgId}` },
  "widgets.write": {
    fn: "widgets",
    method: "POST",
    path: () => "",
    body: { org_id: orgId, name: "Matrix gauge", template: "score_gauge" },
  },
  "widgets.embed": {
    fn: "widgets",
    method: "PUT",
    path: () => "/origins",
    // A new origin per role, so every allowed call changes (and audits) the list.
    body: (role: OrgRole) => ({ org_id: orgId, origins: [`https://${role}.example.com`] }),
  },
  "dashboards.personal": {
    fn: "widgets",
    method: "POST",
    path: () => "/dashboards",
    body: { org_id: orgId, name: "My matrix", scope: "personal" },
  },
  "dashboards.manage": {
    fn: "widgets",
    method: "POST",
    path: () => "/dashboards",
    body: { org_id: orgId, name: "Matrix wall", scope: "organization" },
  },
  "billing.read": { fn: "billing", method: "GET", path: () => `/${orgId}` },
  // Without a Stripe key the call stops at 503 after the role check.
  "billing.manage": { fn: "billing", method: "GET", path: () => `/${orgId}/invoices` },
};

// The actions whose probed route takes API keys (`auth: "api_key"`): the
// organization's reads and the analyst actions that start work. Everything
// else (members, settings, keys, writes that record a person) needs a user.
const KEY_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  "instances.read",
  "instances.sync",
  "checks.read",
  "runs.read",
  "runs.start",
  "findings.read",
  "suppressions.read",
  "custom_checks.read",
  "dashboard.read",
  "insights.read",
  "jobs.read",
]);

/** An API key of the matrix organization with `role`, inserted directly. */
async function insertKey(role: "viewer" | "analyst"): Promise<string> {
  const key = await generateApiKey();
  await tdb.db.sql`
    insert into public.api_keys (id, org_id, name, role, prefix, secret_hash, created_by)
    values (${key.id}, ${orgId}, ${`Matrix ${role}`}, ${role}, ${key.prefix}, ${key.hash}, ${owner.id})`;
  return key.key;
}
const keys = { viewer: await insertKey("viewer"), analyst: await insertKey("analyst") };

async function attempt(action: Action, role: OrgRole, credential = members[role].token) {
  const probe = PROBES[action];
  const path = await probe.path(role);
  const body = typeof probe.body === "function" ? probe.body(role) : probe.body;
  const headers: Record<string, string> = { authorization: `Bearer ${credential}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await apps[probe.fn]!.request(
    `http://localhost/${probe.fn}${path}`,
    {
      method: probe.method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    },
  );
  const text = await res.text();
  return { status: res.status, text, requestId: res.headers.get("x-request-id") };
}

/**
 * State-changing requests that succeed without writing anything (so they have
 * nothing to audit), each with the reason. Every other successful non-GET
 * request must leave an audit entry carrying its request id.
 */
const WRITES_NOTHING: Partial<Record<Action, string>> = {
  "custom_checks.write": "the probe previews a query; nothing is stored",
  "instances.schedule": "the probe clears a schedule that is not set",
};

async function auditedEntries(requestId: string | null) {
  const rows = await tdb.db.sql<{ action: string; actor_id: string | null }[]>`
    select action, actor_id from public.audit_log where request_id = ${requestId}`;
  return rows;
}

/** Runs `statement` as `role`'s user under RLS and rolls back; true when Postgres let it through. */
async function sqlAllows(role: OrgRole, statement: (tx: Tx) => PromiseLike<readonly unknown[]>) {
  const claims = await auth.verifier.verify(members[role].token);
  const rollback = new Error("rollback");
  let allowed = false;
  try {
    await tdb.db.asTenant(claims, async (tx) => {
      try {
        allowed = (await statement(tx)).length > 0;
      } catch (error) {
        if ((error as { code?: string }).code !== "42501") throw error;
      }
      throw rollback;
    });
  } catch (error) {
    if (error !== rollback) throw error;
  }
  return allowed;
}

// Writes a table policy guards on its own, as PostgREST would send them with a
// member's token. (Evidence tables are written by the engine only, not by members.)
const SQL_PROBES: Partial<Record<Action, (tx: Tx) => PromiseLike<readonly unknown[]>>> = {
  "organizations.update": (tx) =>
    tx`update public.organizations set name = name where id = ${orgId} returning id`,
  "members.invite": (tx) =>
    tx`insert into public.invitations (org_id, email, role, token_hash, expires_at)
       values (${orgId}, ${`sql-${crypto.randomUUID()}@example.com`}, 'viewer',
               ${crypto.getRandomValues(new Uint8Array(32))}, now() + interval '1 day')
       returning id`,
  "organizations.transfer": (tx) =>
    tx`insert into public.ownership_transfers (org_id, from_user_id, to_user_id)
       values (${orgId}, (select auth.uid()), ${members.viewer.id}) returning org_id`,
  "organizations.delete": (tx) =>
    tx`delete from public.organizations where id = ${orgId} returning id`,
  "members.change_role": (tx) =>
    tx`update public.memberships set role = role
       where org_id = ${orgId} and user_id = ${members.viewer.id} returning user_id`,
  "instances.update": (tx) =>
    tx`update public.instances set name = name where id = ${instance.id} returning id`,
  "instances.delete": (tx) =>
    tx`delete from public.instances where id = ${instance.id} returning id`,
  "findings.triage": (tx) =>
    tx`insert into public.analysis_finding_triage (finding_id, org_id, state)
       values (${finding.id}, ${orgId}, 'under_review')
       on conflict (finding_id) do update set state = excluded.state returning finding_id`,
  "suppressions.manage": (tx) =>
    tx`insert into public.analysis_suppressions
         (org_id, scope, check_id, instance_id, finding_id, reason)
       values (${orgId}, 'finding', ${finding.check_id}, ${instance.id}, ${finding.id}, 'Accepted')
       returning id`,
  "suppressions.manage_org_wide": (tx) =>
    tx`insert into public.analysis_suppressions (org_id, scope, check_id, reason)
       values (${orgId}, 'check_org', ${checkId}, 'Not applicable') returning id`,
  "jobs.cancel": (tx) =>
    tx`update public.jobs set status = 'cancelled' where id = ${job.id} returning id`,
};

Deno.test("the SQL policies agree with the matrix for the writes they guard", async (t) => {
  for (
    const [action, statement] of Object.entries(SQL_PROBES) as [Action, typeof SQL_PROBES[Action]][]
  ) {
    await t.step(action, async () => {
      for (const role of ORG_ROLES) {
        assert.equal(await sqlAllows(role, statement!), can(role, action), role);
      }
    });
  }
});

Deno.test("API keys: allowed on key routes within their role, 403 everywhere else", async (t) => {
  for (const action of ACTIONS.filter((a) => a !== "members.leave")) {
    await t.step(action, async () => {
      for (const role of ["viewer", "analyst"] as const) {
        const { status, text } = await attempt(action, role, keys[role]);
        if (KEY_ACTIONS.has(action) && can(role, action)) {
          assert.ok(![401, 403].includes(status) && status < 500, `${role} key: ${status} ${text}`);
        } else {
          assert.equal(status, 403, `${role} key should be refused: ${text}`);
        }
      }
    });
  }
});

// Last: leaving consumes the memberships the SQL test above uses.
Deno.test("the API allows each action from its least role up and refuses it below", async (t) => {
  const last: Action[] = ["members.leave"];
  for (const action of [...ACTIONS.filter((a) => !last.includes(a)), ...last]) {
    await t.step(action, async () => {
      // Least privileged first: a refusal changes nothing for the roles after it.
      for (const role of ORG_ROLES) {
        const { status, text, requestId } = await attempt(action, role);
        if (can(role, action)) {
          // Allowed: whatever the action then says (done, conflict, not found…), never a refusal.
          assert.ok(
            ![401, 403].includes(status) && status < 500,
            `${role}: ${status} ${text}`,
          );
          // A change that happened is in the audit trail, under the request's id and actor.
          if (PROBES[action].method !== "GET" && status < 300 && !WRITES_NOTHING[action]) {
            const entries = await auditedEntries(requestId);
            assert.ok(entries.length > 0, `${role}: ${action} succeeded but wrote no audit entry`);
            assert.ok(
              entries.every((e) => e.actor_id === members[role].id),
              `${role}: ${JSON.stringify(entries)}`,
            );
          }
        } else {
          assert.equal(status, 403, `${role} should be refused: ${text}`);
        }
      }
    });
  }
});
