// deno task db:migrate [--reset]
// Applies supabase/migrations to DATABASE_URL, or to the embedded dev database
// in .data/pglite when DATABASE_URL is not set.
import postgres from "postgres";
import { migrate, resetDatabase } from "./db/migrate.ts";
import { startPgliteServer } from "./db/pglite_server.ts";

const reset = Deno.args.includes("--reset");
const url = Deno.env.get("DATABASE_URL");
const dataDir = new URL("../.data/pglite", import.meta.url).pathname;

// deno-lint-ignore no-console
const say = (line: string) => console.log(line);

const pglite = url ? null : await startPgliteServer({ dataDir });
const sql = postgres(url ?? pglite!.url, { max: 1, onnotice: () => {} });
try {
  say(`database: ${url ? new URL(url).host + new URL(url).pathname : dataDir + " (PGlite)"}`);
  if (reset) {
    await resetDatabase(sql);
    say("reset: dropped every schema the migrations created");
  }
  const report = await migrate(sql, { onProgress: (line) => say(`  ${line}`) });
  say(
    `migrations: ${report.applied.length} applied, ${report.skipped} already up to date`,
  );
} catch (error) {
  // deno-lint-ignore no-console
  console.error(error instanceof Error ? error.message : error);
  Deno.exitCode = 1;
} finally {
  await sql.end();
  await pglite?.stop();
}
