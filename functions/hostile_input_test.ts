// No 5xx on bad input. Every route of every function app, driven as a signed-in
// owner (with an organization, an instance and an analysis run) with hostile
// path parameters, query strings and JSON bodies: NUL bytes, lone surrogates,
// huge and unicode text, numbers JavaScript and Postgres disagree on
// (1e999999, 20-digit integers, -0), forged page cursors and odd JSON shapes.
// Every answer is below 500, and every 4xx carries the one error shape.
// First, the concrete inputs that used to end in a 500.
import assert from "node:assert/strict";
import fc from "fast-check";
import { Buffer } from "node:buffer";
import { createTestServices } from "../scripts/testing/services.ts";
import { createAnalysisTestbed } from "../shared/analysis/_testbed.ts";
import { generateKey } from "../shared/instances/credentials.ts";
import type { FunctionApp } from "../shared/http/mod.ts";
import { createAnalysisApp } from "./analysis/app.ts";
import { createInstancesApp } from "./instances/app.ts";
import { createOrganizationsApp } from "./organizations/app.ts";
import { createTasksApp } from "./tasks/app.ts";

const bed = await createAnalysisTestbed();
Deno.test.afterAll(() => bed.close());
const services = createTestServices(bed.tdb.db, bed.auth, {
  PUBLIC_URL: "http://localhost:8000",
  QSTASH_CURRENT_SIGNING_KEY: "sig_test_current",
  QSTASH_NEXT_SIGNING_KEY: "sig_test_next",
  RATE_LIMIT_PER_MINUTE: "1000000",
  CREDENTIALS_KEYS: `k1:${generateKey()}`,
});
const offline = (() => Promise.reject(new TypeError("offline in tests"))) as typeof fetch;
const apps: FunctionApp[] = [
  createOrganizationsApp(services),
  createInstancesApp(services, {
    fetch: offline,
    resolve: () => Promise.resolve(["93.184.216.34"]),
    client: { sleep: () => Promise.resolve(), requestsPerSecond: 10_000 },
  }),
  createAnalysisApp(services),
  createTasksApp(services),
];

const owner = bed.owner;
const instanceId = await bed.instance("Hostile");
await bed.put(instanceId, "sys_user", [
  { sys_id: "u1", user_name: "ada", active: "true", failed_attempts: "5" },
  { sys_id: "u2", user_name: "bob", active: "false", failed_attempts: "0" },
]);
const runId = await bed.run(instanceId, { type: "checks", checks: ["user_account_lockout"] })
  .catch(() => bed.run(instanceId));
const [finding] = await bed.tdb.db.sql<{ id: string }[]>`
  select id from public.analysis_findings where instance_id = ${instanceId} limit 1`;
const [job] = await bed.tdb.db.sql<{ id: string }[]>`
  select id from public.jobs where org_id = ${bed.orgId} limit 1`;

interface Answer {
  status: number;
  body: unknown;
  text: string;
}

