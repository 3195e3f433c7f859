// deno task bench load [--seconds 30] [--users 1000] [--start-rpm 10000] [--factor 1.5]
//                      [--max-steps 6] [--write-every 25] [--warmup 30]
//
// Open-loop load test of the dev stack (scripts/dev/stack.ts: every function,
// the auth stand-in and the QStash stand-in in one server process) on the
// seed:scale database (DATABASE_URL; run `deno task seed:scale` first). Virtual
// users are the seeded users of every organization, each signed in through the
// auth stand-in with their password; then requests arrive on a fixed schedule
// (_open_loop.ts, its own process), each the next step of a user's visit:
// dashboard, instances, findings (filtered, a second page, one finding), runs,
// and now and then a run started or an export generated (one visit in
// --write-every by a user allowed to; 0: reads only). After a warm-up (--warmup
// seconds at a quarter of the first rate, not counted), first at 10,000
// req/min, then ×1.5 per step while p95 stays under 200 ms. Reported per
// endpoint: p50/p95/p99 and errors; the CPU seconds of the server process and
// of the database's backends (/proc/<pid>/stat); and, as the baseline measured
// in the same run, a bare `select 1` endpoint on the same pool (closed loop,
// _harness.ts). Traffic stays on loopback; the server is stopped at the end.
import { parseArgs } from "node:util";
import postgres from "postgres";
import { loadTest, report } from "./_harness.ts";
import { type CpuProfile, timeByModule } from "./_cpu_profile.ts";
import { SEED_EMAIL_DOMAIN, SEED_PASSWORD } from "../seed/template.ts";

const { values } = parseArgs({
  args: Deno.args.slice(1),
  options: {
    seconds: { type: "string", default: "30" },
    users: { type: "string", default: "1000" },
    "start-rpm": { type: "string", default: "10000" },
    factor: { type: "string", default: "1.5" },
    "max-steps": { type: "string", default: "6" },
    "write-every": { type: "string", default: "25" },
    warmup: { type: "string", default: "30" },
  },
});
const seconds = Number(values.seconds);
const writeEvery = Number(values["write-every"]);
if (!Number.isInteger(writeEvery) || writeEvery < 0) {
  report("--write-every must be a whole number (0: no runs or exports started)");
  Deno.exit(2);
}
const url = Deno.env.get("DATABASE_URL");
if (!url) {
  report("bench load needs DATABASE_URL: the PostgreSQL database `deno task seed:scale` built");
  Deno.exit(2);
}
const sql = postgres(url, { max: 2, onnotice: () => {} });
const users = await sql<{ email: string; org_id: string; role: string; instances: string[] }[]>`
  select u.email, m.org_id, m.role::text,
         array(select i.id::text from public.instances i where i.org_id = m.org_id
               order by i.name) as instances
  from auth.users u join public.memberships m on m.user_id = u.id
  join public.organizations o on o.id = m.org_id
  where u.email like ${`%@${SEED_EMAIL_DOMAIN}`} and o.name not like 'Seed scale template%'
    and exists (select 1 from public.instances i where i.org_id = m.org_id)
  order by u.email limit ${Number(values.users)}`;
if (users.length === 0) {
  report("No seeded users in this database: run `deno task seed:scale` first");
  Deno.exit(2);
}

// ------------------------------------------------------------------ server
const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the server process, written when it stops.
    ...(Deno.env.get("BENCH_CPU_PROF")
      ? ["--cpu-prof", `--cpu-prof-dir=${Deno.env.get("BENCH_CPU_PROF")}`]
      : []),
    new URL("./_load_server.ts", import.meta.url).pathname,
  ],
  env: { DATABASE_URL: url },
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
let banner = "";
while (!banner.includes("\n")) {
  const { value, done } = await reader.read();
  if (done) throw new Error("The bench server stopped before it was ready");
  banner += value;
}
const server = JSON.parse(banner.split("\n")[0]!) as {
  url: string;
  select1Url: string;
  anonKey: string;
};

// ------------------------------------------------------------------ sign in
const signIns: number[] = [];
let signInErrors = 0;
const vus: { token: string; ip: string; orgId: string; instances: string[]; canWrite: boolean }[] =
  [];
