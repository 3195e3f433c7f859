/**
 * `deno task docs:permissions`: writes the permission table into
 * docs/architecture.md from the permission matrix and the route declarations.
 * `--check`: exits 1 when the table there is stale.
 *
 * @module
 */
import { createLogger } from "../shared/log/mod.ts";
import { loadConfig } from "../shared/env/mod.ts";
import { listRoutes, type Services } from "../shared/http/mod.ts";
import {
  PERMISSIONS_DOC_MARKERS,
  renderPermissionsTable,
  replacePermissionsTable,
  tableContent,
} from "../shared/permissions/mod.ts";
import { buildFunctionApps, WALK_DATABASE, WALK_ENV } from "./api/apps.ts";
import { createTokenVerifier } from "../shared/auth/mod.ts";
import { createMemoryCache } from "../shared/cache/mod.ts";
import { createInProcessTaskClient } from "../shared/tasks/mod.ts";

const DOC = new URL("../docs/architecture.md", import.meta.url);

/** The table as the code says it should read. */
export async function currentTable(): Promise<string> {
  const log = createLogger({ level: "silent" });
  const services: Services = {
    config: loadConfig(WALK_ENV),
    db: WALK_DATABASE,
    log,
    auth: createTokenVerifier({ jwks: { keys: [] } }),
    tasks: createInProcessTaskClient({ db: WALK_DATABASE, log }),
    cache: createMemoryCache(),
  };
  const apps = await buildFunctionApps(services);
  const routes = apps.flatMap(({ app }) =>
    listRoutes(app).declared.map((r) => ({
      method: r.method,
      path: r.path,
      permission: r.declaration.permission,
    }))
  );
  return renderPermissionsTable(routes);
}

/** Writes the table, or with `--check` reports whether it is stale. */
async function main(args: readonly string[]): Promise<number> {
  const doc = await Deno.readTextFile(DOC);
  const table = await currentTable();
  if (args.includes("--check")) {
    const start = doc.indexOf(PERMISSIONS_DOC_MARKERS.start) + PERMISSIONS_DOC_MARKERS.start.length;
    if (
      tableContent(doc.slice(start, doc.indexOf(PERMISSIONS_DOC_MARKERS.end))) !==
        tableContent(table)
    ) {
      // deno-lint-ignore no-console
      console.error(
        "docs/architecture.md's permission table is stale: run `deno task docs:permissions`",
      );
      return 1;
    }
    return 0;
  }
  await Deno.writeTextFile(DOC, replacePermissionsTable(doc, table));
  // deno-lint-ignore no-console
  console.log("Wrote the permission table into docs/architecture.md (run `deno fmt` to align it)");
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
