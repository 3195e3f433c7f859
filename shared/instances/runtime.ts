import type { ServiceNowClientOptions } from "../servicenow/client/mod.ts";
import { CHECKS, requiredFields, requiredRecords } from "../analysis/catalog/mod.ts";
import { type LogWindows, syncPlanFromFields, type SyncTableSpec } from "../servicenow/sync/mod.ts";
import { type Config, ConfigError, loadConfig } from "../env/mod.ts";
import { CredentialsError, type Keyring, loadKeyring } from "./credentials.ts";
import type { HostResolver } from "./url.ts";

/** Client tuning the runtime may override (tests make retries instant). */
export type ClientTuning = Pick<
  ServiceNowClientOptions,
  | "requestsPerSecond"
  | "concurrency"
  | "timeoutMs"
  | "maxAttempts"
  | "baseDelayMs"
  | "maxDelayMs"
  | "maxRetryAfterMs"
  | "sleep"
  | "now"
  | "random"
>;

/** How this process reaches ServiceNow instances and what it syncs. */
export interface InstanceRuntimeOptions {
  config: Config;
  /** The fetch used to reach instances (tests route it to the simulator). */
  fetch?: typeof fetch;
  /** DNS resolver for the SSRF check (tests inject one). */
  resolve?: HostResolver;
  /** Client tuning, e.g. faster retries in tests. */
  client?: ClientTuning;
  /**
   * Tables and fields to sync; otherwise {@linkcode catalogSyncPlan} with the
   * configured windows (SYNC_LOG_WINDOW_DAYS, SYNC_AUDIT_WINDOW_DAYS).
   */
  plan?: () => readonly SyncTableSpec[];
  /**
   * The sync's clock: log-table windows are measured from it. The real clock
   * by default; tests of a simulator whose time is not today pass its clock.
   */
  now?: () => Date;
}

/** The resolved runtime. */
export interface InstanceRuntime extends InstanceRuntimeOptions {
  keyring: Keyring;
  plan: () => readonly SyncTableSpec[];
  allowPrivate: boolean;
}

let configured: Promise<InstanceRuntime> | null = null;
const catalogPlans = new Map<string, SyncTableSpec[]>();

/** Windows of {@linkcode catalogSyncPlan} when none are given (the configuration's defaults). */
const DEFAULT_WINDOWS: LogWindows = { log: 90, audit: 400 };

/**
 * What the built-in checks need: exactly the tables and fields of the check
 * catalog (`requiredFields`), each limited to the records the checks read
 * (`requiredRecords`, with default parameters), and the append-only log
 * tables (syslog_transaction, sys_audit…) to a time window.
 *
 * @param windows days of logs and of audit history kept (0 = all)
 */
export function catalogSyncPlan(windows: LogWindows = DEFAULT_WINDOWS): readonly SyncTableSpec[] {
  const key = `${windows.log ?? 0}/${windows.audit ?? 0}`;
  let plan = catalogPlans.get(key);
  if (!plan) {
    plan = syncPlanFromFields(requiredFields(CHECKS), requiredRecords(CHECKS), { windows });
    catalogPlans.set(key, plan);
  }
  return plan;
}

/**
 * Sets how this process reaches instances. Function apps call it with their
 * services' configuration; a process that never calls it (the deployed tasks
 * function) reads the environment on first use.
 *
 * @param options configuration and optional test hooks
 */
export function configureInstanceRuntime(
  options: InstanceRuntimeOptions,
): Promise<InstanceRuntime> {
  configured = build(options);
  // A bad keyring must fail the caller, not leave an unhandled rejection.
  configured.catch(() => {});
  return configured;
}

/**
 * The runtime, configured or read from the environment.
 *
 * @throws {ConfigError} when no credentials keyring is configured
 */
export function instanceRuntime(): Promise<InstanceRuntime> {
  configured ??= build({ config: loadConfig() });
  return configured;
}

async function build(options: InstanceRuntimeOptions): Promise<InstanceRuntime> {
  const { config } = options;
  if (!config.CREDENTIALS_KEYS) {
    throw new ConfigError(
      'Cannot use ServiceNow instances: CREDENTIALS_KEYS is not set (see README, "ServiceNow instances and sync")',
    );
  }
  let keyring: Keyring;
  try {
    keyring = await loadKeyring(config.CREDENTIALS_KEYS, config.CREDENTIALS_KEY_ID);
  } catch (error) {
    if (error instanceof CredentialsError) throw new ConfigError(error.message);
    throw error;
  }
  const windows: LogWindows = {
    log: config.SYNC_LOG_WINDOW_DAYS,
    audit: config.SYNC_AUDIT_WINDOW_DAYS,
  };
  return {
    ...options,
    keyring,
    plan: options.plan ?? (() => catalogSyncPlan(windows)),
    allowPrivate: config.ALLOW_PRIVATE_INSTANCE_URLS,
  };
}
