// Dashboards built from widgets through the real app (JWT, zod, RLS) against
// the posture fixture: the Dashboard page's organization dashboard made on
// first use, personal dashboards only their owner sees, admins alone arrange
// the organization's, layouts validated, a stale save refused with 409.
import assert from "node:assert/strict";
import { createPostureFixture, fixtureSql } from "../../shared/posture/_fixture.ts";
import { createWidgetsApp } from "./app.ts";

const fx = await createPostureFixture();
Deno.test.afterAll(() => fx.close());
const sql = fixtureSql(fx);
const app = createWidgetsApp(fx.services);

const analyst = await fx.auth.createUser(fx.tdb.db);
await sql`insert into public.memberships (org_id, user_id, role) values (${fx.orgId}, ${analyst.id}, 'analyst')`;

interface Tile {
  widget_id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}
interface Dash {
  id: string;
  scope: string;
  is_default: boolean;
  name: string;
  layout: Tile[];
  version: number;
  editable: boolean;
}

async function call(token: string, method: string, path: string, body?: unknown) {
  const res = await app.request(`http://localhost/widgets${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

async function list(token: string, orgId = fx.orgId): Promise<Dash[]> {
  const res = await call(token, "GET", `/dashboards?org_id=${orgId}`);
  assert.equal(res.status, 200, res.text);
  return res.body.data;
}

Deno.test("the Dashboard page's dashboard is made once, on first use, with the page's sections", async () => {
  // A viewer opens it first, and two requests race: one dashboard, nine widgets.
  const [a, b] = await Promise.all([list(fx.viewer.token), list(fx.owner.token)]);
  const defaults = [...a, ...b].filter((d) => d.is_default);
  assert.equal(new Set(defaults.map((d) => d.id)).size, 1);
  const page = defaults[0]!;
  assert.equal(page.scope, "organization");
  assert.equal(a.find((d) => d.is_default)!.editable, false, "a viewer cannot arrange it");
  assert.equal(b.find((d) => d.is_default)!.editable, true, "the owner can");
  const widgets = await call(fx.owner.token, "GET", `?org_id=${fx.orgId}`);
  const names = widgets.body.data.map((w: { name: string }) => w.name).sort();
  assert.deepEqual(names, [
    "Failing findings",
    "Failing findings by severity",
    "Fix these first",
    "Framework readiness",
    "Instances",
    "Posture score",
    "Score trend",
    "Security Center",
    "Sync health",
  ]);
  assert.equal(page.layout.length, 9);
  assert.ok(page.layout.every((t) => t.x + t.w <= 12));
  // The first tile reads the fixture's organization score.
  const data = await call(fx.viewer.token, "GET", `/${page.layout[0]!.widget_id}/data`);
  assert.equal(data.body.data.data.score, 35);
  assert.equal((await list(fx.owner.token)).filter((d) => d.is_default).length, 1);
});

Deno.test("a widget's data follows a dashboard's instance and framework filters", async () => {
  const page = (await list(fx.owner.token)).find((d) => d.is_default)!;
  const gauge = page.layout[0]!.widget_id;
  const prod = await sql<{ id: string }[]>`
    select id from public.instances where org_id = ${fx.orgId} order by name limit 2`;
  const scores = [];
  for (const i of prod) {
    const res = await call(fx.viewer.token, "GET", `/${gauge}/data?instance_ids=${i.id}`);
    assert.equal(res.status, 200, res.text);
    scores.push(res.body.data.data.score);
  }
  assert.deepEqual(scores.toSorted(), [11, 54], "prod 54, test 11");
  const bad = await call(fx.viewer.token, "GET", `/${gauge}/data?framework=Not%20an%20id`);
  assert.equal(bad.status, 400);
});

Deno.test("personal dashboards: only their owner sees them, any member may keep them", async () => {
  const created = await call(fx.viewer.token, "POST", "/dashboards", {
    org_id: fx.orgId,
    name: "  My view  ",
  });
  assert.equal(created.status, 201, created.text);
  const mine = created.body.data as Dash;
  assert.equal(mine.scope, "personal");
  assert.equal(mine.name, "My view");
  assert.equal(mine.editable, true);
  assert.ok(!(await list(fx.owner.token)).some((d) => d.id === mine.id), "the owner cannot see it");
  assert.equal((await call(fx.owner.token, "GET", `/dashboards/${mine.id}`)).status, 404);
  assert.equal(
    (await call(fx.owner.token, "PATCH", `/dashboards/${mine.id}`, { version: 1, name: "x" }))
      .status,
    404,
  );
  assert.equal((await call(fx.owner.token, "DELETE", `/dashboards/${mine.id}`)).status, 404);
  // Another organization's member sees nothing of it, nor of the organization's.
  assert.equal((await call(fx.outsider.token, "GET", `/dashboards/${mine.id}`)).status, 404);
  assert.equal(
    (await call(fx.outsider.token, "GET", `/dashboards?org_id=${fx.orgId}`)).status,
    404,
  );
  assert.equal((await call(fx.viewer.token, "DELETE", `/dashboards/${mine.id}`)).status, 204);
  assert.equal((await call(fx.viewer.token, "GET", `/dashboards/${mine.id}`)).status, 404);
});

Deno.test("organization dashboards: admins arrange them, members below only look", async () => {
  const refused = await call(analyst.token, "POST", "/dashboards", {
    org_id: fx.orgId,
    name: "Wall",
    scope: "organization",
  });
  assert.equal(refused.status, 403);
  const page = (await list(analyst.token)).find((d) => d.is_default)!;
  const patch = await call(analyst.token, "PATCH", `/dashboards/${page.id}`, {
    version: page.version,
    name: "Mine now",
  });
  assert.equal(patch.status, 403);
  assert.equal(patch.body.error.details.action, "dashboards.manage");
  const wall = await call(fx.owner.token, "POST", "/dashboards", {
    org_id: fx.orgId,
    name: "Wall",
    scope: "organization",
    layout: [{ ...page.layout[0]!, x: 0, y: 0 }],
  });
  assert.equal(wall.status, 201, wall.text);
  const seen = (await list(fx.viewer.token)).find((d) => d.id === wall.body.data.id)!;
  assert.equal(seen.layout.length, 1);
  assert.equal(seen.editable, false);
  const gone = await call(fx.owner.token, "DELETE", `/dashboards/${page.id}`);
  assert.equal(gone.status, 409, "the Dashboard page's own cannot be deleted");
  assert.equal((await call(fx.owner.token, "DELETE", `/dashboards/${seen.id}`)).status, 204);
});

Deno.test("a layout is checked: bounds, overlaps, tile count, widgets of the organization", async () => {
  const page = (await list(fx.owner.token)).find((d) => d.is_default)!;
  const [a, b] = page.layout.map((t) => t.widget_id);
  const foreign = await call(fx.outsider.token, "POST", "", {
    org_id: fx.outsider.orgId,
    name: "Theirs",
    template: "score_gauge",
  });
  const cases: [unknown, RegExp][] = [
    [[{ widget_id: a, x: 10, y: 0, w: 3, h: 2 }], /^layout\.0\.w$/],
    [[{ widget_id: a, x: 0, y: 0, w: 13, h: 2 }], /^layout\.0\.w$/],
    [[{ widget_id: a, x: 0, y: 0, w: 4, h: 0 }], /^layout\.0\.h$/],
    [[{ widget_id: a, x: 0, y: 0, w: 4, h: 2, z: 1 }], /^layout\.0/],
    [
      [{ widget_id: a, x: 0, y: 0, w: 4, h: 2 }, { widget_id: b, x: 3, y: 1, w: 4, h: 2 }],
      /^layout\.1$/,
    ],
    [
      [{ widget_id: a, x: 0, y: 0, w: 4, h: 2 }, { widget_id: a, x: 4, y: 0, w: 4, h: 2 }],
      /^layout\.1\.widget_id$/,
    ],
    [[{ widget_id: foreign.body.data.id, x: 0, y: 0, w: 4, h: 2 }], /^layout\.0\.widget_id$/],
    [Array.from({ length: 41 }, (_, i) => ({ widget_id: a, x: 0, y: i, w: 1, h: 1 })), /^layout$/],
  ];
  for (const [layout, path] of cases) {
    const res = await call(fx.owner.token, "PATCH", `/dashboards/${page.id}`, {
      version: page.version,
      layout,
    });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.error.code, "validation_failed");
    assert.ok(
      res.body.error.details.some((d: { path: string }) => path.test(d.path)),
      `${JSON.stringify(layout).slice(0, 80)}: ${res.text}`,
    );
  }
  const after = await call(fx.owner.token, "GET", `/dashboards/${page.id}`);
  assert.equal(after.body.data.version, page.version, "nothing was written");
});

Deno.test("a stale save is refused with 409 and changes nothing; a deleted widget's tile goes", async () => {
  const created = await call(analyst.token, "POST", "/dashboards", {
    org_id: fx.orgId,
    name: "Mine",
  });
  const mine = created.body.data as Dash;
  const page = (await list(analyst.token)).find((d) => d.is_default)!;
  const [a, b] = page.layout.map((t) => t.widget_id);
  const first = await call(analyst.token, "PATCH", `/dashboards/${mine.id}`, {
    version: mine.version,
    layout: [{ widget_id: a, x: 0, y: 0, w: 6, h: 2 }, { widget_id: b, x: 6, y: 0, w: 6, h: 2 }],
  });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.data.version, mine.version + 1);
  // A second tab still holds the version it opened.
  const stale = await call(analyst.token, "PATCH", `/dashboards/${mine.id}`, {
    version: mine.version,
    name: "Overwritten",
    layout: [],
  });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.error.code, "stale_version");
  assert.equal(stale.body.error.details.version, mine.version + 1);
  const kept = (await call(analyst.token, "GET", `/dashboards/${mine.id}`)).body.data as Dash;
  assert.equal(kept.name, "Mine");
  assert.equal(kept.layout.length, 2);
  // The analyst deletes widget b: its tile leaves every dashboard.
  await sql`delete from public.widgets where id = ${b!}`;
  const now = (await call(analyst.token, "GET", `/dashboards/${mine.id}`)).body.data as Dash;
  assert.deepEqual(now.layout.map((t) => t.widget_id), [a]);
});

Deno.test("dashboard changes are in the audit trail", async () => {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.audit_log
    where org_id = ${fx.orgId} and target_table like '%dashboards'`;
  assert.ok(row!.n > 0);
});
