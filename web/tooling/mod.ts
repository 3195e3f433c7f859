/**
 * Build tooling of the web app, for the dev stack and tests.
 *
 * @example
 * import { ensureWebBuild } from "../../web/tooling/mod.ts";
 * await ensureWebBuild(); // builds web/dist only when the sources changed
 *
 * @module
 */
export { ensureWebBuild } from "./ensure.ts";
export type { EnsureWebBuildOptions } from "./ensure.ts";
export { hashWebSources, webBuildStatus } from "./freshness.ts";
export type { BuildInfo, WebBuildStatus } from "./freshness.ts";
export { WEB_DIST, WEB_ROOT } from "./vite_config.ts";
