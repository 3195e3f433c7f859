import assert from "node:assert/strict";
import { createSnowSimulator, type SnowSimulator } from "../../../scripts/snow_sim/mod.ts";
import type { InstanceOptions } from "../../../scripts/snow_sim/mod.ts";
import {
  type ClientEvent,
  createServiceNowClient,
  isServiceNowError,
  RateLimiter,
  Semaphore,
  type ServiceNowClient,
  type ServiceNowClientOptions,
  ServiceNowError,
} from "./mod.ts";

const PASSWORD = "integration-password";
const SECRET = "connector-secret";

interface Harness {
  sim: SnowSimulator;
  url: string;
  /** Shared fake wall clock (ms) of the simulator and the client's sleeps. */
  clock: { now: number };
  client(extra?: Partial<ServiceNowClientOptions>): ServiceNowClient;
  events: ClientEvent[];
  close(): Promise<void>;
}

/** Starts a simulator over real HTTP on port 0 with a fake clock the client's sleeps advance. */
function harness(instance: Partial<InstanceOptions> = {}): Harness {
  const clock = { now: 1_700_000_000_000 };
  const sim = createSnowSimulator({
    instances: [{ name: "acme", users: 120, changes: 80, incidents: 80, ...instance }],
    wallClock: () => clock.now,
  });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, sim.fetch);
  const url = `http://127.0.0.1:${server.addr.port}/acme`;
  const events: ClientEvent[] = [];
  return {
    sim,
    url,
    clock,
    events,
    client: (extra = {}) =>
      createServiceNowClient({
        baseUrl: url,
        auth: { kind: "basic", username: "complianceiq.integration", password: PASSWORD },
        requestsPerSecond: 10_000,
        sleep: (ms) => {
          clock.now += ms;
          return Promise.resolve();
        },
        now: () => clock.now,
        random: () => 0.5,
        onEvent: (e) => events.push(e),
        ...extra,
      }),
    close: () => server.shutdown(),
  };
}

async function collect(
  client: ServiceNowClient,
  table: string,
  options = {},
): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for await (const batch of client.iterateRecords(table, options)) out.push(...batch.records);
  return out;
}

Deno.test("iterateRecords() pages a table exactly, with Basic and with OAuth", async (t) => {
  const h = harness();
  try {
    const expected = h.sim.instance().dataset.table("sys_user_has_role").rows.map((r) => r[0]!);
    await t.step("basic", async () => {
      const rows = await collect(h.client({ pageSize: 97 }), "sys_user_has_role", {
        fields: ["user", "role"],
      });
      assert.deepEqual(rows.map((r) => r.sys_id), expected);
      assert.ok(
        rows.every((r) => typeof r.user === "string" && typeof r.sys_updated_on === "string"),
      );
    });
    await t.step("oauth client_credentials", async () => {
      const client = h.client({
        pageSize: 500,
        auth: { kind: "oauth", clientId: "complianceiq-connector", clientSecret: SECRET },
      });
      const rows = await collect(client, "sys_user_has_role", { fields: ["role"] });
      assert.deepEqual(rows.map((r) => r.sys_id), expected);
    });
  } finally {
    await h.close();
  }
});

Deno.test("Basic auth sends a password beyond Latin-1 as UTF-8", async () => {
  const password = "Пароль-密码-🔐";
  const h = harness({ integrationUser: { password } });
  try {
    const rows = await collect(
      h.client({ auth: { kind: "basic", username: "complianceiq.integration", password } }),
      "sys_user_role",
      { fields: ["name"] },
    );
    assert.ok(rows.length > 0);
  } finally {
    await h.close();
  }
});

Deno.test("iterateRecords() retries through 429s and 5xx bursts, honouring Retry-After", async () => {
  const h = harness();
  try {
    h.sim.setKnobs({
      rateLimit: { limit: 3, windowSeconds: 30 },
      burst: { status: 503, count: 2 },
    });
    const rows = await collect(h.client({ pageSize: 40 }), "incident", { fields: ["number"] });
    assert.equal(rows.length, 80);
    const retries = h.events.filter((e) => e.type === "retry");
    assert.ok(retries.some((e) => e.type === "retry" && e.reason === "status 503"));
    const rateRetry = retries.find((e) => e.type === "retry" && e.reason === "rate limited (429)");
    assert.ok(rateRetry, "retried a 429");
    assert.ok(
      rateRetry.type === "retry" && rateRetry.delayMs >= 1000,
      "waited at least Retry-After",
    );
  } finally {
    await h.close();
  }
});