let next = 0;
await Promise.all(Array.from({ length: 8 }, async () => {
  while (next < users.length) {
    const n = next++;
    const user = users[n]!;
    const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    const started = performance.now();
    const res = await fetch(`${server.url}/auth/v1/token?grant_type=password`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        apikey: server.anonKey,
        "x-forwarded-for": ip,
      },
      body: JSON.stringify({ email: user.email, password: SEED_PASSWORD }),
    });
    const body = await res.json();
    signIns.push(performance.now() - started);
    if (!res.ok) {
      signInErrors++;
      continue;
    }
    vus.push({
      token: body.access_token,
      ip,
      orgId: user.org_id,
      instances: user.instances,
      canWrite: ["owner", "admin", "analyst"].includes(user.role),
    });
  }
}));
const orgCount = new Set(vus.map((v) => v.orgId)).size;
report(
  `bench load: ${vus.length} virtual users signed in across ${orgCount} organizations ` +
    `(${signInErrors} refused), ${seconds}s per step, load average ${loadAverage()}`,
);
report(`  sign in (bcrypt, 8 at a time)   ${fmt(summary(signIns, signInErrors))}`);

// ------------------------------------------------------------------ baseline
const select1 = await loadTest(server.select1Url, { concurrency: 100, seconds: 10 });
const select1Rpm = select1.rps * 60;
report(`  select 1 (closed loop, 100 connections): ${select1.rps} req/s = ${select1Rpm} req/min`);

// ------------------------------------------------------------------ steps
interface StepResult {
  rpm: number;
  sent_rpm: number;
  all: Summary;
  endpoints: Record<string, Summary>;
  cpu: { server_s: number; postgres_s: number };
  load: string;
}
const specFile = await Deno.makeTempFile({ suffix: ".json" });
const steps: StepResult[] = [];
const windows: [number, number][] = [];
let rpm = Number(values["start-rpm"]);
/** One open-loop run of the journeys at `rpm` for `secs` seconds (_open_loop.ts). */
async function openLoop(rpm: number, secs: number) {
  await Deno.writeTextFile(
    specFile,
    JSON.stringify({ base: server.url, rpm, seconds: secs, vus, writeEvery }),
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_open_loop.ts", import.meta.url).pathname, specFile],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
}
// A server just started has cold caches (verified tokens, roles, dashboards,
// prepared statements, compiled code): a warm-up at a quarter of the first
// rate, reported but not counted, so the steps measure a running service.
const warmup = Number(values.warmup);
if (warmup > 0) {
  const w = await openLoop(Math.ceil(rpm / 4), warmup);
  report(`\n  warm-up (not counted): ${Math.ceil(rpm / 4)} req/min for ${warmup} s  ${fmt(w.all)}`);
}
for (let step = 0; step < Number(values["max-steps"]); step++) {
  const before = await cpuSeconds();
  const window: [number, number] = [uptimeMicros(), 0];
  const result = await openLoop(rpm, seconds);
  const after = await cpuSeconds();
  window[1] = uptimeMicros();
  windows.push(window);
  const r: StepResult = {
    rpm,
    sent_rpm: result.sent_rpm,
    all: result.all,
    endpoints: result.endpoints,
    cpu: {
      server_s: +(after.server - before.server).toFixed(1),
      postgres_s: +(after.postgres - before.postgres).toFixed(1),
    },
    load: loadAverage(),
  };
  steps.push(r);
  report(
    `\n  ${rpm} req/min (sent ${r.sent_rpm}), load average ${r.load}: ` +
      `CPU server ${r.cpu.server_s} s, postgres ${r.cpu.postgres_s} s over ${seconds} s`,
  );
  for (const [name, s] of Object.entries(r.endpoints).sort()) {
    report(`    ${name.padEnd(26)} ${fmt(s)}`);
  }
  report(`    ${"all".padEnd(26)} ${fmt(r.all)}`);
  const refused = Object.entries(result.statuses as Record<string, number>)
    .filter(([key]) => !/ 2\d\d$/.test(key)).sort();
  if (refused.length > 0) {
    report(`    answers other than 2xx: ${refused.map(([k, n]) => `${k} ×${n}`).join(", ")}`);
  }
  if (r.all.p95_ms >= 200 || r.all.errors > r.all.count * 0.01) break;
  rpm = Math.round(rpm * Number(values.factor));
}

child.kill("SIGTERM");
// The stack stops its stand-ins first; it gets ten seconds before it is killed.
const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
await child.status;
clearTimeout(killer);
await sql.end();
await Deno.remove(specFile);
await reportProfile();
const first = steps[0]!;
const sustained = steps.filter((s) => s.all.p95_ms < 200 && s.all.errors <= s.all.count * 0.01)
  .map((s) => s.sent_rpm).reduce((a, b) => Math.max(a, b), 0);
const reads = Object.entries(first.endpoints).filter(([name]) => name.startsWith("GET"));
const worstRead = reads.reduce((a, [, s]) => Math.max(a, s.p95_ms), 0);
report(
  `\n  sustained with p95 < 200 ms: ${sustained} req/min (target ≥ 50,000); ` +
    `select 1: ${select1Rpm} req/min; ratio ${(sustained / select1Rpm).toFixed(3)}`,
);
report(
  `  at ${first.rpm} req/min: p95 ${first.all.p95_ms} ms overall, worst read p95 ` +
    `${worstRead} ms (target < 50 ms for every read)`,
);
report(JSON.stringify({
  bench: "load",
  p95_ms_at_seed_rate: first.all.p95_ms,
  worst_read_p95_ms_at_seed_rate: worstRead,
  sustained_rpm: sustained,
  select1_rpm: select1Rpm,
  ratio: +(sustained / select1Rpm).toFixed(3),
  virtual_users: vus.length,
  write_every: writeEvery,
  warmup_seconds: warmup,
  organizations: orgCount,
  steps: steps.map((s) => ({
    rpm: s.rpm,
    sent_rpm: s.sent_rpm,
    p95_ms: s.all.p95_ms,
    errors: s.all.errors,
    cpu: s.cpu,
    load: s.load,
  })),
}));

interface Summary {
  count: number;
  errors: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
}

function summary(latencies: number[], errors: number): Summary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) =>
    +(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0).toFixed(1);
  return { count: sorted.length, errors, p50_ms: pct(0.5), p95_ms: pct(0.95), p99_ms: pct(0.99) };
}

