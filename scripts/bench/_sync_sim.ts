// Child process of `deno task bench sync`: one simulated instance on its own
// port, so the simulator's memory is not counted in the sync's RSS. Prints one
// JSON line ({port, tables}) when ready. Besides the simulator's API it answers
// POST /_bench/touch {"fraction": 0.01, "tables": [...]}: moves the simulated
// clock one minute on and updates that fraction of each table's records (spread
// evenly over the sys_id range), so an incremental sync has exactly those to read.
import { createSnowSimulator } from "../snow_sim/mod.ts";

const spec = JSON.parse(Deno.args[0] ?? "{}") as {
  users: number;
  changes: number;
  incidents: number;
};
const sim = createSnowSimulator({
  instances: [{
    name: "bench",
    seed: 7,
    users: spec.users,
    changes: spec.changes,
    incidents: spec.incidents,
  }],
  startTime: "2026-06-01T00:00:00Z",
});
const inst = sim.instance("bench");

const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
  const url = new URL(req.url);
  if (req.method === "POST" && url.pathname === "/_bench/touch") {
    const { fraction, tables } = await req.json() as { fraction: number; tables: string[] };
    const ds = inst.dataset;
    ds.now = new Date(ds.now.getTime() + 60_000);
    const touched: Record<string, number> = {};
    for (const table of tables) {
      if (!ds.tables.has(table)) continue;
      const rows = [...ds.table(table).rows];
      const step = Math.max(1, Math.round(1 / fraction));
      let n = 0;
      for (let i = 0; i < rows.length; i += step) {
        ds.update(table, rows[i]!, {}, "bench.touch");
        n++;
      }
      touched[table] = n;
    }
    return Response.json(touched);
  }
  return sim.fetch(req);
});

const tables = Object.fromEntries([...inst.dataset.tables].map(([name, t]) => [name, t.size]));
// deno-lint-ignore no-console
console.log(JSON.stringify({ port: server.addr.port, tables }));
