// The widgets API through the real app (JWT, zod, RLS, the posture cache)
// against the posture fixture (shared/posture/_fixture.ts: organization score
// 35, prod 54, test 11; 5 failing findings: critical 2, high 1, low 2).
import assert from "node:assert/strict";
import { utcDay } from "../../shared/billing/mod.ts";
import { createPostureFixture, fixtureSql } from "../../shared/posture/_fixture.ts";
import { WIDGET_TEMPLATES } from "../../shared/widgets/mod.ts";
import { createWidgetsApp } from "./app.ts";

const fx = await createPostureFixture();
Deno.test.afterAll(() => fx.close());
const sql = fixtureSql(fx);
const app = createWidgetsApp(fx.services);

const analyst = await fx.auth.createUser(fx.tdb.db);
await sql`insert into public.memberships (org_id, user_id, role) values (${fx.orgId}, ${analyst.id}, 'analyst')`;
const otherOrg = fx.outsider.orgId!;
await sql`update public.organizations set plan = 'enterprise' where id = ${otherOrg}`;

interface VersionRow {
  version: number;
  config: { score: string };
  restored_from: number | null;
}

async function call(token: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await app.request(`http://localhost/widgets${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch { /* the embed page */ }
  return { status: res.status, body: json, text, headers: res.headers };
}

async function widget(token: string, orgId: string, template: string, config: unknown = {}) {
  const res = await call(token, "POST", "", { org_id: orgId, name: template, template, config });
  assert.equal(res.status, 201, res.text);
  return res.body.data;
}

async function embed(widgetId: string, body: Record<string, unknown> = {}, token = fx.owner.token) {
  const res = await call(token, "POST", `/${widgetId}/embeds`, { name: "Portal", ...body });
  assert.equal(res.status, 201, res.text);
  return res.body.data as { token: string; embed: { id: string } };
}

Deno.test("each template validates its configuration and fills the defaults", async () => {
  const invalid: Record<string, unknown> = {
    score_gauge: { score: "bogus" },
    score_trend: { score: "framework" },
    severity_breakdown: { framework: "Not An Id" },
    framework_readiness: { frameworks: [] },
    top_failing_checks: { limit: 11 },
    instance_table: { sort: "colour" },
    findings_count: { severities: ["urgent"] },
    sync_health: { only_failing: "yes" },
  };
  assert.deepEqual(Object.keys(invalid).sort(), Object.keys(WIDGET_TEMPLATES).sort());
  for (const [template, config] of Object.entries(invalid)) {
    const refused = await call(analyst.token, "POST", "", {
      org_id: fx.orgId,
      name: template,
      template,
      config,
    });
    assert.equal(refused.status, 400, `${template}: ${refused.text}`);
    assert.equal(refused.body.error.code, "validation_failed");
    assert.match(refused.body.error.details[0].path, /^config\./);
    const unknownField = await call(analyst.token, "POST", "", {
      org_id: fx.orgId,
      name: template,
      template,
      config: { colour: "red" },
    });
    assert.equal(unknownField.status, 400, template);
  }
  const gauge = await widget(analyst.token, fx.orgId, "score_gauge");
  assert.deepEqual(gauge.config, { score: "overall" });
  const top = await widget(analyst.token, fx.orgId, "top_failing_checks", { limit: 2 });
  assert.deepEqual(top.config, { limit: 2 });
  const templates = await call(fx.viewer.token, "GET", "/templates");
  assert.equal(templates.body.data.length, 8);
  assert.equal(
    templates.body.data.find((t: { id: string }) => t.id === "score_trend").defaults.days,
    90,
  );
});

Deno.test("widget data comes from the posture aggregates", async () => {
  const read = async (template: string, config: unknown = {}) => {
    const w = await widget(analyst.token, fx.orgId, template, config);
    const res = await call(fx.viewer.token, "GET", `/${w.id}/data`);
    assert.equal(res.status, 200, res.text);
    return res.body.data.data;
  };
  assert.equal((await read("score_gauge")).score, 35);
  assert.equal((await read("score_gauge", { score: "security_center" })).score, 50);
  assert.deepEqual(await read("severity_breakdown"), {
    total: 5,
    by_severity: { critical: 2, high: 1, low: 2 },
  });
  assert.equal((await read("findings_count", { severities: ["critical", "high"] })).count, 3);
  const table = await read("instance_table", { sort: "score" });
  assert.deepEqual(table.instances.map((i: { name: string }) => i.name), ["test", "prod"]);
  assert.equal((await read("top_failing_checks", { limit: 1 })).checks.length, 1);
  assert.equal((await read("sync_health")).instances.length, 2);
  assert.ok(Array.isArray((await read("score_trend")).points));
});

Deno.test("viewers read, analysts save versions and roll back; versions never change", async () => {
  const refused = await call(fx.viewer.token, "POST", "", {
    org_id: fx.orgId,
    name: "x",
    template: "score_gauge",
  });
  assert.equal(refused.status, 403);
  const w = await widget(analyst.token, fx.orgId, "score_gauge");
  const v2 = await call(analyst.token, "PATCH", `/${w.id}`, { config: { score: "hardening" } });
  assert.equal(v2.status, 200, v2.text);
  assert.equal(v2.body.data.current_version, 2);
  assert.equal(
    (await call(fx.viewer.token, "PATCH", `/${w.id}`, { config: {} })).status,
    403,
  );
  const back = await call(analyst.token, "POST", `/${w.id}/rollback`, { version: 1 });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.body.data.current_version, 3);
  assert.deepEqual(back.body.data.config, { score: "overall" });
  const versions = await call(fx.viewer.token, "GET", `/${w.id}/versions`);
  assert.deepEqual(
    versions.body.data.map((v: VersionRow) => [
      v.version,
      v.config.score,
      v.restored_from,
    ]),
    [[3, "overall", 1], [2, "hardening", null], [1, "overall", null]],
  );
  assert.equal(
    (await call(analyst.token, "POST", `/${w.id}/rollback`, { version: 9 })).status,
    404,
  );
  // Even the owner's own session cannot rewrite or delete a version.
  const claims = { sub: fx.owner.id, role: "authenticated" as const };
  await assert.rejects(
    fx.tdb.db.asTenant(
      claims,
      (tx) => tx`update public.widget_versions set config = '{}' where widget_id = ${w.id}`,
    ),
  );
  const deleted = await fx.tdb.db.asTenant(
    claims,
    (tx) => tx`delete from public.widget_versions where widget_id = ${w.id} returning 1`,
  ).catch(() => []);
  assert.equal(deleted.length, 0);
  assert.equal((await call(fx.outsider.token, "GET", `/${w.id}`)).status, 404);
});

Deno.test("an embed reads exactly its pinned version, organization and instances", async () => {
  const w = await widget(analyst.token, fx.orgId, "score_gauge");
  assert.equal((await call(analyst.token, "POST", `/${w.id}/embeds`, { name: "x" })).status, 403);
  const pinned = await embed(w.id);
  assert.match(pinned.token, /^ciq_embed_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
  // A new version does not move the embed.
  await call(analyst.token, "PATCH", `/${w.id}`, { config: { score: "security_center" } });
  const json = await call(null, "GET", `/embed/${pinned.token}.json`);
  assert.equal(json.status, 200, json.text);
  assert.deepEqual(json.body.data.data, { score: 35, kind: "overall", passed: 3, failed: 4 });
  assert.equal(json.body.data.template, "score_gauge");
  // The owner moves it to version 2 on purpose.
  const moved = await call(
    fx.owner.token,
    "POST",
    `/embeds/${pinned.embed.id}/move?org_id=${fx.orgId}`,
    { version: 2 },
  );
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.body.data.version, 2);
  const after = await call(null, "GET", `/embed/${pinned.token}.json`);
  assert.equal(after.body.data.data.kind, "security_center");
  // Only the instances it names.
  const prodOnly = await embed(w.id, { instance_ids: [fx.i1], version: 1 });
  assert.equal((await call(null, "GET", `/embed/${prodOnly.token}.json`)).body.data.data.score, 54);
  // Another organization's embed of the same template shows that organization only.
  const theirs = await widget(fx.outsider.token, otherOrg, "score_gauge");
  const theirEmbed = await embed(theirs.id, {}, fx.outsider.token);
  const other = await call(null, "GET", `/embed/${theirEmbed.token}.json`);
  assert.equal(other.body.data.data.score, null);
  // Instances of another organization cannot be named.
  const foreign = await call(fx.outsider.token, "POST", `/${theirs.id}/embeds`, {
    name: "x",
    instance_ids: [fx.i1],
  });
  assert.equal(foreign.status, 400);
  // A token with another embed's secret, or a made-up one, reads nothing.
  const [, , idA] = pinned.token.split("_");
  const secretB = theirEmbed.token.split("_").slice(3).join("_");
  const forged = `ciq_embed_${idA}_${secretB}`;
  assert.equal((await call(null, "GET", `/embed/${forged}.json`)).status, 404);
  assert.equal((await call(null, "GET", `/embed/ciq_embed_nope.json`)).status, 404);
  // The owner of the other organization cannot list or revoke this one's embeds.
  assert.equal((await call(fx.outsider.token, "GET", `/embeds?org_id=${fx.orgId}`)).status, 404);
  const revokeForeign = await call(
    fx.outsider.token,
    "POST",
    `/embeds/${pinned.embed.id}/revoke?org_id=${otherOrg}`,
  );
  assert.equal(revokeForeign.status, 404);
});

Deno.test("a revoked or expired embed answers 410 at once, page and JSON", async () => {
  const w = await widget(analyst.token, fx.orgId, "severity_breakdown");
  const e = await embed(w.id);
  assert.equal((await call(null, "GET", `/embed/${e.token}`)).status, 200);
  const revoked = await call(
    fx.owner.token,
    "POST",
    `/embeds/${e.embed.id}/revoke?org_id=${fx.orgId}`,
  );
  assert.equal(revoked.status, 200, revoked.text);
  assert.equal(revoked.body.data.status, "revoked");
  for (const path of [`/embed/${e.token}.json`, `/embed/${e.token}`]) {
    const gone = await call(null, "GET", path);
    assert.equal(gone.status, 410);
    assert.equal(gone.body.error.code, "embed_revoked");
  }
  const unrevoke = await fx.tdb.db.asTenant(
    { sub: fx.owner.id, role: "authenticated" },
    (tx) => tx`update public.widget_embeds set revoked_at = null where id = ${e.embed.id}`,
  ).then(() => "changed", () => "refused");
  assert.equal(unrevoke, "refused");
  assert.equal(
    (await call(fx.owner.token, "POST", `/embeds/${e.embed.id}/move?org_id=${fx.orgId}`, {
      version: 1,
    })).status,
    409,
  );
  const expiring = await embed(w.id);
  await sql`update public.widget_embeds set expires_at = now() - interval '1 second' where id = ${expiring.embed.id}`;
  const expired = await call(null, "GET", `/embed/${expiring.token}.json`);
  assert.equal(expired.status, 410);
  assert.equal(expired.body.error.code, "embed_expired");
  const listed = await call(fx.owner.token, "GET", `/embeds?org_id=${fx.orgId}`);
  const statuses = Object.fromEntries(
    listed.body.data.map((x: { id: string; status: string }) => [x.id, x.status]),
  );
  assert.equal(statuses[e.embed.id], "revoked");
  assert.equal(statuses[expiring.embed.id], "expired");
  assert.ok(!JSON.stringify(listed.body).includes("secret"));
});

Deno.test("the embed page may be framed only by the allow-list, and each view is metered", async () => {
  const w = await widget(analyst.token, fx.orgId, "instance_table");
  await call(analyst.token, "PATCH", `/${w.id}`, { name: "<script>alert(1)</script>" });
  const e = await embed(w.id);
  const before = await call(null, "GET", `/embed/${e.token}`);
  assert.match(before.headers.get("content-security-policy")!, /frame-ancestors 'none'/);
  assert.equal(
    (await call(analyst.token, "PUT", "/origins", { org_id: fx.orgId, origins: [] })).status,
    403,
  );
  const bad = await call(fx.owner.token, "PUT", "/origins", {
    org_id: fx.orgId,
    origins: ["https://portal.example.com/path"],
  });
  assert.equal(bad.status, 400);
  const set = await call(fx.owner.token, "PUT", "/origins", {
    org_id: fx.orgId,
    origins: ["https://portal.example.com", "https://wiki.example.com:8443"],
  });
  assert.equal(set.status, 200, set.text);
  const page = await call(null, "GET", `/embed/${e.token}?theme=dark`);
  assert.equal(page.status, 200);
  assert.match(
    page.headers.get("content-security-policy")!,
    /frame-ancestors https:\/\/portal\.example\.com https:\/\/wiki\.example\.com:8443$/,
  );
  assert.match(page.headers.get("content-type")!, /text\/html/);
  assert.match(page.text, /data-theme="dark"/);
  assert.match(page.text, /<td>prod<\/td>/);
  assert.ok(!page.text.includes("<script"));
  assert.match(page.text, /<h1>&#60;script&#62;alert\(1\)/);
  const views = await fx.services.cache.get<number>(
    `usage:v1:${utcDay()}:${fx.orgId}:embed_views`,
  );
  assert.ok((views ?? 0) >= 2, `views: ${views}`);
});

Deno.test("the editor previews an unsaved configuration, validated like a save", async () => {
  const ok = await call(fx.viewer.token, "POST", "/preview", {
    org_id: fx.orgId,
    template: "score_gauge",
    config: { score: "overall" },
  });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.data.template, "score_gauge");
  assert.equal(ok.body.data.data.score, 35);
  const bad = await call(fx.viewer.token, "POST", "/preview", {
    org_id: fx.orgId,
    template: "top_failing_checks",
    config: { limit: 50 },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.details[0].path, "config.limit");
  const foreign = await call(fx.outsider.token, "POST", "/preview", {
    org_id: fx.orgId,
    template: "score_gauge",
  });
  assert.ok([403, 404].includes(foreign.status), foreign.text);
});

Deno.test("a widget is deleted by an analyst, but not while an embed of it is live", async () => {
  const plain = await widget(analyst.token, fx.orgId, "findings_count");
  assert.equal((await call(fx.viewer.token, "DELETE", `/${plain.id}`)).status, 403);
  assert.equal((await call(analyst.token, "DELETE", `/${plain.id}`)).status, 204);
  assert.equal((await call(analyst.token, "GET", `/${plain.id}`)).status, 404);
  assert.equal((await call(analyst.token, "GET", `/${plain.id}/versions`)).status, 404);

  const w = await widget(analyst.token, fx.orgId, "score_gauge");
  const e = await embed(w.id);
  const refused = await call(analyst.token, "DELETE", `/${w.id}`);
  assert.equal(refused.status, 409, refused.text);
  assert.equal(refused.body.error.code, "widget_embedded");
  assert.deepEqual(refused.body.error.details, { live_embeds: 1 });
  assert.equal((await call(null, "GET", `/embed/${e.token}.json`)).status, 200);
  await call(fx.owner.token, "POST", `/embeds/${e.embed.id}/revoke?org_id=${fx.orgId}`);
  assert.equal((await call(analyst.token, "DELETE", `/${w.id}`)).status, 204);
  // The revoked embed went with it: its token now finds nothing.
  assert.equal((await call(null, "GET", `/embed/${e.token}.json`)).status, 404);
  const listed = await call(fx.owner.token, "GET", `/embeds?org_id=${fx.orgId}`);
  assert.ok(!listed.body.data.some((x: { id: string }) => x.id === e.embed.id));
});

Deno.test("deleting an organization takes its embedded widgets with it", async () => {
  const owner = await fx.auth.createUser(fx.tdb.db, { orgName: "Short-lived" });
  await sql`update public.organizations set plan = 'enterprise' where id = ${owner.orgId!}`;
  const w = await widget(owner.token, owner.orgId!, "score_gauge");
  await embed(w.id, {}, owner.token);
  await sql`delete from public.organizations where id = ${owner.orgId!}`;
  const [left] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.widgets where id = ${w.id}`;
  assert.equal(left!.n, 0);
});

