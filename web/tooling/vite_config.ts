import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import tailwindcss from "@tailwindcss/vite";
import type { InlineConfig } from "vite";

/** Absolute path of the web app's source folder (`web/`). */
export const WEB_ROOT: string = fileURLToPath(new URL("../", import.meta.url));

/** Vite's dependency cache, kept out of the source tree (under the repo's node_modules). */
const CACHE_DIR: string = fileURLToPath(
  new URL("../../node_modules/.vite/complianceiq-web/", import.meta.url),
);

/** Absolute path of the production build (`web/dist/`), served by the dev stack. */
export const WEB_DIST: string = fileURLToPath(new URL("../dist/", import.meta.url));

/** Options for {@linkcode createViteConfig}. */
export interface ViteConfigOptions {
  /** Where the production build is written; defaults to {@linkcode WEB_DIST}. */
  outDir?: string;
  /** Origin of a running dev stack that serves `/auth/v1`, `/functions/v1` and `/app-config.json`. */
  apiOrigin?: string;
  /** Dev server port (0 picks a free one). */
  port?: number;
  /** Vite log level; "warn" keeps test output quiet. */
  logLevel?: "info" | "warn" | "error" | "silent";
}

/**
 * The one Vite configuration for the web app, used by `web:build` and `web:dev`
 * (there is no vite.config.ts, so nothing depends on Vite's config-file loader).
 *
 * @param mode "production" for `web:build`, "development" for the dev server
 * @param options output folder, API origin to proxy to, port, log level
 */
export function createViteConfig(
  mode: "production" | "development",
  options: ViteConfigOptions = {},
): InlineConfig {
  const proxied = ["/auth/v1", "/functions/v1"];
  return {
    configFile: false,
    root: WEB_ROOT,
    base: "/",
    mode,
    publicDir: "public",
    cacheDir: CACHE_DIR,
    clearScreen: false,
    logLevel: options.logLevel ?? "info",
    plugins: [preact(), tailwindcss()],
    resolve: { dedupe: ["preact", "@preact/signals"] },
    build: {
      outDir: options.outDir ?? WEB_DIST,
      emptyOutDir: true,
      target: "es2022",
      sourcemap: true,
      reportCompressedSize: false,
      // supabase-js is one ~190 kB chunk; everything page-specific is split by route.
      chunkSizeWarningLimit: 600,
    },
    server: {
      port: options.port ?? 5173,
      strictPort: options.port !== undefined && options.port !== 0,
      proxy: options.apiOrigin
        ? Object.fromEntries(
          proxied.map((path) => [path, { target: options.apiOrigin, changeOrigin: false }]),
        )
        : undefined,
    },
  };
}