async function call(
  method: string,
  path: string,
  body?: string,
  token: string | null = owner.token,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const fn = path.split(/[/?]/)[1]!;
  const app = apps.find((a) =>
    a.routes.some((r) => r.path === `/${fn}` || r.path.startsWith(`/${fn}/`))
  )!;
  const res = await app.request(`http://localhost${path}`, { method, headers, body });
  if ((res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    await res.body?.cancel();
    return { status: res.status, body: null, text: "" };
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, text };
}

function assertErrorShape(answer: Answer, context: string): void {
  const error = (answer.body as { error?: Record<string, unknown> } | null)?.error;
  assert.ok(error, `${context}: ${answer.status} without the error shape: ${answer.text}`);
  assert.equal(typeof error.code, "string", context);
  assert.equal(typeof error.message, "string", context);
  assert.ok("details" in error, `${context}: no details`);
}

function assertClientError(answer: Answer, context: string): void {
  assert.ok(
    answer.status >= 400 && answer.status < 500,
    `${context}: expected a 4xx, got ${answer.status} ${answer.text}`,
  );
  assertErrorShape(answer, context);
}

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

Deno.test("a NUL byte in any string is a 400 naming the field", async () => {
  const routed = await call("POST", "/organizations", JSON.stringify({ name: "a\u0000b" }));
  assert.equal(routed.status, 400, routed.text);
  assert.deepEqual(
    (routed.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path),
    ["name"],
  );
  const search = await call("GET", `/analysis/findings?instance_id=${instanceId}&q=x%00y`);
  assert.equal(search.status, 400, search.text);
  const custom = await call(
    "POST",
    "/analysis/custom-checks/preview",
    JSON.stringify({ instance_id: instanceId, table_name: "sys_user", query: "user_name=a\u0000" }),
  );
  assert.equal(custom.status, 400, custom.text);
  const param = await call("GET", "/analysis/catalog/abc%00def?org_id=" + bed.orgId);
  assertClientError(param, "check id with NUL");
  const lone = await call(
    "PATCH",
    `/organizations/${bed.orgId}`,
    JSON.stringify({ name: "broken \ud800 text" }),
  );
  assert.equal(lone.status, 400, lone.text);
});

Deno.test("cursors with out-of-range dates or numbers are a 400", async () => {
  for (
    const cursor of [
      cursorOf(["-200000-01-01T00:00:00.000Z", crypto.randomUUID()]),
      cursorOf(["+275760-09-13T00:00:00.000Z", crypto.randomUUID()]),
      cursorOf(["2026-01-01T00:00:00.000Z", "not-a-uuid-------------------------"]),
    ]
  ) {
    const runs = await call("GET", `/analysis/runs?instance_id=${instanceId}&cursor=${cursor}`);
    assertClientError(runs, `runs cursor ${cursor}`);
    const syncs = await call("GET", `/instances/${instanceId}/syncs?cursor=${cursor}`);
    assertClientError(syncs, `syncs cursor ${cursor}`);
    const keys = await call("GET", `/organizations/${bed.orgId}/api-keys?cursor=${cursor}`);
    assertClientError(keys, `api keys cursor ${cursor}`);
  }
  // A date Postgres would refuse (a Date would roll it over to 2 March).
  const impossible = cursorOf(["2026-02-30T00:00:00.000000Z", crypto.randomUUID()]);
  assertClientError(
    await call("GET", `/organizations/${bed.orgId}/api-keys?cursor=${impossible}`),
    "api keys cursor on 30 February",
  );
  for (const values of [["a\u0000"], [99999999], [["nested"]]]) {
    const instances = await call(
      "GET",
      `/instances?org_id=${bed.orgId}&cursor=${cursorOf(values)}`,
    );
    assertClientError(instances, `instances cursor ${JSON.stringify(values)}`);
  }
  for (
    const values of [
      [99999999, "a", "b", crypto.randomUUID()],
      ["1e999999", "a", "b", crypto.randomUUID()],
      ["1", "a\u0000", "b", crypto.randomUUID()],
    ]
  ) {
    const findings = await call(
      "GET",
      `/analysis/findings?instance_id=${instanceId}&cursor=${cursorOf(values)}`,
    );
    assertClientError(findings, `findings cursor ${JSON.stringify(values)}`);
  }
  const members = await call(
    "GET",
    `/organizations/${bed.orgId}/members?cursor=${
      cursorOf(["a\u0000@x.com", crypto.randomUUID()])
    }`,
  );
  assertClientError(members, "members cursor");
});

Deno.test("huge numbers in custom-check queries are refused, never a 500", async () => {
  for (
    const query of [
      "failed_attempts>1e999999",
      "RLQUERYsys_user_has_role.user,>=99999999999999999999^ENDRLQUERY",
      "sys_created_onRELATIVEGT@day@ago@99999999999999999999",
      "last_login_timeMORETHANsys_created_on@day@before@99999999999999999999",
    ]
  ) {
    const preview = await call(
      "POST",
      "/analysis/custom-checks/preview",
      JSON.stringify({ instance_id: instanceId, table_name: "sys_user", query }),
    );
    assertClientError(preview, `preview ${query}`);
    const created = await call(
      "POST",
      "/analysis/custom-checks",
      JSON.stringify({
        org_id: bed.orgId,
        title: "Huge numbers",
        severity: "low",
        risk_score: 1,
        area: "identity",
        table_name: "sys_user",
        query,
      }),
    );
    assertClientError(created, `create ${query}`);
  }
  // A 20-digit number is a number Postgres holds; on a text field 1e999999 is only text.
  const exact = await call(
    "POST",
    "/analysis/custom-checks/preview",
    JSON.stringify({
      instance_id: instanceId,
      table_name: "sys_user",
      query: "failed_attempts=99999999999999999999",
    }),
  );
  assert.equal(exact.status, 200, exact.text);
  const text = await call(
    "POST",
    "/analysis/custom-checks/preview",
    JSON.stringify({
      instance_id: instanceId,
      table_name: "sys_user",
      query: "user_name>1e999999",
    }),
  );
  assert.equal(text.status, 200, text.text);
});

Deno.test("synced values beyond numeric's range compare as text, not as an error", async () => {
  await bed.put(instanceId, "sys_user", [
    { sys_id: "u3", user_name: "eve", active: "true", failed_attempts: "1e999999" },
  ]);
  const preview = await call(
    "POST",
    "/analysis/custom-checks/preview",
    JSON.stringify({ instance_id: instanceId, table_name: "sys_user", query: "failed_attempts>3" }),
  );
  assert.equal(preview.status, 200, preview.text);
});

// ---------------------------------------------------------------------------
// The property: every route, hostile inputs, no 5xx
// ---------------------------------------------------------------------------

/** Raw JSON number literals JavaScript cannot round-trip, spliced into bodies. */
const RAW_NUMBERS = ["1e999999", "-1e999999", "99999999999999999999", "-0", "1e-999999", "0.1e400"];
const RAW = (i: number) => `"\u0001raw${i}\u0001"`;

const realIds = [
  bed.orgId,
  instanceId,
  runId,
  finding?.id ?? crypto.randomUUID(),
  job?.id ?? crypto.randomUUID(),
  owner.id,
];

/** Text Postgres cannot store or that overflows its types: weighted up, rare by chance. */
const dangerousText = fc.constantFrom(
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "1e999999",
  "99999999999999999999",
  "-200000-01-01T00:00:00Z",
  "+275760-09-13T00:00:00.000Z",
  "x".repeat(70_000),
);

const hostileText = fc.oneof(
  { weight: 4, arbitrary: dangerousText },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "\ufeff\u202e",
      "名字",
      "😀".repeat(40),
      "",
      " ",
      "null",
      "NaN",
      "Infinity",
      "-0",
      "-99999999999999999999",
      "0x7fffffff",
      "2026-13-45",
      "../../etc/passwd",
      "'; drop table public.organizations; --",
      "%00",
      "custom_" + "a".repeat(60),
      "sys_user",
      "owner",
      "incremental",
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(...realIds) },
  { weight: 1, arbitrary: fc.uuid() },
);

