// Open-loop load generator, run as its own process by `deno task bench load`.
// Usage: deno run -A _open_loop.ts <spec.json>
//   {"base", "rpm", "seconds", "writeEvery", "vus": [{token, ip, orgId, instances, canWrite}]}
// Request i is due at start + i·60000/rpm ms whatever the answers before it
// (a fixed schedule, not closed-loop); each goes to the next virtual user in
// turn, which takes the next step of its journey. Latency is measured from the
// time the request was due, so a late generator or a queueing server both show.
// Prints one JSON line: {endpoints: {name: {count, errors, p50_ms, p95_ms,
// p99_ms}}, all: {...}, sent_rpm, statuses}.
interface Vu {
  token: string;
  ip: string;
  orgId: string;
  instances: string[];
  canWrite: boolean;
  step: number;
  journeys: number;
  instance: string;
  cursor: string | null;
  findingId: string | null;
}
interface Step {
  name: string;
  request(vu: Vu): { path: string; method?: string; body?: unknown } | null;
  read?(vu: Vu, body: unknown): void;
}

const spec = JSON.parse(await Deno.readTextFile(Deno.args[0]!)) as {
  base: string;
  rpm: number;
  seconds: number;
  /** One visit in this many starts a run or an export (0: never). */
  writeEvery: number;
  vus: Omit<Vu, "step" | "journeys" | "instance" | "cursor" | "findingId">[];
};
const fn = `${spec.base}/functions/v1`;
const vus: Vu[] = spec.vus.map((v, i) => ({
  ...v,
  step: i % 8,
  journeys: i,
  instance: v.instances[i % v.instances.length]!,
  cursor: null,
  findingId: null,
}));

const findings = (vu: Vu) => `/analysis/findings?instance_id=${vu.instance}&limit=20`;
/** One visit: dashboard, instances, findings (filtered, paged, one), runs; now and then a write. */
const JOURNEY: Step[] = [
  { name: "GET dashboard", request: (vu) => ({ path: `/dashboard?org_id=${vu.orgId}` }) },
  { name: "GET instances", request: (vu) => ({ path: `/instances?org_id=${vu.orgId}` }) },
  {
    name: "GET findings",
    request: (vu) => ({ path: findings(vu) }),
    read: (vu, body) => {
      const page = body as { data?: { id: string }[]; next_cursor?: string | null };
      vu.findingId = page.data?.[0]?.id ?? vu.findingId;
      vu.cursor = page.next_cursor ?? null;
    },
  },
  {
    name: "GET findings (filtered)",
    request: (vu) => ({ path: `${findings(vu)}&severity=critical,high&status=FAIL` }),
  },
  {
    name: "GET findings (page 2)",
    request: (vu) =>
      vu.cursor ? { path: `${findings(vu)}&cursor=${encodeURIComponent(vu.cursor)}` } : null,
  },
  {
    name: "GET finding",
    request: (vu) => vu.findingId ? { path: `/analysis/findings/${vu.findingId}` } : null,
  },
  { name: "GET runs", request: (vu) => ({ path: `/analysis/runs?instance_id=${vu.instance}` }) },
  {
    name: "POST run / export",
    // One visit in `writeEvery` by someone allowed to: start a run or generate
    // an export, in turn.
    request: (vu) => {
      const every = spec.writeEvery;
      if (!vu.canWrite || every <= 0 || vu.journeys % every !== 0) return null;
      const instance = vu.instances[0]!; // the instance whose records were synced
      return (vu.journeys / every) % 2 === 0
        ? { path: "/analysis/runs", method: "POST", body: { instance_id: instance } }
        : {
          path: "/reports/exports",
          method: "POST",
          body: { spec: { scope: { org_id: vu.orgId, instance_id: instance } }, format: "csv" },
        };
    },
  },
];

interface Tally {
  latencies: number[];
  errors: number;
}
/** A request unanswered after this long counts as an error (and is named on stderr). */
const REQUEST_TIMEOUT_MS = 30_000;
const unanswered: string[] = [];
const tallies = new Map<string, Tally>();
const statuses: Record<string, number> = {};
const client = Deno.createHttpClient({ poolMaxIdlePerHost: 512 });

function nextRequest(vu: Vu): { step: Step; req: NonNullable<ReturnType<Step["request"]>> } {
  for (let tries = 0; tries < JOURNEY.length; tries++) {
    const step = JOURNEY[vu.step]!;
    vu.step = (vu.step + 1) % JOURNEY.length;
    if (vu.step === 0) {
      vu.journeys++;
      vu.instance = vu.instances[vu.journeys % vu.instances.length]!;
      vu.cursor = null;
    }
    const req = step.request(vu);
    if (req) return { step, req };
  }
  return { step: JOURNEY[0]!, req: JOURNEY[0]!.request(vu)! };
}

async function send(vu: Vu, due: number): Promise<void> {
  const { step, req } = nextRequest(vu);
  const tally = tallies.get(step.name) ?? { latencies: [], errors: 0 };
  tallies.set(step.name, tally);
  try {
    const res = await fetch(`${fn}${req.path}`, {
      method: req.method ?? "GET",
      headers: {
        authorization: `Bearer ${vu.token}`,
        "x-forwarded-for": vu.ip,
        ...(req.body ? { "content-type": "application/json" } : {}),
      },
      body: req.body ? JSON.stringify(req.body) : undefined,
      client,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    statuses[`${step.name} ${res.status}`] = (statuses[`${step.name} ${res.status}`] ?? 0) + 1;
    // A run already running for the instance (409) is the product working, not an error.
    if (!res.ok && res.status !== 409) tally.errors++;
    else if (step.read && res.ok) step.read(vu, JSON.parse(text));
  } catch (error) {
    tally.errors++;
    if (error instanceof DOMException && error.name === "TimeoutError") {
      unanswered.push(`${req.method ?? "GET"} ${req.path}`);
    }
  }
  tally.latencies.push(performance.now() - due);
}

const interval = 60_000 / spec.rpm;
const total = Math.floor(spec.rpm * spec.seconds / 60);
const inflight: Promise<void>[] = [];
const start = performance.now() + 50;
let i = 0;
while (i < total) {
  const now = performance.now();
  while (i < total && start + i * interval <= now) {
    inflight.push(send(vus[i % vus.length]!, start + i * interval));
    i++;
  }
  await new Promise((r) => setTimeout(r, Math.max(0, Math.min(5, start + i * interval - now))));
}
const sentSeconds = (performance.now() - start) / 1000;
await Promise.all(inflight);
client.close();

function summary(latencies: number[], errors: number) {
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    +(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(1);
  return {
    count: latencies.length,
    errors,
    p50_ms: pct(0.5),
    p95_ms: pct(0.95),
    p99_ms: pct(0.99),
  };
}
if (unanswered.length > 0) {
  // deno-lint-ignore no-console
  console.error(`unanswered within ${REQUEST_TIMEOUT_MS} ms:\n  ${unanswered.join("\n  ")}`);
}
const endpoints: Record<string, ReturnType<typeof summary>> = {};
const all: number[] = [];
let errors = 0;
for (const [name, t] of tallies) {
  all.push(...t.latencies);
  errors += t.errors;
  endpoints[name] = summary(t.latencies, t.errors);
}
// deno-lint-ignore no-console
console.log(JSON.stringify({
  endpoints,
  all: summary(all, errors),
  sent_rpm: Math.round(total / sentSeconds * 60),
  statuses,
  unanswered: unanswered.length,
}));
