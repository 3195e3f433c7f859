import { fileURLToPath } from "node:url";
import { webBuildStatus } from "./freshness.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUILD_SCRIPT = fileURLToPath(new URL("./build.ts", import.meta.url));

/** Options for {@linkcode ensureWebBuild}. */
export interface EnsureWebBuildOptions {
  /** Print only warnings and errors from the build. */
  quiet?: boolean;
}

/**
 * Makes sure `web/dist` was built from the current sources, building it in a
 * subprocess when it is missing or stale (Vite is never loaded into the caller).
 * Safe to call from several processes at once: builds are serialised by a lock
 * and the second caller finds the build fresh.
 *
 * @param options `quiet` to keep the build's output to warnings
 * @returns whether a build ran
 * @throws {Error} when the build fails, with its exit code
 */
export async function ensureWebBuild(options: EnsureWebBuildOptions = {}): Promise<boolean> {
  if ((await webBuildStatus()).fresh) return false;
  const args = ["run", "-A", `--config=${REPO_ROOT}deno.json`, BUILD_SCRIPT, "--if-stale"];
  if (options.quiet) args.push("--quiet");
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO_ROOT,
    stdin: "null",
    stdout: options.quiet ? "piped" : "inherit",
    stderr: options.quiet ? "piped" : "inherit",
  }).output();
  if (!result.success) {
    const detail = options.quiet ? `\n${new TextDecoder().decode(result.stderr)}` : "";
    throw new Error(`Cannot build the web app: web:build exited with code ${result.code}${detail}`);
  }
  return true;
}
