// deno task db:backfill-finding-counts [--batch-runs N]
// Counts the finding results of check results written before
// 20261209030001_check_result_finding_counts.sql (findings null), a batch of
// runs per short transaction, while the product runs. Safe to stop and run
// again. Uses DATABASE_URL, or the embedded dev database in .data/pglite when
// DATABASE_URL is not set.
import postgres from "postgres";
import { backfillFindingCounts, type BackfillProgress } from "./finding_counts.ts";
import { startPgliteServer } from "./pglite_server.ts";

const flag = Deno.args.indexOf("--batch-runs");
const batchRuns = flag >= 0 ? Number(Deno.args[flag + 1]) : 200;
const url = Deno.env.get("DATABASE_URL");
const dataDir = new URL("../../.data/pglite", import.meta.url).pathname;

// deno-lint-ignore no-console
const say = (line: string) => console.log(line);
const describe = (p: BackfillProgress) =>
  `${p.runs} runs scanned, ${p.checkResults} check results counted, ${
    (p.elapsedMs / 1000).toFixed(1)
  } s`;

const pglite = url ? null : await startPgliteServer({ dataDir });
const sql = postgres(url ?? pglite!.url, { max: 1, onnotice: () => {} });
try {
  say(`database: ${url ? new URL(url).host + new URL(url).pathname : dataDir + " (PGlite)"}`);
  const total = await backfillFindingCounts(sql, {
    batchRuns,
    onProgress: (p) => say(`  ${describe(p)}`),
  });
  say(`finding counts backfilled: ${describe(total)}`);
} catch (error) {
  // deno-lint-ignore no-console
  console.error(error instanceof Error ? error.message : error);
  Deno.exitCode = 1;
} finally {
  await sql.end();
  await pglite?.stop();
}
