import { z } from "zod";
import { connectDatabase, type Database } from "../../shared/db/mod.ts";
import {
  createFunctionApp,
  createRouteGroup,
  type FunctionApp,
  type Services,
} from "../../shared/http/mod.ts";
import { createTestDatabase, type TestDatabase } from "../testing/database.ts";

/** Figures one load run produced. */
export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
}

/**
 * Drives `url` from a separate Deno process with `concurrency` connections.
 *
 * @param url the endpoint, or endpoints with their headers to take in turn
 * @param options concurrency, duration and request headers
 */
export async function loadTest(
  url: string | { url: string; headers?: Record<string, string> }[],
  options: { concurrency: number; seconds: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  const spec = typeof url === "string" ? { url, ...options } : { targets: url, ...options };
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./_load.ts", import.meta.url).pathname,
      JSON.stringify(spec),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error("Cannot run the load generator");
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines.at(-1)!) as LoadResult;
}

/** Prints a line of benchmark output. */
export function report(line = ""): void {
  // deno-lint-ignore no-console
  console.log(line);
}

/**
 * A throwaway database on the PostgreSQL server (DATABASE_URL, default the
 * local server) and a pool of `pool` connections to it.
 *
 * @param pool connections in the pool
 */
export async function benchDatabase(
  pool: number,
): Promise<{ tdb: TestDatabase; db: Database }> {
  Deno.env.set(
    "DATABASE_URL",
    Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres",
  );
  const tdb = await createTestDatabase();
  return { tdb, db: connectDatabase(tdb.url, { max: pool }) };
}

/**
 * The baseline every benchmark compares with: a bare `GET /bench/select1` on
 * the same app factory and pool as the endpoint measured.
 *
 * @param services the services of the measured app
 * @param db the pool the measured app uses
 */
export function selectOneApp(services: Services, db: Database): FunctionApp {
  const baseline = createFunctionApp("bench", services);
  // Declared public: the gate would otherwise ask it for a user (deny by default).
  baseline.route(
    "/",
    createRouteGroup().on({
      method: "get",
      path: "/select1",
      summary: "select 1",
      auth: "public",
      responses: {
        200: { description: "One row", schema: z.array(z.object({ one: z.number() })) },
      },
    }, async (c) => c.json(await db.sql`select 1 as one`)).app,
  );
  return baseline;
}
