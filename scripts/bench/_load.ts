// Load generator run as a separate process, so client and server do not share
// one JavaScript thread. Usage (JSON on argv[0]):
//   {"url": "...", "concurrency": 100, "seconds": 10, "headers": {...}}
// or with "targets": [{"url", "headers"}, …] instead of url/headers: each
// connection takes the next target in turn (many users of many organizations).
// Prints one JSON line: {"requests", "errors", "rps", "p50_ms", "p95_ms", "p99_ms"}.
interface LoadTarget {
  url: string;
  headers?: Record<string, string>;
}

interface LoadSpec {
  url?: string;
  targets?: LoadTarget[];
  concurrency: number;
  seconds: number;
  warmupSeconds?: number;
  headers?: Record<string, string>;
}

const spec = JSON.parse(Deno.args[0]!) as LoadSpec;
const client = Deno.createHttpClient({ poolMaxIdlePerHost: spec.concurrency });
const targets: LoadTarget[] = spec.targets ?? [{ url: spec.url!, headers: spec.headers }];
let turn = 0;

async function run(seconds: number, record: boolean) {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        const target = targets[turn++ % targets.length]!;
        const res = await fetch(target.url, { headers: target.headers, client });
        await res.arrayBuffer();
        if (!res.ok) errors++;
      } catch {
        errors++;
      }
      if (record) latencies.push(performance.now() - started);
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  return { latencies, errors, elapsed: (performance.now() - began) / 1000 };
}

await run(spec.warmupSeconds ?? 2, false);
const { latencies, errors, elapsed } = await run(spec.seconds, true);
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
// deno-lint-ignore no-console
console.log(JSON.stringify({
  requests: latencies.length,
  errors,
  rps: Math.round(latencies.length / elapsed),
  p50_ms: +pct(0.5).toFixed(2),
  p95_ms: +pct(0.95).toFixed(2),
  p99_ms: +pct(0.99).toFixed(2),
}));
client.close();
