// deno task bench sync [--users 100000] [--changes 50000] [--small-users 20000] [--page 2000]
//                      [--latency-ms 100]
//
// Full sync of a simulated instance into PostgreSQL through the production path
// (the `servicenow.sync` task on the in-process queue: Table API client over
// loopback HTTP, keyset pages read one ahead, one upsert statement and one
// checkpoint per page, under worker claims and forced RLS), against a raw paged
// fetch of the same tables and fields with the same client and no writes,
// measured in the same run. The simulator answers each request after
// --latency-ms (a real instance takes longer than 100 ms for a 2,000-record
// page); the large size is also measured with no latency at all, where the
// simulator serves pages from memory and the ratio shows the database's write
// ceiling. Two instance sizes show whether peak RSS grows with N; on the large
// one, 1% of every table's records are then changed and an incremental sync is
// timed. The simulator runs in a child process so its memory is not counted.
// PostgreSQL server (DATABASE_URL, default the local server).
import { parseArgs } from "node:util";
import { connectDatabase } from "../../shared/db/mod.ts";
import { loadConfig } from "../../shared/env/mod.ts";
import {
  configureInstanceRuntime,
  generateKey,
  type InstanceRuntime,
  openInstanceClient,
} from "../../shared/instances/mod.ts";
import { createTestAuth } from "../testing/mod.ts";
import { createTestDatabase } from "../testing/database.ts";
import { report } from "./_harness.ts";

const { values } = parseArgs({
  args: Deno.args.slice(1),
  options: {
    users: { type: "string", default: "100000" },
    changes: { type: "string", default: "50000" },
    incidents: { type: "string", default: "50000" },
    "small-users": { type: "string", default: "20000" },
    page: { type: "string", default: "2000" },
    "latency-ms": { type: "string", default: "100" },
    pool: { type: "string", default: "5" },
  },
});
const users = Number(values.users);
const latencyMs = Number(values["latency-ms"]);
const ratioSmall = Number(values["small-users"]) / users;
const sizes = [
  {
    label: "small",
    users: Number(values["small-users"]),
    changes: Math.round(Number(values.changes) * ratioSmall),
    incidents: Math.round(Number(values.incidents) * ratioSmall),
  },
  {
    label: "large",
    users,
    changes: Number(values.changes),
    incidents: Number(values.incidents),
  },
];

Deno.env.set(
  "DATABASE_URL",
  Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres",
);
const tdb = await createTestDatabase();
const db = connectDatabase(tdb.url, { max: Number(values.pool) });
const auth = await createTestAuth();
const owner = await auth.createUser(db, { orgName: "Bench Sync Org" });
const orgId = owner.orgId!;
// Sync only: the analysis that normally follows a sync is measured by `bench analysis`.
await db.sql`update public.organizations
  set plan = 'enterprise', settings = settings || '{"analyze_after_sync": false}'::jsonb
  where id = ${orgId}`;

const keys = `bench:${generateKey()}`;
const runtime: InstanceRuntime = await configureInstanceRuntime({
  config: loadConfig({
    CREDENTIALS_KEYS: keys,
    ALLOW_PRIVATE_INSTANCE_URLS: "true",
    // The raw-fetch baseline reads every record: no log/audit windows here.
    SYNC_LOG_WINDOW_DAYS: "0",
    SYNC_AUDIT_WINDOW_DAYS: "0",
    SYNC_PAGE_SIZE: values.page,
  }),
  // The simulator has no rate limit here; the client's own limiter would be the bottleneck.
  client: { requestsPerSecond: 10_000 },
});
const credentials = {
  type: "basic" as const,
  username: "complianceiq.integration",
  password: "integration-password",
};

interface SimChild {
  baseUrl: string;
  origin: string;
  tables: Record<string, number>;
  stop(): Promise<void>;
}

async function startSim(size: typeof sizes[number]): Promise<SimChild> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./_sync_sim.ts", import.meta.url).pathname,
      JSON.stringify(size),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("Cannot start the simulator: it exited before it was ready");
    text += value;
  }
  const ready = JSON.parse(text.split("\n")[0]!) as {
    port: number;
    tables: Record<string, number>;
  };
  const origin = `http://127.0.0.1:${ready.port}`;
  return {
    origin,
    baseUrl: `${origin}/bench`,
    tables: ready.tables,
    async stop() {
      child.kill("SIGTERM");
      await reader.cancel().catch(() => {});
      await child.status;
    },
  };
}

