// Tracing end to end: a function started with OTEL_DENO=true exports OTLP to a
// small receiver; a request's server span has the database transaction as its
// child (with the statements as events), and a task published inside a span
// carries that trace to QStash for the delivery to continue.
import assert from "node:assert/strict";
import {
  childEnv,
  createTestAuth,
  createTestDatabase,
  freePort,
  functionEnv,
  liveSessionToken,
  waitUntilServing,
} from "../../scripts/testing/mod.ts";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: { stringValue?: string } }[];
  events?: { name: string; attributes?: { key: string; value: { stringValue?: string } }[] }[];
}

const spans: OtlpSpan[] = [];
const receiver = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
  const path = new URL(req.url).pathname;
  const body = await req.text();
  if (path === "/v1/traces") {
    const data = JSON.parse(body) as {
      resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
    };
    for (const rs of data.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
  }
  return Response.json({});
});
const otlpEndpoint = `http://127.0.0.1:${receiver.addr.port}`;

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const owner = await auth.createUser(tdb.db, { orgName: "Traced Org" });
const token = await liveSessionToken(auth, tdb.db, owner);
// PGlite serves one connection at a time: hand it to the function process.
await tdb.db.close();
Deno.test.afterAll(async () => {
  await tdb.close();
  await receiver.shutdown();
});

const otelEnv = {
  OTEL_DENO: "true",
  OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
  OTEL_BSP_SCHEDULE_DELAY: "100",
};

async function waitFor<T>(what: string, find: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const attribute = (span: OtlpSpan, key: string) =>
  span.attributes?.find((a) => a.key === key)?.value.stringValue;

Deno.test("a request's span has its database transaction as a child, statements as events", async () => {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "functions/organizations/index.ts"],
    cwd: new URL("../..", import.meta.url),
    clearEnv: true,
    env: childEnv({
      ...otelEnv,
      OTEL_SERVICE_NAME: "organizations",
      ...functionEnv({ port, databaseUrl: tdb.url, jwks: auth.jwks }),
    }),
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const base = `http://127.0.0.1:${port}/organizations`;
    await waitUntilServing(`${base}/health`, child);
    const res = await fetch(`${base}/${owner.orgId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();

    const server = await waitFor(
      "the request's server span",
      () =>
        spans.find((s) =>
          s.kind === 2 && (attribute(s, "url.path") ?? "").endsWith(`/organizations/${owner.orgId}`)
        ),
    );
    const transaction = await waitFor(
      "a database span under the request",
      () =>
        spans.find((s) =>
          s.name === "db.transaction" && s.traceId === server.traceId &&
          s.parentSpanId === server.spanId
        ),
    );
    assert.equal(attribute(transaction, "db.system"), "postgresql");
    assert.equal(attribute(transaction, "db.user"), "authenticated");
    const statements = (transaction.events ?? []).filter((e) => e.name === "db.statement");
    assert.ok(statements.length > 0, "the statements are recorded");
    assert.ok(
      statements.every((e) => !JSON.stringify(e).includes(token)),
      "no parameters or tokens in spans",
    );
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
});

Deno.test("a task published inside a span carries the trace to QStash", async () => {
  const published: Headers[] = [];
  const qstash = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    published.push(req.headers);
    return Response.json({ messageId: "msg_traced" });
  });
  try {
    const probe = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "shared/telemetry/_publish_probe.ts"],
      cwd: new URL("../..", import.meta.url),
      clearEnv: true,
      env: childEnv({
        ...otelEnv,
        OTEL_SERVICE_NAME: "publisher",
        QSTASH_URL: `http://127.0.0.1:${qstash.addr.port}`,
      }),
      stdout: "piped",
      stderr: "piped",
    });
    const out = await probe.output();
    const stdout = new TextDecoder().decode(out.stdout).trim();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const { traceId } = JSON.parse(stdout) as { traceId: string };
    const publish = published.find((h) => h.has("upstash-forward-traceparent"));
    assert.ok(publish, "the publish forwards traceparent to the delivery");
    assert.match(publish.get("upstash-forward-traceparent")!, new RegExp(`^00-${traceId}-`));
  } finally {
    await qstash.shutdown();
  }
});