const hostileCursor = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map(cursorOf),
  fc.tuple(hostileText, hostileText).map(cursorOf),
  fc.tuple(fc.constantFrom(1e308, -1e308, 2 ** 63, 99999), hostileText, hostileText, fc.uuid())
    .map(cursorOf),
  fc.constantFrom("garbage", "", "====", cursorOf({ a: 1 }), cursorOf([[[]]])),
);

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.1, 1e-300),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: 0, max: RAW_NUMBERS.length - 1 }).map((i) => ({ [RAW(i)]: true })),
);

const FIELDS = [
  "name",
  "org_id",
  "instance_id",
  "scope",
  "type",
  "checks",
  "framework",
  "query",
  "table_name",
  "title",
  "severity",
  "risk_score",
  "area",
  "check_id",
  "state",
  "note",
  "reason",
  "expires_at",
  "owner_id",
  "finding_id",
  "email",
  "role",
  "url",
  "credentials",
  "username",
  "password",
  "client_id",
  "client_secret",
  "mode",
  "schedule",
  "cron",
  "timezone",
  "parameters",
  "enabled",
  "evidence_fields",
  "frameworks",
  "limit",
  "cursor",
  "settings",
  "items",
];

const scalar = fc.oneof(
  hostileText,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  hostileCursor,
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...FIELDS), tie("value"), { maxKeys: 5 }),
  ),
})).value;

