/**
 * Runs the ServiceNow simulator on its own: `deno task snow-sim [flags]`.
 *
 * Flags: --port (default 8090; 0 = any), --host (127.0.0.1), --instances acme,globex,
 * --seed 1, --scale small|medium|large, --users N, --changes N, --incidents N,
 * --no-plant, --start now|ISO, --admin-token T, --rate-limit N/SECONDS,
 * --access-ttl SECONDS.
 *
 * @module
 */

import { createSnowSimulator } from "./app.ts";
import type { InstanceOptions } from "./instance.ts";

const SCALES: Record<string, { users: number; changes: number; incidents: number }> = {
  small: { users: 600, changes: 300, incidents: 300 },
  medium: { users: 10_000, changes: 5_000, incidents: 5_000 },
  large: { users: 100_000, changes: 50_000, incidents: 50_000 },
};

function flags(args: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("--")) throw new Error(`Cannot parse arguments: unexpected "${a}"`);
    const [name, inline] = a.slice(2).split("=", 2);
    if (inline !== undefined) out.set(name!, inline);
    else if (args[i + 1] !== undefined && !args[i + 1]!.startsWith("--")) {
      out.set(name!, args[++i]!);
    } else out.set(name!, "true");
  }
  return out;
}

function main(): void {
  const f = flags(Deno.args);
  const scale = SCALES[f.get("scale") ?? "small"];
  if (!scale) {
    throw new Error(
      `Cannot start simulator: unknown --scale "${f.get("scale")}" (small, medium, large)`,
    );
  }
  const num = (name: string, fallback: number) => {
    const v = f.get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(`Cannot start simulator: --${name} must be a whole number`);
    }
    return n;
  };
  const startFlag = f.get("start") ?? "now";
  const start = startFlag === "now"
    ? new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000)
    : new Date(startFlag);
  const rate = f.get("rate-limit");
  const [limit, windowSeconds] = rate ? rate.split("/").map(Number) : [];
  const knobs = {
    ...(rate ? { rateLimit: { limit: limit!, windowSeconds: windowSeconds ?? 3600 } } : {}),
    ...(f.has("access-ttl") ? { accessTokenTtlSeconds: num("access-ttl", 1800) } : {}),
  };
  const names = (f.get("instances") ?? "acme").split(",").map((s) => s.trim()).filter(Boolean);
  const instances: InstanceOptions[] = names.map((name, i) => ({
    name,
    seed: `${f.get("seed") ?? "1"}${i === 0 ? "" : `-${name}`}`,
    users: num("users", scale.users),
    changes: num("changes", scale.changes),
    incidents: num("incidents", scale.incidents),
    plant: !f.has("no-plant"),
    knobs,
  }));
  const t0 = performance.now();
  const sim = createSnowSimulator({
    instances,
    startTime: start,
    adminToken: f.get("admin-token"),
  });
  const generatedMs = Math.round(performance.now() - t0);
  const server = Deno.serve({
    port: num("port", 8090),
    hostname: f.get("host") ?? "127.0.0.1",
    onListen: () => {},
  }, sim.fetch);
  const origin = `http://${server.addr.hostname}:${server.addr.port}`;
  // deno-lint-ignore no-console
  console.log(
    `ServiceNow simulator ready in ${generatedMs} ms (simulated now: ${sim.clock.now().toISOString()})`,
  );
  for (const inst of sim.instances.values()) {
    const users = inst.dataset.table("sys_user").size;
    // deno-lint-ignore no-console
    console.log([
      `  instance ${inst.name}: ${origin}/${inst.name}  (${users} users)`,
      `    basic:  ${inst.integrationUserName} / ${inst.credentials.get(inst.integrationUserName)}`,
      `    oauth:  client_id=${inst.oauthClient.clientId} client_secret=${inst.oauthClient.clientSecret} (${origin}/${inst.name}/oauth_token.do)`,
    ].join("\n"));
  }
  // deno-lint-ignore no-console
  console.log(
    `  admin:  ${origin}/_sim  (knobs: /_sim/instances/<name>/knobs, POST /_sim/advance {"duration":"6h"}, manifest: /_sim/instances/<name>/manifest)`,
  );
}

if (import.meta.main) main();
