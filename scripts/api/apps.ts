import type { Database } from "../../shared/db/mod.ts";
import type { FunctionApp, Services } from "../../shared/http/mod.ts";

/** A function app found under functions/. */
export interface FoundApp {
  /** The function's name, e.g. "instances". */
  name: string;
  app: FunctionApp;
}

/**
 * Builds every function app under `functions/` (each `functions/<name>/app.ts`
 * exporting a `create…App(services)`), for walking its routes: the docs, the
 * route test and the API reference read the declarations this way.
 *
 * @param services what the apps are built with; their database is never queried by a walk
 */
export async function buildFunctionApps(services: Services): Promise<FoundApp[]> {
  const root = new URL("../../functions/", import.meta.url);
  const apps: FoundApp[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (!entry.isDirectory) continue;
    const url = new URL(`./${entry.name}/app.ts`, root);
    try {
      await Deno.stat(url);
    } catch {
      continue;
    }
    const module = await import(url.href) as Record<string, unknown>;
    const create = Object.entries(module).find(([name, value]) =>
      /^create\w+App$/.test(name) && typeof value === "function"
    )?.[1] as ((services: Services) => FunctionApp) | undefined;
    if (!create) throw new Error(`functions/${entry.name}/app.ts exports no create…App function`);
    apps.push({ name: entry.name, app: create(services) });
  }
  return apps.sort((a, b) => a.name.localeCompare(b.name));
}

/** A database stand-in for walking routes: answers `ping`, refuses everything else. */
export const WALK_DATABASE: Database = new Proxy({ ping: () => Promise.resolve() }, {
  get(target, key) {
    if (key in target) return target[key as keyof typeof target];
    if (key === "then") return undefined;
    return () => {
      throw new Error(`Walking routes does not query the database (called db.${String(key)})`);
    };
  },
}) as unknown as Database;

/** Environment a walk builds the apps with (the tasks function needs QStash keys). */
export const WALK_ENV: Record<string, string> = {
  PUBLIC_URL: "http://localhost:8000",
  QSTASH_CURRENT_SIGNING_KEY: "sig_walk_current",
  QSTASH_NEXT_SIGNING_KEY: "sig_walk_next",
  LOG_LEVEL: "silent",
};