Deno.test("iterateRecords() gives up with rate_limited when retries run out", async () => {
  const h = harness();
  try {
    h.sim.setKnobs({ rateLimit: { limit: 1, windowSeconds: 3600 } });
    const client = h.client({ maxAttempts: 3, maxRetryAfterMs: 1000 });
    await client.getRecord("sys_user", "0123456789abcdef0123456789abcdef");
    await assert.rejects(
      () => collect(client, "incident"),
      (e) => isServiceNowError(e, "rate_limited") && e.retryAfterMs! > 1000,
    );
  } finally {
    await h.close();
  }
});

Deno.test("iterateRecords() re-authenticates once when the token expires mid-sync", async () => {
  const h = harness({ knobs: { accessTokenTtlSeconds: 600 } });
  try {
    let fakeClientNow = 0;
    const client = h.client({
      pageSize: 30,
      auth: { kind: "oauth", clientId: "complianceiq-connector", clientSecret: SECRET },
      now: () => fakeClientNow, // the client believes its token is still fresh
    });
    const seen: string[] = [];
    for await (const batch of client.iterateRecords("incident", { fields: ["number"] })) {
      seen.push(...batch.records.map((r) => r.sys_id!));
      h.clock.now += 700_000; // the server's clock moves past the token lifetime
      fakeClientNow += 1;
    }
    assert.equal(seen.length, 80);
    const tokens = h.events.filter((e) => e.type === "token" && e.ok);
    assert.ok(tokens.length >= 2, "fetched a new token after the 401");
  } finally {
    await h.close();
  }
});

Deno.test("iterateRecords() uses the password grant and its refresh token where allowed", async () => {
  const h = harness({ knobs: { ropcDisabled: false, accessTokenTtlSeconds: 120 } });
  try {
    const client = h.client({
      pageSize: 40,
      tokenRefreshSkewMs: 60_000,
      auth: {
        kind: "oauth",
        clientId: "complianceiq-connector",
        clientSecret: SECRET,
        grant: "password",
        username: "complianceiq.integration",
        password: PASSWORD,
      },
    });
    for await (const _ of client.iterateRecords("incident")) h.clock.now += 90_000;
    const grants = h.events.flatMap((e) => (e.type === "token" ? [e.grant] : []));
    assert.equal(grants[0], "password");
    assert.ok(grants.includes("refresh_token"));
    h.sim.setKnobs({ ropcDisabled: true });
    const fresh = h.client({
      auth: {
        kind: "oauth",
        clientId: "complianceiq-connector",
        clientSecret: SECRET,
        grant: "password",
        username: "complianceiq.integration",
        password: PASSWORD,
      },
    });
    await assert.rejects(
      () => collect(fresh, "incident"),
      (e) => isServiceNowError(e, "auth_failed") && /unsupported_grant_type/.test(e.message),
    );
  } finally {
    await h.close();
  }
});

Deno.test("iterateRecords() retries truncated JSON bodies", async () => {
  const h = harness();
  try {
    h.sim.setKnobs({ truncateNext: 2 });
    const rows = await collect(h.client({ pageSize: 50 }), "change_request", {
      fields: ["number"],
    });
    assert.equal(rows.length, 80);
    assert.ok(h.events.some((e) => e.type === "retry" && e.reason === "invalid JSON body"));
  } finally {
    await h.close();
  }
});

Deno.test("the client reports a hibernating instance instead of parsing its HTML", async () => {
  const h = harness();
  try {
    h.sim.setKnobs({ hibernating: true });
    const client = h.client();
    await assert.rejects(
      () => collect(client, "sys_user"),
      (e) => isServiceNowError(e, "unavailable") && e.reason === "hibernating",
    );
    const health = await client.ping();
    assert.equal(health.reachable, false);
    assert.equal(health.error?.kind, "unavailable");
  } finally {
    await h.close();
  }
});

