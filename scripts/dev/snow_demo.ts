// The dev stack's ServiceNow side: the simulator mounted at /snow-sim, a
// credentials keyring for the local database, and the demo organization's
// instance, connected to the simulator and synced through the task system.
import type { Database, JwtClaims } from "../../shared/db/mod.ts";
import type { Services } from "../../shared/http/mod.ts";
import {
  addInstance,
  generateKey,
  instanceRuntime,
  startSync,
} from "../../shared/instances/mod.ts";
import type { Logger } from "../../shared/log/mod.ts";
import { createSnowSimulator, type SnowSimulator } from "../snow_sim/mod.ts";

/** Where the simulator is mounted on the stack. */
export const SNOW_SIM_PATH = "/snow-sim";
/** The simulated instance the demo organization is connected to. */
export const DEMO_SNOW_INSTANCE = "acme";
/** The demo instance's name in ComplianceIQ. */
export const DEMO_INSTANCE_NAME = "Acme (simulated ServiceNow)";
/** The integration account the simulator creates (see scripts/snow_sim/README.md). */
const INTEGRATION = { username: "complianceiq.integration", password: "integration-password" };

/** Options for {@linkcode startDevSnow}. */
export interface DevSnowOptions {
  /** Keep the credentials key in `keyFile` across restarts. */
  persist: boolean;
  /** Where a persistent stack keeps its key (default `.data/credentials.key`). */
  keyFile?: string;
  /** Users of the simulated instance (default 600; tests use fewer). */
  users?: number;
}

/** The simulator and the configuration the functions need to reach it. */
export interface DevSnow {
  sim: SnowSimulator;
  /** Environment for the functions: a credentials keyring and dev-mode URLs. */
  env: Record<string, string>;
  /** Answers requests under {@linkcode SNOW_SIM_PATH}. */
  fetch(req: Request): Promise<Response>;
  /** The demo instance's base URL on a stack at `stackUrl`. */
  instanceUrl(stackUrl: string): string;
}

/**
 * Starts the simulator (in process) and prepares the keyring: a configured
 * CREDENTIALS_KEYS wins; otherwise a persistent stack keeps a generated key in
 * `.data/credentials.key`, and a throwaway stack generates one.
 *
 * @param options persistence and scale
 */
export async function startDevSnow(options: DevSnowOptions): Promise<DevSnow> {
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  const sim = createSnowSimulator({
    instances: [{ name: DEMO_SNOW_INSTANCE, users: options.users ?? 600, seed: 1 }],
    // Stable within a day, so a restart serves the data the last sync saw.
    startTime: today,
  });
  const env: Record<string, string> = { ALLOW_PRIVATE_INSTANCE_URLS: "true" };
  if (!Deno.env.get("CREDENTIALS_KEYS")) {
    env.CREDENTIALS_KEYS = options.persist
      ? await persistentKey(
        options.keyFile ?? new URL("../../.data/credentials.key", import.meta.url).pathname,
      )
      : `dev:${generateKey()}`;
  }
  return {
    sim,
    env,
    fetch(req) {
      const url = new URL(req.url);
      url.pathname = url.pathname.slice(SNOW_SIM_PATH.length) || "/";
      return sim.fetch(new Request(url, req));
    },
    instanceUrl: (stackUrl) => `${stackUrl}${SNOW_SIM_PATH}/${DEMO_SNOW_INSTANCE}`,
  };
}

async function persistentKey(path: string): Promise<string> {
  try {
    const text = (await Deno.readTextFile(path)).trim();
    if (/^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=]{40,64}$/.test(text)) return text;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const entry = `dev:${generateKey()}`;
  await Deno.mkdir(new URL(".", `file://${path}`), { recursive: true });
  await Deno.writeTextFile(path, `${entry}\n`, { mode: 0o600 });
  return entry;
}

/** Options for {@linkcode ensureDemoInstance}. */
export interface DemoInstanceOptions {
  services: Services;
  db: Database;
  log: Logger;
  stackUrl: string;
  snow: DevSnow;
  /** The demo user's email; their first organization gets the instance. */
  email: string;
  /** Start a sync (default true): full the first time, incremental after. */
  sync?: boolean;
}

/**
 * Connects the demo organization to the simulator once (as the demo user, so
 * every rule applies), keeps its URL pointing at this stack, and starts a sync
 * through the task system.
 *
 * @param options services, stack URL and the demo account
 * @returns the instance id, or null when there is no demo organization
 */
export async function ensureDemoInstance(options: DemoInstanceOptions): Promise<string | null> {
  const { services, db, log } = options;
  const [demo] = await db.sql<{ user_id: string; org_id: string }[]>`
    select m.user_id, m.org_id from public.memberships m join auth.users u on u.id = m.user_id
    where u.email = ${options.email} order by m.created_at limit 1`;
  if (!demo) return null;
  const claims: JwtClaims = { sub: demo.user_id, role: "authenticated", email: options.email };
  const url = options.snow.instanceUrl(options.stackUrl);
  const [existing] = await db.sql<{ id: string; url: string }[]>`
    select id, url from public.instances where org_id = ${demo.org_id} and name = ${DEMO_INSTANCE_NAME}`;
  let instanceId: string;
  let mode: "full" | "incremental" = "incremental";
  if (existing) {
    instanceId = existing.id;
    if (existing.url !== url) {
      // The stack runs on another port than last time.
      await db.sql`update public.instances set url = ${url} where id = ${instanceId}`;
    }
    // A lost dev key (.data/credentials.key deleted) would leave the demo
    // credentials unreadable: seal them again with the current key.
    const runtime = await instanceRuntime();
    const binding = { orgId: demo.org_id, instanceId };
    const [row] = await db.sql<{ credentials: unknown }[]>`
      select credentials from public.instances where id = ${instanceId}`;
    try {
      await runtime.keyring.open(row?.credentials, binding);
    } catch {
      const sealed = await runtime.keyring.seal({ type: "basic", ...INTEGRATION }, binding);
      await db.sql`update public.instances set credentials = ${db.sql.json(sealed as never)}
                   where id = ${instanceId}`;
      log.warn("demo instance credentials re-sealed with the current dev key", { instanceId });
    }
  } else {
    // The demo organization may connect a few more instances than a trial allows.
    await db.sql`update public.organizations set plan = 'professional'
                 where id = ${demo.org_id} and plan = 'trial'`;
    const { instance } = await addInstance(services, claims, {
      org_id: demo.org_id,
      name: DEMO_INSTANCE_NAME,
      url,
      credentials: { type: "basic", ...INTEGRATION },
      schedule: null,
      // The sync below (or none, with `sync: false`) is this script's choice.
      start_sync: false,
    });
    instanceId = instance.id;
    mode = "full";
    log.info("demo instance connected to the ServiceNow simulator", { instanceId, url });
  }
  if (options.sync !== false) {
    try {
      const { run } = await startSync(services, claims, instanceId, mode);
      log.info("demo instance sync queued", { instanceId, runId: run.id, mode });
    } catch (error) {
      log.warn("cannot start the demo instance's sync", { instanceId, error });
    }
  }
  return instanceId;
}