Deno.test("a plan without embeds refuses to create one, naming the plan to upgrade to", async () => {
  const w = await widget(analyst.token, fx.orgId, "score_gauge");
  await sql`update public.organizations set plan = 'trial' where id = ${fx.orgId}`;
  try {
    const res = await call(fx.owner.token, "POST", `/${w.id}/embeds`, { name: "Portal" });
    assert.equal(res.status, 402, res.text);
    assert.equal(res.body.error.code, "feature_not_in_plan");
    assert.deepEqual(res.body.error.details, {
      feature: "embeds",
      plan: "trial",
      upgrade_to: "basic",
    });
    assert.match(res.body.error.message, /Upgrade to Basic/);
  } finally {
    await sql`update public.organizations set plan = 'enterprise' where id = ${fx.orgId}`;
  }
});

Deno.test("GET /widgets pages newest first: pages of 2 cover every widget once; bad cursors are 400", async () => {
  for (const template of ["score_gauge", "findings_count", "sync_health"]) {
    await widget(analyst.token, fx.orgId, template);
  }
  const whole = await call(fx.owner.token, "GET", `?org_id=${fx.orgId}&limit=200`);
  assert.equal(whole.status, 200, whole.text);
  assert.equal(whole.body.next_cursor, null);
  const all = whole.body.data.map((w: { id: string }) => w.id);
  assert.ok(all.length >= 3);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const res = await call(fx.owner.token, "GET", `?org_id=${fx.orgId}&limit=2${query}`);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.data.length <= 2);
    seen.push(...res.body.data.map((w: { id: string }) => w.id));
    cursor = res.body.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, all);
  const first = await call(fx.owner.token, "GET", `?org_id=${fx.orgId}&limit=2`);
  const tampered = await call(
    fx.owner.token,
    "GET",
    `?org_id=${fx.orgId}&cursor=${first.body.next_cursor.slice(0, -3)}x`,
  );
  assert.equal(tampered.status, 400, tampered.text);
  assert.equal(tampered.body.error.code, "invalid_cursor");
  const tooMany = await call(fx.owner.token, "GET", `?org_id=${fx.orgId}&limit=201`);
  assert.equal(tooMany.status, 400, tooMany.text);
  assert.equal(typeof tooMany.body.error.message, "string");
});
