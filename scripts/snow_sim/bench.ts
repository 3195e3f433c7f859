/**
 * Prints generation time, memory and paging figures for a large simulated instance:
 * `deno run -A scripts/snow_sim/bench.ts [users]` (default 100000 users, 50000 changes).
 *
 * @module
 */

import { createSnowSimulator } from "./app.ts";

async function main(): Promise<void> {
  const users = Number(Deno.args[0] ?? 100_000);
  const t0 = performance.now();
  const sim = createSnowSimulator({
    instances: [{
      name: "acme",
      users,
      changes: Math.round(users / 2),
      incidents: Math.round(users / 2),
    }],
  });
  const genMs = performance.now() - t0;
  const ds = sim.instance().dataset;
  const auth = { authorization: "Basic " + btoa("complianceiq.integration:integration-password") };
  const time = async (path: string): Promise<[number, number]> => {
    const s = performance.now();
    const res = await sim.fetch(new Request("http://bench/acme" + path, { headers: auth }));
    const body = await res.json() as { result: unknown[] };
    return [performance.now() - s, body.result.length];
  };
  const table = "sys_user_has_role";
  const rows = ds.table(table).rows;
  const mid = rows[Math.floor(rows.length / 2)]![0]!;
  const report: [string, number, number][] = [];
  report.push([
    "keyset page (first)",
    ...await time(
      `/api/now/table/${table}?sysparm_limit=1000&sysparm_no_count=true&sysparm_query=ORDERBYsys_id`,
    ),
  ]);
  report.push([
    "keyset page (middle)",
    ...await time(
      `/api/now/table/${table}?sysparm_limit=1000&sysparm_no_count=true&sysparm_query=sys_id>${mid}^ORDERBYsys_id`,
    ),
  ]);
  report.push([
    "keyset page (middle, with count)",
    ...await time(
      `/api/now/table/${table}?sysparm_limit=1000&sysparm_query=sys_id>${mid}^ORDERBYsys_id`,
    ),
  ]);
  report.push([
    "offset page (middle)",
    ...await time(
      `/api/now/table/${table}?sysparm_limit=1000&sysparm_offset=${
        Math.floor(rows.length / 2)
      }&sysparm_query=ORDERBYsys_id`,
    ),
  ]);
  report.push([
    "filtered offset page (first)",
    ...await time(
      `/api/now/table/${table}?sysparm_limit=1000&sysparm_query=inherited=false^ORDERBYsys_id`,
    ),
  ]);
  report.push([
    "filtered offset page (cached)",
    ...await time(
      `/api/now/table/${table}?sysparm_limit=1000&sysparm_offset=1000&sysparm_query=inherited=false^ORDERBYsys_id`,
    ),
  ]);
  const m0 = performance.now();
  sim.manifest();
  const manifestMs = performance.now() - m0;
  const a0 = performance.now();
  const adv = sim.clock.advance("6h").acme!;
  const advanceMs = performance.now() - a0;
  const lines = [
    `instance: ${ds.table("sys_user").size} users, ${rows.length} ${table} rows, ${
      ds.table("change_request").size
    } changes`,
    `generation: ${genMs.toFixed(0)} ms, heap ${(Deno.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`,
    ...report.map(([name, ms, n]) => `${name}: ${ms.toFixed(1)} ms (${n} rows)`),
    `manifest: ${manifestMs.toFixed(0)} ms`,
    `advance 6h: ${advanceMs.toFixed(0)} ms (${Object.values(adv.updated).flat().length} updated, ${
      Object.values(adv.inserted).flat().length
    } inserted, ${Object.values(adv.deleted).flat().length} deleted)`,
  ];
  // deno-lint-ignore no-console
  console.log(lines.join("\n"));
}

if (import.meta.main) await main();
