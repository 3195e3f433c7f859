import assert from "node:assert/strict";
import { ConfigError, databaseUrl, loadConfig } from "./mod.ts";

Deno.test("loadConfig() applies defaults to an empty environment", () => {
  const config = loadConfig({});
  assert.equal(config.DB_POOL_MAX, 10);
  assert.equal(config.DB_PREPARE, true);
  assert.equal(config.MAX_BODY_BYTES, 1024 * 1024);
});

Deno.test("loadConfig() names the variable that is invalid", () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: "mysql://nope", DB_POOL_MAX: "many" }),
    (error: unknown) =>
      error instanceof ConfigError && /DATABASE_URL/.test(error.message) &&
      /DB_POOL_MAX/.test(error.message),
  );
});

Deno.test("loadConfig() reads boolean flags the way operators write them", () => {
  assert.equal(loadConfig({ DB_PREPARE: "false" }).DB_PREPARE, false);
  assert.equal(loadConfig({ DB_PREPARE: "0" }).DB_PREPARE, false);
});

Deno.test("databaseUrl() falls back to SUPABASE_DB_URL and fails clearly without either", () => {
  assert.equal(
    databaseUrl(loadConfig({ SUPABASE_DB_URL: "postgres://x@y/z" })),
    "postgres://x@y/z",
  );
  assert.throws(() => databaseUrl(loadConfig({})), /DATABASE_URL is not set/);
});
