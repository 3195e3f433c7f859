export { ConfigError, databaseUrl, loadConfig } from "./config.ts";
export type { Config } from "./config.ts";