const body = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 8 }),
  fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), hostileText), value, { maxKeys: 4 }),
  value,
  fc.constantFrom("not json", "{", "[]", "null", '{"name": "\\u0000"}', '"\\ud800"'),
).map((v) => {
  if (typeof v === "string" && ["not json", "{", "[]", "null"].includes(v)) return v;
  if (typeof v === "string" && v.startsWith('{"name"')) return v;
  if (v === '"\\ud800"') return v;
  return bodyText(v);
});

const QUERY_KEYS = [
  "org_id",
  "instance_id",
  "run_id",
  "cursor",
  "limit",
  "sort",
  "severity",
  "status",
  "q",
  "area",
  "framework",
  "delta",
  "check_id",
  "triage",
  "muted",
  "family",
  "kind",
  "include",
];
const queryString = fc.dictionary(
  fc.constantFrom(...QUERY_KEYS),
  fc.oneof(hostileText, hostileCursor, hostileNumber.map((n) => JSON.stringify(n) ?? "")),
  { maxKeys: 5 },
);

/** Percent-encodes any JavaScript string, lone surrogates included (as WTF-8). */
function encodePart(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text].map((ch) => {
      try {
        return encodeURIComponent(ch);
      } catch {
        return "%ED%A0%80";
      }
    }).join("");
  }
}

interface RouteCase {
  method: string;
  path: string;
}

const routes: RouteCase[] = apps.flatMap((app) =>
  app.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => ({ method: r.method, path: r.path }))
).filter((r, i, all) => all.findIndex((o) => o.method === r.method && o.path === r.path) === i);

Deno.test("the property test sees every route of every function", () => {
  assert.ok(routes.length >= 60, `only ${routes.length} routes`);
  for (const fn of ["organizations", "instances", "analysis", "tasks"]) {
    assert.ok(routes.some((r) => r.path.startsWith(`/${fn}/`)), fn);
  }
});

// Valid requests per route, so hostile values also reach the handlers and the
// database, not only the validators: one field at a time is replaced.
const customCheck = await call(
  "POST",
  "/analysis/custom-checks",
  JSON.stringify({
    org_id: bed.orgId,
    title: "Locked users",
    severity: "low",
    risk_score: 2,
    area: "identity",
    table_name: "sys_user",
    query: "active=true^failed_attempts>3",
  }),
);
assert.equal(customCheck.status, 201, customCheck.text);
const customCheckId = (customCheck.body as { data: { id: string } }).data.id;

