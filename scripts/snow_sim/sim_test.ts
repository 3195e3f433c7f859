import assert from "node:assert/strict";
import { CONTROL_IDS, createSnowSimulator, type SnowSimulator } from "./mod.ts";

const ORIGIN = "http://sim.test";
const BASIC = "Basic " + btoa("complianceiq.integration:integration-password");

function small(extra: Parameters<typeof createSnowSimulator>[0] = {}): SnowSimulator {
  return createSnowSimulator({
    instances: [{ name: "acme", users: 150, changes: 120, incidents: 120 }],
    ...extra,
  });
}

async function get(
  sim: SnowSimulator,
  path: string,
  headers: Record<string, string> = { authorization: BASIC },
): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
  const res = await sim.fetch(new Request(ORIGIN + path, { headers }));
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, headers: res.headers, body, text };
}

type Rec = Record<string, unknown>;
const result = (b: unknown) => (b as { result: Rec[] }).result;

Deno.test("simulator answers the documented error envelopes", async (t) => {
  const sim = small();
  await t.step("401 without credentials", async () => {
    const r = await get(sim, "/acme/api/now/table/sys_user", {});
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, {
      error: { message: "User Not Authenticated", detail: "Required to provide Auth information" },
      status: "failure",
    });
  });
  await t.step("401 with a wrong password", async () => {
    const r = await get(sim, "/acme/api/now/table/sys_user", {
      authorization: "Basic " + btoa("complianceiq.integration:nope"),
    });
    assert.equal(r.status, 401);
  });
  await t.step("400 for an unknown table", async () => {
    const r = await get(sim, "/acme/api/now/table/sys_nonexistent");
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, {
      error: {
        message: "Invalid table sys_nonexistent",
        detail: "Table sys_nonexistent does not exist",
      },
      status: "failure",
    });
  });
  await t.step("404 for a missing record", async () => {
    const r = await get(sim, "/acme/api/now/table/sys_user/0123456789abcdef0123456789abcdef");
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, {
      error: {
        message: "No Record found",
        detail: "Record doesn't exist or ACL restricts the record retrieval",
      },
      status: "failure",
    });
  });
  await t.step("403 for a table the role set cannot read", async () => {
    sim.setKnobs({ denyTables: ["sys_audit"] });
    const r = await get(sim, "/acme/api/now/table/sys_audit?sysparm_limit=1");
    assert.equal(r.status, 403);
    assert.deepEqual(r.body, {
      error: { message: "Insufficient rights to query records", detail: null },
      status: "failure",
    });
    sim.setKnobs({ denyTables: [] });
  });
  await t.step("500 during a burst, then recovery", async () => {
    sim.setKnobs({ burst: { status: 500, count: 2 } });
    assert.equal((await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1")).status, 500);
    const second = await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1");
    assert.equal(second.status, 500);
    assert.equal((second.body as { status: string }).status, "failure");
    assert.equal((await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1")).status, 200);
  });
  await t.step("405 for writes and 400 for unknown URIs", async () => {
    const res = await sim.fetch(
      new Request(ORIGIN + "/acme/api/now/table/incident", {
        method: "POST",
        headers: { authorization: BASIC },
      }),
    );
    assert.equal(res.status, 405);
    const r = await get(sim, "/acme/api/now/nothing_here");
    assert.equal(r.status, 400);
    assert.equal(
      (r.body as { error: { message: string } }).error.message,
      "Requested URI does not represent any resource",
    );
  });
});

Deno.test("an instance without a plugin's table answers it as an unknown table", async () => {
  const sim = createSnowSimulator({
    instances: [{ name: "acme", users: 150, absentTables: ["sn_hr_core_profile"] }],
  });
  const r = await get(sim, "/acme/api/now/table/sn_hr_core_profile?sysparm_limit=1");
  assert.equal(r.status, 400);
  assert.deepEqual((r.body as { error: unknown }).error, {
    message: "Invalid table sn_hr_core_profile",
    detail: "Table sn_hr_core_profile does not exist",
  });
  assert.equal((await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1")).status, 200);
  assert.throws(
    () => createSnowSimulator({ instances: [{ name: "x", users: 50, absentTables: ["nope"] }] }),
    /Cannot leave out table "nope"/,
  );
});

Deno.test("simulator denies tables by role and omits fields by field ACL", async () => {
  const sim = createSnowSimulator({
    instances: [{
      name: "acme",
      users: 100,
      integrationUser: { roles: ["snc_read_only"] },
      readAcl: { fields: { "sys_user.email": ["security_admin"] } },
    }],
  });
  assert.equal((await get(sim, "/acme/api/now/table/sys_audit?sysparm_limit=1")).status, 403);
  assert.equal((await get(sim, "/acme/api/now/table/sys_properties?sysparm_limit=1")).status, 403);
  const users = await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1");
  assert.equal(users.status, 200);
  const rec = result(users.body)[0]!;
  assert.ok("user_name" in rec);
  assert.ok(!("email" in rec), "email is omitted, not nulled");
});

Deno.test("simulator sends X-Total-Count and Link headers and honours the switches", async () => {
  const sim = small();
  const r = await get(
    sim,
    "/acme/api/now/table/incident?sysparm_limit=50&sysparm_offset=50&sysparm_fields=sys_id",
  );
  assert.equal(r.headers.get("x-total-count"), "120");
  const link = r.headers.get("link")!;
  assert.match(link, /sysparm_offset=0[^>]*>;rel="first"/);
  assert.match(link, /sysparm_offset=0[^>]*>;rel="prev"/);
  assert.match(link, /sysparm_offset=100[^>]*>;rel="next"/);
  assert.match(link, /sysparm_offset=100[^>]*>;rel="last"/);
  assert.ok(link.startsWith(`<${ORIGIN}/acme/api/now/table/incident?`));
  const quiet = await get(
    sim,
    "/acme/api/now/table/incident?sysparm_limit=5&sysparm_no_count=true&sysparm_suppress_pagination_header=true",
  );
  assert.equal(quiet.headers.get("x-total-count"), null);
  assert.equal(quiet.headers.get("link"), null);
  sim.setKnobs({ linkHeaderOnSinglePage: false });
  assert.equal(
    (await get(sim, "/acme/api/now/table/incident?sysparm_limit=500")).headers.get("link"),
    null,
  );
});

Deno.test("simulator returns 200 [] on v2 and 404 on v1 for an empty result", async () => {
  const sim = small();
  const v2 = await get(sim, "/acme/api/now/table/incident?sysparm_query=number=NOPE");
  assert.equal(v2.status, 200);
  assert.deepEqual(v2.body, { result: [] });
  const v2b = await get(sim, "/acme/api/now/v2/table/incident?sysparm_query=number=NOPE");
  assert.deepEqual(v2b.body, { result: [] });
  const v1 = await get(sim, "/acme/api/now/v1/table/incident?sysparm_query=number=NOPE");
  assert.equal(v1.status, 404);
});

Deno.test("simulator pages by offset and by keyset to the same complete set", async () => {
  const sim = small();
  const all = sim.instance().dataset.table("sys_user_has_role").rows.map((r) => r[0]!);
  const byOffset: string[] = [];
  for (let offset = 0;; offset += 97) {
    const r = await get(
      sim,
      `/acme/api/now/table/sys_user_has_role?sysparm_fields=sys_id&sysparm_limit=97&sysparm_offset=${offset}&sysparm_query=ORDERBYsys_id`,
    );
    const page = result(r.body).map((x) => x.sys_id as string);
    byOffset.push(...page);
    if (page.length < 97) break;
  }
  const byKey: string[] = [];
  let last = "";
  for (;;) {
    const q = encodeURIComponent(`${last ? `sys_id>${last}^` : ""}ORDERBYsys_id`);
    const r = await get(
      sim,
      `/acme/api/now/table/sys_user_has_role?sysparm_fields=sys_id&sysparm_limit=113&sysparm_no_count=true&sysparm_query=${q}`,
    );
    const page = result(r.body).map((x) => x.sys_id as string);
    if (page.length === 0) break;
    byKey.push(...page);
    last = page[page.length - 1]!;
  }
  assert.deepEqual(byOffset, all);
  assert.deepEqual(byKey, all);
});

Deno.test("simulator applies sysparm_limit before row ACLs", async () => {
  const sim = createSnowSimulator({
    instances: [{
      name: "acme",
      users: 120,
      readAcl: { rows: { incident: { condition: "active=false", roles: ["security_admin"] } } },
    }],
  });
  const r = await get(
    sim,
    "/acme/api/now/table/incident?sysparm_limit=20&sysparm_fields=sys_id,active",
  );
  const page = result(r.body);
  assert.equal(r.headers.get("x-total-count"), "60");
  assert.ok(page.length < 20, "page is short because active incidents are hidden after the limit");
  assert.ok(page.every((x) => x.active === "false"));
  const next = await get(
    sim,
    "/acme/api/now/table/incident?sysparm_limit=20&sysparm_offset=20&sysparm_fields=sys_id",
  );
  assert.ok(result(next.body).length > 0, "more readable rows exist on later pages");
});

Deno.test("simulator serialises values as the Table API does", async (t) => {
  const sim = small();
  const ds = sim.instance().dataset;
  const inc = ds.table("incident");
  const row = inc.rows.find((r) => inc.get(r, "state") === "7" && inc.get(r, "caller_id") !== "")!;
  const id = row[0]!;
  const caller = ds.find("sys_user", inc.get(row, "caller_id"))!;
  await t.step('raw values are strings, references {link,value}, empty references ""', async () => {
    const rec = (await get(sim, `/acme/api/now/table/incident/${id}`)).body as { result: Rec };
    assert.equal(rec.result.state, "7");
    assert.equal(rec.result.active, "false");
    assert.match(rec.result.opened_at as string, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.deepEqual(rec.result.caller_id, {
      link: `${ORIGIN}/acme/api/now/table/sys_user/${caller[0]}`,
      value: caller[0],
    });
    assert.equal(rec.result.parent, "");
    for (const v of Object.values(rec.result)) {
      assert.ok(typeof v === "string" || (typeof v === "object" && v !== null));
    }
  });
  await t.step("exclude_reference_link gives the bare sys_id", async () => {
    const rec = (await get(
      sim,
      `/acme/api/now/table/incident/${id}?sysparm_exclude_reference_link=true&sysparm_fields=caller_id`,
    )).body as { result: Rec };
    assert.deepEqual(rec.result, { caller_id: caller[0] });
  });
  await t.step("display_value=true gives labels and the caller's time zone", async () => {
    const rec = (await get(
      sim,
      `/acme/api/now/table/incident/${id}?sysparm_display_value=true&sysparm_fields=state,caller_id,opened_at`,
    )).body as { result: Rec };
    assert.equal(rec.result.state, "Closed");
    assert.deepEqual(rec.result.caller_id, {
      display_value: ds.table("sys_user").get(caller, "name"),
      link: `${ORIGIN}/acme/api/now/table/sys_user/${caller[0]}`,
    });
    assert.equal(typeof rec.result.opened_at, "string");
  });
  await t.step("display_value=all gives both values", async () => {
    const rec = (await get(
      sim,
      `/acme/api/now/table/incident/${id}?sysparm_display_value=all&sysparm_fields=state,caller_id`,
    )).body as { result: Rec };
    assert.deepEqual(rec.result.state, { display_value: "Closed", value: "7" });
    assert.equal((rec.result.caller_id as Rec).value, caller[0]);
  });
  await t.step("dot-walked fields keep their dotted key; unknown fields are ignored", async () => {
    const rec = (await get(
      sim,
      `/acme/api/now/table/incident/${id}?sysparm_fields=caller_id.user_name,no_such_field`,
    )).body as { result: Rec };
    assert.deepEqual(rec.result, {
      "caller_id.user_name": ds.table("sys_user").get(caller, "user_name"),
    });
  });
});

Deno.test("simulator ignores unknown query fields unless the strict property is set", async () => {
  const sim = small();
  const loose = await get(
    sim,
    "/acme/api/now/table/incident?sysparm_query=bogus_field=1&sysparm_limit=1",
  );
  assert.equal(loose.headers.get("x-total-count"), "120");
  sim.setKnobs({ invalidQueryReturnsNoRows: true });
  const strict = await get(
    sim,
    "/acme/api/now/table/incident?sysparm_query=bogus_field=1&sysparm_limit=1",
  );
  assert.equal(strict.headers.get("x-total-count"), "0");
  const bad = await get(
    sim,
    "/acme/api/now/table/incident?sysparm_query=" +
      encodeURIComponent("opened_at>javascript:gs.sleep(1)"),
  );
  assert.equal(bad.status, 400);
});

Deno.test("simulator rate-limits with 429, Retry-After and X-RateLimit headers", async () => {
  let now = 1_000_000;
  const sim = small({ wallClock: () => now });
  sim.setKnobs({ rateLimit: { limit: 2, windowSeconds: 60 } });
  const ok = await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1");
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("x-ratelimit-limit"), "2");
  assert.ok(ok.headers.get("x-ratelimit-reset"));
  assert.ok(ok.headers.get("x-ratelimit-rule"));
  await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1");
  const limited = await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1");
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("retry-after"), "20");
  assert.deepEqual(limited.body, {
    error: {
      message: "Rate limit exceeded",
      detail: "Rate limit of 2 requests per 60 seconds for Table API exceeded",
    },
    status: "failure",
  });
  now += 20_000;
  assert.equal((await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1")).status, 200);
  sim.setKnobs({ rateLimit: null });
  assert.equal(
    (await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1")).headers.get(
      "x-ratelimit-limit",
    ),
    null,
  );
});

Deno.test("simulator issues, refreshes and expires OAuth tokens", async (t) => {
  let now = 5_000_000;
  const sim = small({ wallClock: () => now });
  sim.setKnobs({ accessTokenTtlSeconds: 60, ropcDisabled: false });
  const token = async (
    body: Record<string, string>,
    type = "application/x-www-form-urlencoded",
  ) => {
    const res = await sim.fetch(
      new Request(ORIGIN + "/acme/oauth_token.do", {
        method: "POST",
        headers: { "content-type": type },
        body: type.includes("json") ? JSON.stringify(body) : new URLSearchParams(body).toString(),
      }),
    );
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  };
  const client = { client_id: "complianceiq-connector", client_secret: "connector-secret" };
  await t.step(
    "client_credentials returns an access token that works until it expires",
    async () => {
      const r = await token({ grant_type: "client_credentials", ...client });
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.body), ["scope", "token_type", "expires_in", "access_token"]);
      assert.equal(r.body.token_type, "Bearer");
      const auth = { authorization: `Bearer ${r.body.access_token}` };
      assert.equal(
        (await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1", auth)).status,
        200,
      );
      now += 61_000;
      assert.equal(
        (await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1", auth)).status,
        401,
      );
    },
  );
  await t.step("password grant returns access and refresh tokens; refresh works", async () => {
    const r = await token({
      grant_type: "password",
      username: "complianceiq.integration",
      password: "integration-password",
      ...client,
    });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body), [
      "scope",
      "token_type",
      "expires_in",
      "refresh_token",
      "access_token",
    ]);
    const again = await token({
      grant_type: "password",
      username: "complianceiq.integration",
      password: "integration-password",
      ...client,
    });
    assert.equal(again.body.access_token, r.body.access_token, "same token within its lifetime");
    const refreshed = await token({
      grant_type: "refresh_token",
      refresh_token: r.body.refresh_token as string,
      ...client,
    });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.access_token, r.body.access_token);
    assert.equal(refreshed.body.refresh_token, r.body.refresh_token);
  });
  await t.step("bad secrets, JSON bodies and a disabled password grant fail", async () => {
    assert.equal(
      (await token({
        grant_type: "client_credentials",
        client_id: "complianceiq-connector",
        client_secret: "x",
      })).status,
      401,
    );
    assert.equal(
      (await token({ grant_type: "client_credentials", ...client }, "application/json")).status,
      400,
    );
    sim.setKnobs({ ropcDisabled: true });
    const r = await token({
      grant_type: "password",
      username: "complianceiq.integration",
      password: "integration-password",
      ...client,
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, "unsupported_grant_type");
  });
});

Deno.test("simulator fault knobs: hibernation page and truncated bodies", async () => {
  const sim = small();
  sim.setKnobs({ hibernating: true });
  const h = await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1");
  assert.equal(h.status, 200);
  assert.match(h.headers.get("content-type")!, /text\/html/);
  assert.match(h.text, /Hibernating/);
  sim.setKnobs({ hibernating: false, truncateNext: 1 });
  const t = await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=3");
  assert.equal(t.status, 200);
  assert.equal(t.body, null, "body is not valid JSON");
  assert.notEqual((await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=3")).body, null);
});

Deno.test("simulator Aggregate API returns the documented shapes", async () => {
  const sim = small();
  const plain = await get(
    sim,
    "/acme/api/now/stats/incident?sysparm_count=true&sysparm_query=active=true",
  );
  const ds = sim.instance().dataset;
  const inc = ds.table("incident");
  const active = inc.rows.filter((r) => inc.get(r, "active") === "true").length;
  assert.deepEqual(plain.body, { result: { stats: { count: String(active) } } });
  const grouped = await get(
    sim,
    "/acme/api/now/stats/incident?sysparm_count=true&sysparm_group_by=priority&sysparm_avg_fields=reopen_count&sysparm_order_by=COUNT^DESC",
  );
  const rows = result(grouped.body) as {
    stats: { count: string; avg: Record<string, string> };
    groupby_fields: { field: string; value: string }[];
  }[];
  assert.ok(rows.length >= 3);
  assert.equal(rows.reduce((s, r) => s + Number(r.stats.count), 0), 120);
  assert.ok(Number(rows[0]!.stats.count) >= Number(rows[1]!.stats.count));
  assert.match(rows[0]!.stats.avg.reopen_count!, /^\d+\.\d{4}$/);
  assert.equal(rows[0]!.groupby_fields[0]!.field, "priority");
  const having = await get(
    sim,
    "/acme/api/now/stats/incident?sysparm_count=true&sysparm_group_by=priority&sysparm_having=count^priority^>^1000",
  );
  assert.deepEqual(having.body, { result: [] });
});

Deno.test("simulator is deterministic for a seed", async () => {
  const a = small();
  const b = small();
  const c = createSnowSimulator({
    instances: [{ name: "acme", users: 150, changes: 120, incidents: 120, seed: 2 }],
  });
  const page = async (s: SnowSimulator) =>
    (await get(s, "/acme/api/now/table/change_request?sysparm_limit=20")).text;
  assert.equal(await page(a), await page(b));
  assert.notEqual(await page(a), await page(c));
  assert.deepEqual(a.manifest(), b.manifest());
  assert.deepEqual(a.clock.advance("3h"), b.clock.advance("3h"));
});

Deno.test("manifest matches the planted violations and is empty for a clean baseline", async (t) => {
  await t.step("planted instance: every control has findings and they equal the plants", () => {
    const sim = small();
    const inst = sim.instance();
    const m = sim.manifest();
    for (const id of CONTROL_IDS) {
      const c = m.controls[id];
      assert.ok(c.violations.length + c.properties.length > 0, `${id} has no findings`);
      const fromManifest = c.violations.map((v) => `${v.table}/${v.sysId}`).sort();
      const planted = [
        ...new Set(
          inst.planted.filter((p) => p.control === id).map((p) => `${p.table}/${p.sysId}`),
        ),
      ].sort();
      assert.deepEqual(fromManifest, planted, id);
    }
    assert.ok(m.hardening.some((h) => !h.compliant));
  });
  await t.step("clean instance: nothing violates", () => {
    const sim = createSnowSimulator({ instances: [{ name: "acme", users: 150, plant: false }] });
    const m = sim.manifest();
    for (const id of CONTROL_IDS) {
      assert.deepEqual(m.controls[id].violations, [], id);
      assert.deepEqual(m.controls[id].properties, [], id);
    }
    assert.ok(m.hardening.every((h) => h.compliant));
  });
});

Deno.test("clock.advance() applies updates, inserts and deletions record by record", () => {
  const sim = small();
  const ds = sim.instance().dataset;
  const before = sim.manifest().asOf;
  const users = ds.table("sys_user");
  const mods = new Map(users.rows.map((r) => [r[0]!, users.get(r, "sys_mod_count")]));
  const report = sim.clock.advance("2d").acme!;
  assert.equal(report.from, "2026-06-01 00:00:00");
  assert.equal(report.to, "2026-06-03 00:00:00");
  assert.ok((report.updated.sys_user ?? []).length > 0);
  for (const id of report.updated.sys_user!) {
    const row = users.byId.get(id)!;
    assert.ok(Number(users.get(row, "sys_mod_count")) > Number(mods.get(id) ?? "0"));
    assert.ok(users.get(row, "sys_updated_on") > "2026-06-01 00:00:00");
  }
  assert.ok((report.inserted.incident ?? []).every((id) => ds.table("incident").byId.has(id)));
  assert.ok(
    (report.deleted.syslog_transaction ?? []).length +
        (report.deleted.sys_user_has_role ?? []).length > 0,
  );
  for (const [table, ids] of Object.entries(report.deleted)) {
    for (const id of ids) assert.ok(!ds.table(table).byId.has(id), `${table} ${id} still present`);
  }
  assert.notEqual(sim.manifest().asOf, before);
});

Deno.test("simulator serves several instances by path prefix and by Host header", async () => {
  const sim = createSnowSimulator({
    instances: [{ name: "acme", users: 60 }, { name: "globex", users: 80, seed: 9 }],
  });
  const a = await get(sim, "/acme/api/now/stats/sys_user?sysparm_count=true");
  const g = await get(sim, "/globex/api/now/stats/sys_user?sysparm_count=true");
  assert.notDeepEqual(a.body, g.body);
  const res = await sim.fetch(
    new Request(
      "http://globex.service-now.com/api/now/table/sys_user?sysparm_limit=1&sysparm_fields=manager,sys_id",
      {
        headers: { authorization: BASIC, host: "globex.service-now.com" },
      },
    ),
  );
  assert.equal(res.status, 200);
  assert.match(
    res.headers.get("link")!,
    /^<http:\/\/globex\.service-now\.com\/api\/now\/table\/sys_user\?/,
  );
  const unknown = await get(sim, "/initech/api/now/table/sys_user");
  assert.equal(unknown.status, 400);
});

Deno.test("admin endpoint steers knobs, advances time and serves the manifest", async () => {
  const sim = small({ adminToken: "s3cret" });
  const admin = (path: string, init: RequestInit = {}) =>
    sim.fetch(
      new Request(ORIGIN + path, {
        ...init,
        headers: {
          "x-sim-admin-token": "s3cret",
          "content-type": "application/json",
          ...(init.headers ?? {}),
        },
      }),
    );
  assert.equal((await sim.fetch(new Request(ORIGIN + "/_sim"))).status, 401);
  const info = await (await admin("/_sim")).json();
  assert.equal(info.instances[0].baseUrl, `${ORIGIN}/acme`);
  const knobs = await (await admin("/_sim/instances/acme/knobs", {
    method: "PATCH",
    body: JSON.stringify({ hibernating: true }),
  })).json();
  assert.equal(knobs.hibernating, true);
  assert.equal(
    (await admin("/_sim/instances/acme/knobs", {
      method: "PATCH",
      body: JSON.stringify({ latencyMs: -1 }),
    })).status,
    400,
  );
  await admin("/_sim/instances/acme/knobs", { method: "DELETE" });
  assert.equal(sim.knobs().hibernating, false);
  const adv = await (await admin("/_sim/advance", {
    method: "POST",
    body: JSON.stringify({ duration: "1h" }),
  })).json();
  assert.equal(adv.acme.to, "2026-06-01 01:00:00");
  const manifest = await (await admin("/_sim/instances/acme/manifest")).json();
  assert.equal(manifest.asOf, "2026-06-01 01:00:00");
  assert.ok(manifest.controls.A1.violations.length > 0);
});

Deno.test("simulator delays responses and cancels transactions over the quota", async () => {
  const slept: number[] = [];
  const sim = small({ sleep: (ms) => (slept.push(ms), Promise.resolve()) });
  sim.setKnobs({ latencyMs: 250 });
  assert.equal((await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1")).status, 200);
  assert.deepEqual(slept, [250]);
  sim.setKnobs({ latencyMs: 250, transactionTimeoutMs: 100 });
  const cancelled = await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1");
  assert.equal(cancelled.status, 500);
  assert.equal(
    (cancelled.body as { error: { message: string } }).error.message,
    "Transaction cancelled: maximum execution time exceeded",
  );
  sim.setKnobs({ latencyMs: 0, slowPage: { everyNth: 2, delayMs: 40 } });
  slept.length = 0;
  for (let i = 0; i < 4; i++) await get(sim, "/acme/api/now/table/sys_user?sysparm_limit=1");
  assert.deepEqual(slept, [40, 40]);
});
