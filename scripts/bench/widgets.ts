// deno task bench widgets [--orgs 100] [--seconds 10] [--concurrency 200] [--pool 4]
//
// The public embed JSON endpoint (`GET /widgets/embed/:token.json`): one
// score-gauge embed in each of 100 organizations, 200 concurrent viewers
// spread over the embeds, with a warm posture cache, against a bare `select 1`
// endpoint in the same run, on the PostgreSQL server (DATABASE_URL, default the
// local server). Every view still verifies its token in the database (a
// revoked embed must answer 410 at once), counts against the embed's rate
// limit and is metered; only the aggregate comes from the cache.
//
// The organizations have no instances: with a warm cache the aggregate's size
// changes only the JSON parse of the cached body, which the dashboard
// benchmark measures with real data.
import { parseArgs } from "node:util";
import { createWidgetsApp } from "../../functions/widgets/app.ts";
import { createMemoryCache } from "../../shared/cache/mod.ts";
import { loadConfig } from "../../shared/env/mod.ts";
import type { Services } from "../../shared/http/mod.ts";
import { createLogger } from "../../shared/log/mod.ts";
import { createTaskClientFromConfig } from "../../shared/tasks/mod.ts";
import { createTestAuth } from "../testing/mod.ts";
import { benchDatabase, type LoadResult, loadTest, report, selectOneApp } from "./_harness.ts";

const { values } = parseArgs({
  args: Deno.args.slice(1),
  options: {
    orgs: { type: "string", default: "100" },
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "200" },
    pool: { type: "string", default: "4" },
  },
});
const ORGS = Number(values.orgs);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);

const { tdb, db } = await benchDatabase(Number(values.pool));
const auth = await createTestAuth();
// The embed budget is per embed per minute; the run must measure the endpoint, not 429s.
const config = loadConfig({ RATE_LIMIT_PER_MINUTE: "0" });
const log = createLogger({ level: "silent" });
const services: Services = {
  config,
  db,
  log,
  auth: auth.verifier,
  tasks: createTaskClientFromConfig(config, { db, log }),
  cache: createMemoryCache(),
};
const app = createWidgetsApp(services);

async function call(token: string, method: string, path: string, body: unknown) {
  const res = await app.request(`http://localhost/widgets${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`Benchmark setup: ${path} answered ${await res.text()}`);
  return (await res.json()).data;
}

const tokens: string[] = [];
for (let i = 0; i < ORGS; i++) {
  const owner = await auth.createUser(db, { orgName: `Embed org ${i}` });
  await db.sql`update public.organizations set plan = 'enterprise' where id = ${owner.orgId!}`;
  const widget = await call(owner.token, "POST", "", {
    org_id: owner.orgId,
    name: "Score",
    template: "score_gauge",
  });
  tokens.push((await call(owner.token, "POST", `/${widget.id}/embeds`, { name: "Bench" })).token);
}

const baseline = selectOneApp(services, db);
const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
  return new URL(req.url).pathname.startsWith("/widgets/") ? app.fetch(req) : baseline.fetch(req);
});
const base = `http://127.0.0.1:${server.addr.port}`;
const targets = tokens.map((t) => ({ url: `${base}/widgets/embed/${t}.json` }));

// Warm: one view per embed fills the posture cache.
for (const t of targets) await (await fetch(t.url)).arrayBuffer();
const again = await fetch(targets[0]!.url);
await again.arrayBuffer();
if (again.status !== 200 || again.headers.get("x-cache") !== "hit") {
  throw new Error(`The warm cache did not fill (${again.status})`);
}

report(
  `bench widgets: ${ORGS} embeds in ${ORGS} organizations, ${concurrency} concurrent viewers, ${seconds}s, pool ${values.pool}, ${tdb.kind} database`,
);
const select1 = await loadTest(`${base}/bench/select1`, { concurrency, seconds });
report(`  select 1 (baseline)         ${fmt(select1)}`);
const embeds = await loadTest(targets, { concurrency, seconds });
report(`  embed JSON, warm cache      ${fmt(embeds)}`);
const ratio = +(embeds.rps / select1.rps).toFixed(2);
report(`  ratio ${ratio} (target ≥ 0.5)`);

await server.shutdown();
await db.close();
await tdb.close();
report(JSON.stringify({
  bench: "widgets",
  ratio,
  rps: embeds.rps,
  p95_ms: embeds.p95_ms,
  errors: embeds.errors,
  embeds: ORGS,
  concurrency,
  baseline: select1,
  embed: embeds,
}));

function fmt(r: LoadResult): string {
  return `${r.rps.toFixed(0)} req/s, p50 ${r.p50_ms} ms, p95 ${r.p95_ms} ms, errors ${r.errors}`;
}