/** Runs one sync in a fresh child process (its RSS is the sync's alone). */
async function runSync(instanceId: string, mode: "full" | "incremental") {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./_sync_run.ts", import.meta.url).pathname,
      JSON.stringify({ databaseUrl: tdb.url, orgId, instanceId, mode, keys, page: values.page }),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  const result = JSON.parse(lines.at(-1)!) as {
    status: string;
    error: string | null;
    seconds: number;
    fetched: number;
    upserted: number;
    startRss: number;
    peakRss: number;
  };
  if (!out.success || result.status === "failed" || result.status === "missing") {
    throw new Error(`Cannot benchmark: the ${mode} sync failed (${result.error ?? result.status})`);
  }
  return result;
}

/**
 * The same tables, fields and filters as the sync, read the way the sync reads
 * them (counts requested ahead, one page read ahead, stop once the count is
 * reached), with the same client and no database at all.
 */
async function rawFetch(baseUrl: string, available: Record<string, number>) {
  const client = await openInstanceClient(runtime, { url: baseUrl, credentials });
  const started = performance.now();
  const plan = runtime.plan().filter((spec) => spec.table in available);
  const counts = plan.map((spec) =>
    client.aggregateCount(spec.table, { query: spec.filter }).catch(() => null)
  );
  let records = 0;
  for (const [i, spec] of plan.entries()) {
    const total = await counts[i]!;
    if (total === 0) continue;
    const pages = client.iterateRecords(spec.table, {
      fields: spec.fields,
      query: spec.filter,
      pageSize: runtime.config.SYNC_PAGE_SIZE,
    });
    let next: Promise<IteratorResult<{ records: unknown[] }>> | null = pages.next();
    let seen = 0;
    while (next) {
      const page = await next;
      if (page.done) break;
      seen += page.value.records.length;
      next = total === null || seen < total ? pages.next() : null;
      records += page.value.records.length;
    }
    await pages.return(undefined);
  }
  return { seconds: (performance.now() - started) / 1000, records };
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

async function setLatency(sim: SimChild, ms: number): Promise<void> {
  const res = await fetch(`${sim.origin}/_sim/instances/bench/knobs`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ latencyMs: ms }),
  });
  if (!res.ok) throw new Error(`Cannot set the simulator's latency: ${res.status}`);
  await res.body?.cancel();
}

async function addInstance(sim: SimChild, name: string): Promise<string> {
  const instanceId = crypto.randomUUID();
  const envelope = await runtime.keyring.seal(credentials, { orgId, instanceId });
  await db.sql`
    insert into public.instances (id, org_id, name, url, auth_type, credentials)
    values (${instanceId}, ${orgId}, ${name}, ${sim.baseUrl}, 'basic',
            ${db.sql.json(envelope as never)})`;
  return instanceId;
}
const results: Record<string, Record<string, number>> = {};
let incremental: { seconds: number; changed: number; fetched: number; upserted: number } | null =
  null;
let zeroLatency: { sync_rps: number; raw_rps: number } | null = null;

