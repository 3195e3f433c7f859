import type { Database } from "../../shared/db/mod.ts";
import { loadConfig } from "../../shared/env/mod.ts";
import type { Services } from "../../shared/http/mod.ts";
import { createLogger } from "../../shared/log/mod.ts";
import type { TestAuth } from "./auth.ts";

/**
 * Services for building a function app in a test: quiet logs (set
 * `TEST_LOG=debug` to see them), the test database and the test verifier.
 *
 * @param db the test file's database
 * @param auth the test token issuer
 * @param env extra environment, e.g. a small MAX_BODY_BYTES
 */
export function createTestServices(
  db: Database,
  auth: TestAuth,
  env: Record<string, string> = {},
): Services {
  const level = (Deno.env.get("TEST_LOG") ?? "silent") as "silent";
  return {
    config: loadConfig(env),
    db,
    log: createLogger({ level }),
    auth: auth.verifier,
  };
}
