/**
 * `deno task web:build [--if-stale] [--quiet]`: builds the web app into `web/dist`.
 *
 * The build goes to a scratch folder first and then replaces `web/dist` in two
 * renames, so a server reading `web/dist` never sees a half-written build.
 * `--if-stale` skips the build when `web/dist/build-info.json` records the
 * current source hash (see freshness.ts).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { build } from "vite";
import {
  BUILD_INFO_FILE,
  type BuildInfo,
  SCRATCH_DIR,
  webBuildStatus,
  withBuildLock,
} from "./freshness.ts";
import { createViteConfig, WEB_DIST } from "./vite_config.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Packages the browser bundle imports; Vite resolves them from node_modules. */
const BROWSER_PACKAGES = [
  "preact",
  "preact-iso",
  "@preact/signals",
  "@supabase/supabase-js",
  "chart.js",
  "lucide",
  "@fontsource-variable/inter",
];

async function ensureNodeModules(): Promise<void> {
  const missing = [];
  for (const name of BROWSER_PACKAGES) {
    try {
      await Deno.stat(`${REPO_ROOT}node_modules/${name}/package.json`);
    } catch {
      missing.push(name);
    }
  }
  if (missing.length === 0) return;
  // Deno fetches npm packages lazily; `deno install` lays out node_modules for
  // every entry of the import map, which is what Vite's resolver reads.
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["install", "--quiet"],
    cwd: REPO_ROOT,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!result.success) {
    throw new Error(`Cannot build the web app: "deno install" failed for ${missing.join(", ")}`);
  }
}

async function buildInto(outDir: string, quiet: boolean, sourceHash: string): Promise<void> {
  await build(createViteConfig("production", { outDir, logLevel: quiet ? "warn" : "info" }));
  const info: BuildInfo = { sourceHash, builtAt: new Date().toISOString() };
  await Deno.writeTextFile(`${outDir}${BUILD_INFO_FILE}`, JSON.stringify(info, null, 2) + "\n");
}

async function replaceDist(fresh: string): Promise<void> {
  const old = `${SCRATCH_DIR}old-${crypto.randomUUID()}`;
  const hadDist = await Deno.stat(WEB_DIST).then(() => true, () => false);
  if (hadDist) await Deno.rename(WEB_DIST, old);
  await Deno.rename(fresh, WEB_DIST.replace(/\/$/, ""));
  if (hadDist) await Deno.remove(old, { recursive: true });
}

/**
 * Builds `web/dist` (or does nothing when `ifStale` is set and it is fresh).
 *
 * @param options `ifStale` to skip a fresh build, `quiet` to print warnings only
 * @returns whether a build ran
 */
export async function buildWeb(
  options: { ifStale?: boolean; quiet?: boolean } = {},
): Promise<boolean> {
  return await withBuildLock(async () => {
    const status = await webBuildStatus();
    if (options.ifStale && status.fresh) return false;
    await ensureNodeModules();
    const scratch = `${SCRATCH_DIR}dist-${crypto.randomUUID()}/`;
    try {
      await buildInto(scratch, options.quiet ?? false, status.sourceHash);
      await replaceDist(scratch.replace(/\/$/, ""));
    } finally {
      await Deno.remove(scratch, { recursive: true }).catch(() => {});
    }
    return true;
  });
}

if (import.meta.main) {
  const quiet = Deno.args.includes("--quiet");
  const started = performance.now();
  const built = await buildWeb({ ifStale: Deno.args.includes("--if-stale"), quiet });
  if (!quiet) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    // deno-lint-ignore no-console
    console.log(built ? `web/dist built in ${seconds}s` : "web/dist is up to date");
  }
}