/** A real value for each path parameter name, so handlers get past "not found". */
const PARAMS: Record<string, string> = {
  orgId: bed.orgId,
  id: instanceId,
  runId,
  findingId: finding?.id ?? crypto.randomUUID(),
  jobId: job?.id ?? crypto.randomUUID(),
  userId: owner.id,
  checkId: "user_account_lockout",
  frameworkId: "cis",
};
// Deleting routes get something of their own to delete, so the routes after
// them still find the instance and the custom check.
const disposableInstance = await bed.instance("Disposable");
const disposableCheck = await call(
  "POST",
  "/analysis/custom-checks",
  JSON.stringify({
    org_id: bed.orgId,
    title: "Disposable check",
    severity: "low",
    risk_score: 1,
    area: "identity",
    table_name: "sys_user",
    query: "active=false",
  }),
);
assert.equal(disposableCheck.status, 201, disposableCheck.text);
/** Path parameters by "METHOD path" or by path, over {@linkcode PARAMS}. */
const PARAMS_BY_ROUTE: Record<string, Record<string, string>> = {
  "/analysis/custom-checks/:id": { id: customCheckId },
  "DELETE /analysis/custom-checks/:id": {
    id: (disposableCheck.body as { data: { id: string } }).data.id,
  },
  "DELETE /instances/:id": { id: disposableInstance },
  "/analysis/suppressions/:id/revoke": { id: crypto.randomUUID() },
};

const TEMPLATES: Record<
  string,
  { query?: Record<string, string>; body?: Record<string, unknown> }
> = {
  "POST /organizations": { body: { name: "Acme" } },
  "PATCH /organizations/:orgId": { body: { name: "Acme renamed" } },
  "GET /organizations/:orgId/members": { query: { limit: "10" } },
  "POST /organizations/:orgId/invitations": { body: { email: "new@example.com", role: "viewer" } },
  "POST /organizations/invitations/lookup": { body: { token: "a".repeat(43) } },
  "POST /organizations/invitations/accept": { body: { token: "a".repeat(43) } },
  "PUT /organizations/:orgId/ownership-transfer": { body: { user_id: crypto.randomUUID() } },
  "DELETE /organizations/:orgId": { body: { confirm_name: "Not the name" } },
  "PATCH /organizations/:orgId/members/:userId": { body: { role: "owner" } },
  "POST /instances": {
    body: {
      org_id: bed.orgId,
      name: "Second",
      url: "https://second.service-now.com",
      credentials: { type: "basic", username: "u", password: "p" },
    },
  },
  "PATCH /instances/:id": { body: { name: "Hostile renamed" } },
  "PUT /instances/:id/schedule": { body: { schedule: { cron: "0 3 * * *", timezone: "UTC" } } },
  "GET /instances/:id/syncs": { query: { limit: "5" } },
  "GET /analysis/catalog": { query: { org_id: bed.orgId } },
  "GET /analysis/catalog/:checkId": { query: { org_id: bed.orgId } },
  "PUT /analysis/catalog/:checkId/settings": {
    body: { org_id: bed.orgId, enabled: true, parameters: {} },
  },
  "GET /analysis/custom-checks": { query: { org_id: bed.orgId } },
  "POST /analysis/custom-checks": {
    body: {
      org_id: bed.orgId,
      title: "Hostile check",
      severity: "low",
      risk_score: 1,
      area: "identity",
      table_name: "sys_user",
      query: "active=true",
    },
  },
  "POST /analysis/custom-checks/preview": {
    body: { instance_id: instanceId, table_name: "sys_user", query: "active=true" },
  },
  "PATCH /analysis/custom-checks/:id": { body: { title: "Renamed check" } },
  "GET /analysis/tables": { query: { instance_id: instanceId } },
  "GET /analysis/findings": { query: { instance_id: instanceId, sort: "severity", limit: "5" } },
  "PUT /analysis/findings/:findingId/triage": { body: { state: "under_review", note: "n" } },
  "GET /analysis/runs": { query: { instance_id: instanceId, limit: "5" } },
  "GET /analysis/suppressions": { query: { org_id: bed.orgId } },
  "POST /analysis/suppressions": {
    body: { org_id: bed.orgId, scope: "check_org", check_id: "user_account_lockout", reason: "ok" },
  },
  "GET /tasks/jobs": { query: { org_id: bed.orgId } },
};

