import { fileURLToPath } from "node:url";
import { WEB_DIST, WEB_ROOT } from "./vite_config.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SOURCE_EXTENSIONS = [".ts", ".tsx", ".css", ".html", ".svg", ".json", ".png", ".ico"];
const SKIPPED_DIRS = new Set(["dist", "e2e", "node_modules"]);

/** Name of the file the build writes into `web/dist` to record what it was built from. */
export const BUILD_INFO_FILE = "build-info.json";

/** What `web/dist/build-info.json` holds. */
export interface BuildInfo {
  /** SHA-256 over the web sources and the import map, see {@linkcode hashWebSources}. */
  sourceHash: string;
  builtAt: string;
}

/** Whether `web/dist` matches the current sources. */
export interface WebBuildStatus {
  fresh: boolean;
  /** Why a build is needed: "missing", "stale" or "fresh". */
  reason: "missing" | "stale" | "fresh";
  sourceHash: string;
}

async function collectSources(dir: string, out: string[]): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory) {
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith(".")) {
        await collectSources(`${path}/`, out);
      }
    } else if (
      entry.isFile && SOURCE_EXTENSIONS.some((ext) => entry.name.endsWith(ext)) &&
      !/_test\.tsx?$/.test(entry.name)
    ) {
      out.push(path);
    }
  }
}

/**
 * Hashes everything the production build depends on: every source file under
 * `web/` (not tests, e2e or dist) and the import map that pins the packages.
 * Content-based, so a fresh clone (new mtimes) does not look stale and an edit
 * that keeps the mtime does not look fresh.
 */
export async function hashWebSources(): Promise<string> {
  const files: string[] = [];
  await collectSources(WEB_ROOT, files);
  files.sort();
  files.push(`${REPO_ROOT}import_map.json`);
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const file of files) {
    parts.push(encoder.encode(`${file.slice(REPO_ROOT.length)}\0`));
    parts.push(await Deno.readFile(file));
    parts.push(encoder.encode("\0"));
  }
  const total = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    total.set(part, offset);
    offset += part.length;
  }
  const digest = await crypto.subtle.digest("SHA-256", total);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Tells whether `web/dist` was built from the current sources.
 *
 * @param distDir the build folder to inspect; defaults to `web/dist`
 */
export async function webBuildStatus(distDir: string = WEB_DIST): Promise<WebBuildStatus> {
  const sourceHash = await hashWebSources();
  let info: BuildInfo;
  try {
    info = JSON.parse(await Deno.readTextFile(`${distDir}${BUILD_INFO_FILE}`)) as BuildInfo;
    await Deno.stat(`${distDir}index.html`);
  } catch {
    return { fresh: false, reason: "missing", sourceHash };
  }
  return info.sourceHash === sourceHash
    ? { fresh: true, reason: "fresh", sourceHash }
    : { fresh: false, reason: "stale", sourceHash };
}

/** Where build locks and scratch output live (inside the repo, so renames stay on one filesystem). */
export const SCRATCH_DIR: string = `${REPO_ROOT}node_modules/.cache/complianceiq-web/`;

const LOCK_FILE = `${SCRATCH_DIR}build.lock`;
const STALE_LOCK_MS = 5 * 60_000;

function processAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    // Without /proc (macOS) we cannot tell; trust the age check instead.
    return Deno.build.os !== "linux";
  }
}

/**
 * Runs `fn` while holding the web build lock, so parallel test files (each
 * starting a stack) never build into `web/dist` at the same time.
 *
 * @param fn the work to do under the lock
 */
export async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  await Deno.mkdir(SCRATCH_DIR, { recursive: true });
  for (;;) {
    try {
      const file = await Deno.open(LOCK_FILE, { createNew: true, write: true });
      await file.write(new TextEncoder().encode(JSON.stringify({ pid: Deno.pid, at: Date.now() })));
      file.close();
      break;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      try {
        const holder = JSON.parse(await Deno.readTextFile(LOCK_FILE)) as {
          pid: number;
          at: number;
        };
        if (!processAlive(holder.pid) || Date.now() - holder.at > STALE_LOCK_MS) {
          await Deno.remove(LOCK_FILE).catch(() => {});
          continue;
        }
      } catch {
        // The holder is between creating and writing the file, or died there.
        const stat = await Deno.stat(LOCK_FILE).catch(() => null);
        if (stat?.mtime && Date.now() - stat.mtime.getTime() > 10_000) {
          await Deno.remove(LOCK_FILE).catch(() => {});
          continue;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  try {
    return await fn();
  } finally {
    await Deno.remove(LOCK_FILE).catch(() => {});
  }
}