Deno.test("the client distinguishes unreadable, missing and unauthorised", async () => {
  const h = harness({ integrationUser: { roles: ["snc_read_only"] } });
  try {
    const client = h.client();
    await assert.rejects(
      () => collect(client, "sys_audit"),
      (e) => isServiceNowError(e, "not_readable") && e.status === 403 && e.table === "sys_audit",
    );
    await assert.rejects(
      () => collect(client, "u_no_such_table"),
      (e) => isServiceNowError(e, "not_found"),
    );
    assert.equal(await client.getRecord("sys_user", "0123456789abcdef0123456789abcdef"), null);
    const health = await client.ping({ tables: ["sys_user", "sys_audit", "u_no_such_table"] });
    assert.equal(health.authenticated, true);
    assert.equal(health.buildTag, null);
    assert.deepEqual(health.tables, {
      sys_properties: "not_readable",
      sys_user: "readable",
      sys_audit: "not_readable",
      u_no_such_table: "not_found",
    });
    const wrong = h.client({
      auth: { kind: "basic", username: "complianceiq.integration", password: "hunter2-wrong" },
    });
    await assert.rejects(() => collect(wrong, "sys_user"), (e) => {
      assert.ok(isServiceNowError(e, "auth_failed"));
      assert.ok(!e.message.includes("hunter2-wrong"));
      return true;
    });
    const badSecret = h.client({
      auth: { kind: "oauth", clientId: "complianceiq-connector", clientSecret: "s3cr3t-wrong" },
    });
    await assert.rejects(() => collect(badSecret, "sys_user"), (e) => {
      assert.ok(isServiceNowError(e, "auth_failed"));
      assert.ok(
        !e.message.includes("s3cr3t-wrong") && !JSON.stringify(h.events).includes("s3cr3t-wrong"),
      );
      return true;
    });
  } finally {
    await h.close();
  }
});

Deno.test("iterateRecords() gets every readable row although ACLs empty whole pages", async () => {
  const h = harness({
    readAcl: { rows: { incident: { condition: "state=1^ORstate=2", roles: ["security_admin"] } } },
  });
  try {
    const ds = h.sim.instance().dataset;
    const inc = ds.table("incident");
    const visible = inc.rows.filter((r) => ["1", "2"].includes(inc.get(r, "state"))).map((r) =>
      r[0]!
    );
    assert.ok(visible.length > 0 && visible.length < 40);
    const rows = await collect(h.client({ pageSize: 5 }), "incident", { fields: ["state"] });
    assert.deepEqual(rows.map((r) => r.sys_id), visible);
  } finally {
    await h.close();
  }
});

Deno.test("incremental sync and key scans follow simulated changes record by record", async () => {
  const h = harness();
  try {
    const client = h.client({ pageSize: 200 });
    let watermark = "";
    for await (const b of client.iterateRecords("sys_user", { fields: ["user_name"] })) {
      if (b.maxUpdatedOn && b.maxUpdatedOn > watermark) watermark = b.maxUpdatedOn;
    }
    const report = h.sim.clock.advance("12h").acme!;
    const changed = await collect(client, "sys_user", {
      updatedSince: watermark,
      overlapSeconds: 0,
      fields: ["last_login_time"],
    });
    const got = new Set(changed.map((r) => r.sys_id));
    for (const id of [...(report.updated.sys_user ?? []), ...(report.inserted.sys_user ?? [])]) {
      assert.ok(got.has(id), `missed ${id}`);
    }
    const keys: string[] = [];
    for await (const page of client.iterateKeys("sys_user_has_role", { pageSize: 300 })) {
      keys.push(...page);
    }
    const current = h.sim.instance().dataset.table("sys_user_has_role").rows.map((r) => r[0]!);
    assert.deepEqual(keys, current);
    for (const id of report.deleted.sys_user_has_role ?? []) assert.ok(!keys.includes(id));
  } finally {
    await h.close();
  }
});

Deno.test("getRecord(), aggregate counts and ping() read the instance", async () => {
  const h = harness();
  try {
    const client = h.client();
    const ds = h.sim.instance().dataset;
    const users = ds.table("sys_user");
    const row = users.rows[3]!;
    const rec = await client.getRecord("sys_user", row[0]!, { fields: ["user_name", "manager"] });
    assert.equal(rec?.user_name, users.get(row, "user_name"));
    assert.equal(rec?.manager, users.get(row, "manager"));
    assert.equal(await client.aggregateCount("sys_user"), users.size);
    const active = users.rows.filter((r) => users.get(r, "active") === "true").length;
    assert.equal(await client.aggregateCount("sys_user", { query: "active=true" }), active);
    const groups = await client.aggregateGroupCounts("sys_user", ["active"]);
    assert.equal(groups.find((g) => g.values.active === "true")?.count, active);
    const health = await client.ping({ tables: ["sys_user"] });
    assert.equal(health.buildTag, "glide-australia-12-10-2025__patch2-02-18-2026");
    assert.equal(health.tables.sys_user, "readable");
    await assert.rejects(
      () => client.getRecord("sys_user", "../admin"),
      (e) => isServiceNowError(e, "bad_request"),
    );
    await assert.rejects(
      () => collect(client, "sys_user", { query: "a>javascript:gs.eval(1)" }),
      (e) => isServiceNowError(e, "bad_request"),
    );
  } finally {
    await h.close();
  }
});