function fmt(s: Summary): string {
  return `${String(s.count).padStart(6)} req  p50 ${s.p50_ms} ms  p95 ${s.p95_ms} ms  ` +
    `p99 ${s.p99_ms} ms  errors ${s.errors}`;
}

/** V8's sample clock: microseconds since boot (`/proc/uptime`). */
function uptimeMicros(): number {
  return Number(Deno.readTextFileSync("/proc/uptime").split(" ")[0]) * 1_000_000;
}

/** With BENCH_CPU_PROF: where the server's CPU went during the steps, by module. */
async function reportProfile(): Promise<void> {
  const dir = Deno.env.get("BENCH_CPU_PROF");
  if (!dir) return;
  const files = [...Deno.readDirSync(dir)].filter((f) => f.name.endsWith(".cpuprofile"))
    .map((f) => ({ path: `${dir}/${f.name}`, at: Deno.statSync(`${dir}/${f.name}`).mtime! }))
    .sort((a, b) => b.at.getTime() - a.at.getTime());
  if (!files[0]) return report(`  no CPU profile was written to ${dir}`);
  const profile = JSON.parse(await Deno.readTextFile(files[0].path)) as CpuProfile;
  report(`\n  server CPU during the steps by module (${files[0].path}):`);
  for (const m of timeByModule(profile, windows).slice(0, 15)) {
    report(
      `    ${(m.share * 100).toFixed(1).padStart(5)}%  ${String(m.ms).padStart(8)} ms  ${m.module}`,
    );
  }
}

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

/** CPU seconds so far of the server process and of this database's backends. */
async function cpuSeconds(): Promise<{ server: number; postgres: number }> {
  const pids = await sql<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
  let postgresTotal = 0;
  for (const { pid } of pids) postgresTotal += procCpu(pid);
  return { server: procCpu(child.pid), postgres: postgresTotal };
}

function procCpu(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // the backend has gone
  }
}
