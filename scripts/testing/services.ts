import { createMemoryCache } from "../../shared/cache/mod.ts";
import type { Database } from "../../shared/db/mod.ts";
import { loadConfig } from "../../shared/env/mod.ts";
import type { Services } from "../../shared/http/mod.ts";
import { createLogger } from "../../shared/log/mod.ts";
import { type MemoryMailer, memoryMailer } from "../../shared/mail/mod.ts";
import {
  createInProcessTaskClient,
  type InProcessTaskClient,
  type TaskClient,
} from "../../shared/tasks/mod.ts";
import { generateKey } from "../../shared/instances/credentials.ts";
import type { TestAuth } from "./auth.ts";

/** Services for tests; `tasks` is in-process unless another client is passed. */
export interface TestServices<T extends TaskClient = InProcessTaskClient> extends Services {
  tasks: T;
  /** What the app sent: `mailer.sent`. */
  mailer: MemoryMailer;
}

/**
 * The keyring of test services unless a test sets its own: one random key per
 * test process (webhook secrets are sealed with it, like instance credentials).
 */
const TEST_CREDENTIALS_KEYS = `test:${generateKey()}`;

/** Options for {@linkcode createTestServices}. */
export interface TestServicesOptions<T extends TaskClient> {
  /**
   * A task client to use instead of the in-process one (e.g. a QStash client
   * pointed at the stand-in). The in-process client keeps jobs in the test
   * database and delivers them when the test calls `services.tasks.drain()`.
   */
  tasks?: (services: Omit<Services, "tasks">) => T;
}

/**
 * Services for building a function app in a test: quiet logs (set
 * `TEST_LOG=debug` to see them), the test database, the test verifier and an
 * in-process task queue.
 *
 * @param db the test file's database
 * @param auth the test token issuer
 * @param env extra environment, e.g. a small MAX_BODY_BYTES
 * @param options another task client
 */
export function createTestServices<T extends TaskClient = InProcessTaskClient>(
  db: Database,
  auth: TestAuth,
  env: Record<string, string> = {},
  options: TestServicesOptions<T> = {},
): TestServices<T> {
  const level = (Deno.env.get("TEST_LOG") ?? "silent") as "silent";
  const config = loadConfig({
    CHECK_RESPONSES: "true",
    CREDENTIALS_KEYS: TEST_CREDENTIALS_KEYS,
    ...env,
  });
  const base = {
    config,
    db,
    log: createLogger({ level }),
    auth: auth.verifier,
    cache: createMemoryCache(),
    mailer: memoryMailer(),
  };
  const tasks = options.tasks ? options.tasks(base) : createInProcessTaskClient({
    db,
    log: base.log,
    timeBudgetMs: config.TASKS_TIME_BUDGET_MS,
    leaseMs: config.TASKS_LEASE_MS,
    defaultRetries: config.TASKS_DEFAULT_RETRIES,
  });
  return { ...base, tasks: tasks as T };
}