/** Serializes a body, splicing in the raw number literals JSON.stringify cannot write. */
function bodyText(v: unknown): string {
  let text = JSON.stringify(v) ?? "null";
  RAW_NUMBERS.forEach((raw, i) => {
    text = text.replaceAll(`{${RAW(i)}:true}`, raw);
  });
  return text;
}

/** Mostly a field the route knows (from its template), sometimes an unknown one. */
function fieldOf(known: string[], others: string[]): fc.Arbitrary<string> {
  return known.length > 0
    ? fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...known) },
      { weight: 1, arbitrary: fc.constantFrom(...others) },
    )
    : fc.constantFrom(...others);
}

/** What replaces one field of a valid body: hostile text above all. */
const replacement = fc.oneof(
  { weight: 3, arbitrary: dangerousText },
  { weight: 2, arbitrary: hostileText },
  { weight: 1, arbitrary: hostileNumber },
  { weight: 1, arbitrary: value },
);

const statuses: Record<number, number> = {};
Deno.test.afterAll(() => {
  // deno-lint-ignore no-console
  if (Deno.env.get("HOSTILE_STATS")) console.error(JSON.stringify(statuses));
});

const NUM_RUNS = Number(Deno.env.get("HOSTILE_RUNS") ?? 30);

for (const route of routes) {
  Deno.test(`${route.method} ${route.path}: hostile input never gets a 5xx`, async () => {
    const names = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
    const real = {
      ...PARAMS,
      ...PARAMS_BY_ROUTE[route.path],
      ...PARAMS_BY_ROUTE[`${route.method} ${route.path}`],
    };
    const template = TEMPLATES[`${route.method} ${route.path}`] ?? {};
    const templateQuery = template.query ?? {};
    const templateBody = template.body;
    const params = fc.tuple(
      ...names.map((name) =>
        fc.oneof(
          { weight: 4, arbitrary: fc.constant(real[name] ?? "x") },
          { weight: 1, arbitrary: hostileText },
        )
      ),
    );
    // A valid query or body with one field (old or new) made hostile, or a fully hostile one.
    const query = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.tuple(
          fieldOf(Object.keys(templateQuery), QUERY_KEYS),
          fc.oneof({ weight: 3, arbitrary: replacement }, { weight: 2, arbitrary: hostileCursor }),
        ).map(([key, v]) => ({ ...templateQuery, [key]: typeof v === "string" ? v : bodyText(v) })),
      },
      { weight: 1, arbitrary: queryString },
    );
    const json = templateBody
      ? fc.oneof(
        {
          weight: 4,
          arbitrary: fc.tuple(fieldOf(Object.keys(templateBody), FIELDS), replacement)
            .map(([key, v]) => bodyText({ ...templateBody, [key]: v })),
        },
        { weight: 1, arbitrary: body },
      )
      : body;
    await fc.assert(
      fc.asyncProperty(params, query, json, fc.boolean(), async (ps, q, text, withBody) => {
        let path = route.path;
        names.forEach((name, i) => {
          path = path.replace(`:${name}`, encodePart(ps[i]!) || "x");
        });
        const search = Object.entries(q).map(([k, v]) => `${k}=${encodePart(String(v))}`)
          .join("&");
        const url = search ? `${path}?${search}` : path;
        const sendsBody = (withBody || templateBody !== undefined) && route.method !== "GET";
        const answer = await call(route.method, url, sendsBody ? text : undefined);
        const context = `${route.method} ${url} ${sendsBody ? text.slice(0, 300) : ""}`;
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        assert.ok(answer.status < 500, `${context}: ${answer.status} ${answer.text}`);
        if (answer.status >= 400) assertErrorShape(answer, context);
      }),
      // A fixed seed keeps CI reproducible; HOSTILE_SEED explores others.
      { numRuns: NUM_RUNS, seed: Number(Deno.env.get("HOSTILE_SEED") ?? 20261206) },
    );
  });
}
