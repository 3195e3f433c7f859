// The product path the bulk seed copies from: users signed up the way the auth
// stand-in signs them up (the sign-up trigger creates the organization), an
// instance connected through the instances service, and rounds of sync →
// analysis through the task system against the ServiceNow simulator, with the
// simulated clock moving a day between rounds so later runs see changes.
import type { Database, JwtClaims } from "../../shared/db/mod.ts";
import {
  addInstance,
  configureInstanceRuntime,
  generateKey,
  startSync,
} from "../../shared/instances/mod.ts";
import { hashPassword } from "../auth_server/_password.ts";
import { createSnowSimulator, type SnowSimulator } from "../snow_sim/mod.ts";
import { createTestAuth, createTestServices, simulatorFetch } from "../testing/mod.ts";
import type { TestServices } from "../testing/services.ts";

/** The marker every seeded organization's name starts with. */
export const SEED_ORG_PREFIX = "Seed scale ";
/** The e-mail domain of every seeded user. */
export const SEED_EMAIL_DOMAIN = "seed-scale.test";
/** The password every seeded user signs in with. */
export const SEED_PASSWORD = "seed-scale-password-2026";
const INTEGRATION = { username: "complianceiq.integration", password: "integration-password" };

/** A simulated instance profile: how much data each seeded instance carries. */
export interface InstanceProfile {
  /** Simulator users (findings grow with them). */
  users: number;
  changes: number;
  incidents: number;
}

/** An organization with one instance built through the product. */
export interface ProductInstance {
  orgId: string;
  ownerId: string;
  instanceId: string;
}

/** The simulators, services and credential key shared by one product build. */
export interface ProductBuild {
  /** One simulator per copy; each serves one instance, `acme`, from the same seed. */
  sims: SnowSimulator[];
  services: TestServices;
  /** `name:base64` key entry; the bulk path seals its credentials with it. */
  credentialsKeys: string;
}

/**
 * Starts `copies` simulators, each serving the same simulated instance (same
 * name and seed, so the same data) at `http://sim-<i>.invalid/acme`, and
 * services whose instance runtime reaches them in process.
 */
export async function startProductBuild(
  db: Database,
  profile: InstanceProfile,
  copies: number,
  credentialsKeys = `seed:${generateKey()}`,
): Promise<ProductBuild> {
  const sims = Array.from({ length: copies }, () =>
    createSnowSimulator({
      instances: [{ name: "acme", seed: 17, ...profile }],
      startTime: "2026-11-01T00:00:00Z",
    }));
  const fetchers = sims.map((sim) => simulatorFetch(sim));
  const route = ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const copy = Number(/^sim-(\d+)\./.exec(url.hostname)?.[1] ?? "0");
    return fetchers[copy]!(input, init);
  }) as typeof fetch;
  const auth = await createTestAuth();
  const services = createTestServices(db, auth, {
    CREDENTIALS_KEYS: credentialsKeys,
    ALLOW_PRIVATE_INSTANCE_URLS: "true",
    SYNC_PAGE_SIZE: "1000",
    // One delivery per task however slow the machine, so every build of the
    // same data writes the same job history (no continuation segments).
    TASKS_TIME_BUDGET_MS: "300000",
  });
  await configureInstanceRuntime({
    config: services.config,
    fetch: route,
    client: { sleep: () => Promise.resolve(), requestsPerSecond: 1_000_000 },
    now: () => sims[0]!.clock.now(),
  });
  return { sims, services, credentialsKeys };
}

/** The URL of simulator copy `copy`. */
export function simUrl(copy: number): string {
  return `http://sim-${copy}.invalid/acme`;
}

/**
 * Inserts a user as the auth stand-in's sign-up does (user, e-mail identity,
 * confirmed), with `orgName` in the metadata when the sign-up trigger should
 * create their organization.
 */
export async function signUp(
  db: Database,
  input: { email: string; name: string; passwordHash: string; orgName?: string },
): Promise<{ id: string; orgId: string | null }> {
  const id = crypto.randomUUID();
  const data: Record<string, string> = { full_name: input.name };
  if (input.orgName) data.organization_name = input.orgName;
  const app = { provider: "email", providers: ["email"] };
  const identity = { sub: id, email: input.email, email_verified: true, phone_verified: false };
  await db.sql.begin(async (tx) => {
    await tx`
      insert into auth.users (
        instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
        confirmation_token, recovery_token, email_change_token_new, email_change,
        raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_sso_user, is_anonymous)
      values ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated',
        ${input.email}, ${input.passwordHash}, now(), '', '', '', '', ${tx.json(app)},
        ${tx.json(data)}, now(), now(), false, false)`;
    await tx`
      insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at,
                                   created_at, updated_at)
      values (${id}, ${id}, ${tx.json({ ...identity, ...data })}, 'email', now(), now(), now())`;
  });
  const [org] = await db.sql<{ id: string }[]>`
    select id from public.organizations where created_by = ${id} order by created_at limit 1`;
  return { id, orgId: org?.id ?? null };
}

/** The bcrypt hash of {@linkcode SEED_PASSWORD} (computed once: bcrypt is slow on purpose). */
export function seedPasswordHash(): Promise<string> {
  return hashPassword(SEED_PASSWORD);
}

/**
 * Signs up an owner with a new enterprise organization and connects one
 * instance to simulator copy `copy` through the instances service.
 */
export async function createProductInstance(
  build: ProductBuild,
  input: { orgName: string; email: string; copy: number; passwordHash: string },
): Promise<ProductInstance> {
  const { db } = build.services;
  const owner = await signUp(db, {
    email: input.email,
    name: "Seed Owner",
    passwordHash: input.passwordHash,
    orgName: input.orgName,
  });
  const orgId = owner.orgId!;
  // Billing's own write: an enterprise subscription (100 instances, 1,000 members).
  await db.sql`update public.organizations set plan = 'enterprise' where id = ${orgId}`;
  const { instance } = await addInstance(build.services, claimsOf(owner.id, input.email), {
    org_id: orgId,
    name: "Acme (simulated ServiceNow)",
    url: simUrl(input.copy),
    credentials: { type: "basic", ...INTEGRATION },
    schedule: null,
    start_sync: false,
  });
  return { orgId, ownerId: owner.id, instanceId: instance.id };
}

/**
 * Runs `rounds` rounds over the instances in lockstep: each round syncs every
 * instance (full first, incremental after) through the task system, which
 * queues an analysis after each sync, drains the queue, then moves the
 * simulated clock one day on.
 */
export async function runRounds(
  build: ProductBuild,
  instances: { instance: ProductInstance; email: string }[],
  rounds: number,
): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const { instance, email } of instances) {
      const mode = round === 0 ? "full" : "incremental";
      await startSync(build.services, claimsOf(instance.ownerId, email), instance.instanceId, mode);
      await build.services.tasks.drain({ maxDeliveries: 100_000 });
    }
    for (const sim of build.sims) sim.clock.advance("1d");
  }
}

function claimsOf(userId: string, email: string): JwtClaims {
  return { sub: userId, role: "authenticated", email };
}