Deno.test("the client keeps its per-instance concurrency bound", async () => {
  const h = harness();
  try {
    let inFlight = 0;
    let peak = 0;
    const client = h.client({
      concurrency: 2,
      fetch: async (input, init) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        try {
          await new Promise((r) => setTimeout(r, 5));
          return await fetch(input, init);
        } finally {
          inFlight--;
        }
      },
    });
    const ids = h.sim.instance().dataset.table("sys_user").rows.slice(0, 8).map((r) => r[0]!);
    const recs = await Promise.all(ids.map((id) => client.getRecord("sys_user", id)));
    assert.equal(recs.filter(Boolean).length, 8);
    assert.equal(peak, 2);
  } finally {
    await h.close();
  }
});

Deno.test("RateLimiter spaces requests to the configured rate", async () => {
  let now = 0;
  const slept: number[] = [];
  const limiter = new RateLimiter({
    requestsPerSecond: 10,
    now: () => now,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
  });
  for (let i = 0; i < 30; i++) await limiter.acquire();
  // A burst of 10 is free; the other 20 take about 2 s of (fake) time at 10/s.
  assert.ok(now >= 1900 && now <= 2100, `took ${now} ms of fake time`);
  assert.ok(slept.length >= 20);
});

Deno.test("Semaphore releases waiters in order and rejects on abort", async () => {
  const s = new Semaphore(1);
  const release = await s.acquire();
  const ctl = new AbortController();
  const waiting = s.acquire(ctl.signal);
  ctl.abort(new Error("stop"));
  await assert.rejects(waiting);
  release();
  const again = await s.acquire();
  again();
  assert.throws(() => new Semaphore(0));
});

Deno.test("ServiceNowError carries kind, status and table", () => {
  const e = new ServiceNowError(
    "not_readable",
    'Cannot sync table "sys_audit": instance returned 403 (not readable)',
    {
      status: 403,
      table: "sys_audit",
    },
  );
  assert.equal(e.status, 403);
  assert.equal(e.table, "sys_audit");
  assert.equal(e.name, "ServiceNowError");
  assert.ok(isServiceNowError(e, "not_readable"));
  assert.equal(isServiceNowError(new Error("x")), false);
  assert.equal(isServiceNowError(e, "auth_failed"), false);
});

Deno.test("the client times out slow requests and reports the instance unavailable", async () => {
  const h = harness();
  try {
    h.sim.setKnobs({ latencyMs: 300 });
    const client = h.client({ timeoutMs: 20, maxAttempts: 2 });
    await assert.rejects(
      () => client.getRecord("sys_user", "0123456789abcdef0123456789abcdef"),
      (e) => isServiceNowError(e, "unavailable") && e.reason === "timeout",
    );
    h.sim.setKnobs({ latencyMs: 0 });
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(
      () =>
        client.getRecord("sys_user", "0123456789abcdef0123456789abcdef", { signal: ctl.signal }),
      (e) => isServiceNowError(e, "aborted"),
    );
  } finally {
    await h.close();
  }
});

Deno.test("the client does not follow redirects: a redirect to an internal address is an error", async () => {
  const internal: Request[] = [];
  const target = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    internal.push(req);
    return Response.json({ result: [{ value: "metadata" }] });
  });
  const redirecting = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (req) =>
      new Response(null, {
        status: 302,
        headers: {
          location: `http://127.0.0.1:${target.addr.port}/latest/meta-data?token=secret${
            new URL(req.url).search.length
          }`,
        },
      }),
  );
  try {
    const client = createServiceNowClient({
      baseUrl: `http://127.0.0.1:${redirecting.addr.port}`,
      auth: { kind: "basic", username: "complianceiq.integration", password: PASSWORD },
    });
    const health = await client.ping();
    assert.equal(health.reachable, false);
    assert.equal(health.error?.kind, "bad_response");
    assert.match(
      health.error!.message,
      new RegExp(`redirects to http://127\\.0\\.0\\.1:${target.addr.port};`),
    );
    assert.ok(!health.error!.message.includes("secret"), "the redirect's query is not repeated");
    assert.equal(internal.length, 0, "the redirect target was never requested");
  } finally {
    await redirecting.shutdown();
    await target.shutdown();
  }
});