for (const size of sizes) {
  report(
    `\n${size.label}: ${size.users} users, ${size.changes} changes, ${size.incidents} incidents`,
  );
  const sim = await startSim(size);
  try {
    const planned = runtime.plan().filter((t) => t.table in sim.tables);
    report(
      `  simulator ready: ${
        planned.map((t) => `${t.table} ${sim.tables[t.table]}`).filter((s) => !s.endsWith(" 0"))
          .join(", ")
      }`,
    );
    const instanceId = await addInstance(sim, `bench ${size.label}`);
    await setLatency(sim, latencyMs);
    const raw = await rawFetch(sim.baseUrl, sim.tables);
    report(`  raw paged fetch: ${raw.records} records in ${raw.seconds.toFixed(1)} s`);
    const full = await runSync(instanceId, "full");
    const peakRss = full.peakRss;
    report(
      `  full sync:       ${full.fetched} records in ${full.seconds.toFixed(1)} s, peak RSS ${
        mb(peakRss)
      } MB`,
    );
    results[size.label] = {
      records: full.fetched,
      sync_s: full.seconds,
      sync_rps: full.fetched / full.seconds,
      raw_rps: raw.records / raw.seconds,
      peak_rss_mb: mb(peakRss),
    };

    if (size.label === "large") {
      await setLatency(sim, 0);
      const raw0 = await rawFetch(sim.baseUrl, sim.tables);
      const full0 = await runSync(await addInstance(sim, "bench zero latency"), "full");
      zeroLatency = {
        sync_rps: full0.fetched / full0.seconds,
        raw_rps: raw0.records / raw0.seconds,
      };
      report(
        `  no latency: raw fetch ${Math.round(zeroLatency.raw_rps)} records/s, full sync ${
          Math.round(zeroLatency.sync_rps)
        } records/s`,
      );
      await setLatency(sim, latencyMs);
      const res = await fetch(`${sim.origin}/_bench/touch`, {
        method: "POST",
        body: JSON.stringify({ fraction: 0.01, tables: planned.map((t) => t.table) }),
      });
      const touched = await res.json() as Record<string, number>;
      const changed = Object.values(touched).reduce((a, b) => a + b, 0);
      const inc = await runSync(instanceId, "incremental");
      incremental = { ...inc, changed };
      report(
        `  1% changed (${changed} records); incremental sync: ${
          inc.seconds.toFixed(1)
        } s, ${inc.fetched} read, ${inc.upserted} written`,
      );
    }
  } finally {
    await sim.stop();
  }
}

const large = results.large!;
const small = results.small!;
const ratio = large.sync_rps! / large.raw_rps!;
report();
report("| size  | records | full sync | sync rec/s | raw fetch rec/s | ratio | peak RSS |");
report("| ----- | ------: | --------: | ---------: | --------------: | ----: | -------: |");
for (const [label, r] of Object.entries(results)) {
  report(
    `| ${label.padEnd(5)} | ${r.records} | ${r.sync_s!.toFixed(1)} s | ${
      Math.round(r.sync_rps!)
    } | ${Math.round(r.raw_rps!)} | ${
      (r.sync_rps! / r.raw_rps!).toFixed(2)
    } | ${r.peak_rss_mb} MB |`,
  );
}
report(
  `Incremental re-sync after 1% of records changed (${incremental!.changed}): ${
    incremental!.seconds.toFixed(1)
  } s (full: ${large.sync_s!.toFixed(1)} s)`,
);
report(
  `Peak RSS ${small.peak_rss_mb} MB at ${small.records} records, ${large.peak_rss_mb} MB at ${large.records}`,
);
report(
  `With no simulated latency: ratio ${(zeroLatency!.sync_rps / zeroLatency!.raw_rps).toFixed(2)} (${
    Math.round(zeroLatency!.sync_rps)
  } vs ${Math.round(zeroLatency!.raw_rps)} records/s)`,
);

await db.close();
await tdb.close();
report(JSON.stringify({
  bench: "sync",
  ratio: Math.round(ratio * 1000) / 1000,
  records: large.records,
  records_per_s: Math.round(large.sync_rps!),
  raw_records_per_s: Math.round(large.raw_rps!),
  full_sync_s: Math.round(large.sync_s! * 10) / 10,
  incremental_s: Math.round(incremental!.seconds * 10) / 10,
  incremental_changed: incremental!.changed,
  peak_rss_mb_small: small.peak_rss_mb,
  peak_rss_mb_large: large.peak_rss_mb,
  records_small: small.records,
  page_size: runtime.config.SYNC_PAGE_SIZE,
  latency_ms: latencyMs,
  ratio_zero_latency: Math.round((zeroLatency!.sync_rps / zeroLatency!.raw_rps) * 1000) / 1000,
  records_per_s_zero_latency: Math.round(zeroLatency!.sync_rps),
  raw_records_per_s_zero_latency: Math.round(zeroLatency!.raw_rps),
}));
