// deno task seed:scale [--orgs 100] [--instances 100] [--runs 10] [--users 1000]
//                      [--large-orgs 2] [--records-per-org 1] [--parallel 2]
//
// Builds seed-scale data on the PostgreSQL server (DATABASE_URL): organizations
// of users signed up as the auth stand-in signs them up (all sign in with
// SEED_PASSWORD), members with every role, and instances copied in bulk from
// two instances the product built itself (sync → analysis through the task
// system against the ServiceNow simulator, `--runs` rounds): a small one for
// most organizations and a large one (≈1,000 findings per instance) for the
// `--large-orgs` largest. Re-runnable: everything it made before (organizations
// named "Seed scale …", users @seed-scale.test) is deleted first; nothing else
// is touched. Prints what it built per table and how long each step took.
import { parseArgs } from "node:util";
import postgres from "postgres";
import { migrate } from "../db/migrate.ts";
import { connectDatabase, type Database } from "../../shared/db/mod.ts";
import { instanceRuntime } from "../../shared/instances/mod.ts";
import { cloneInstances, type Template } from "./clone.ts";
import {
  createProductInstance,
  type InstanceProfile,
  runRounds,
  SEED_EMAIL_DOMAIN,
  SEED_ORG_PREFIX,
  SEED_PASSWORD,
  seedPasswordHash,
  signUp,
  startProductBuild,
} from "./template.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    orgs: { type: "string", default: "100" },
    instances: { type: "string", default: "100" },
    runs: { type: "string", default: "10" },
    users: { type: "string", default: "1000" },
    "large-orgs": { type: "string", default: "2" },
    "records-per-org": { type: "string", default: "1" },
    parallel: { type: "string", default: "2" },
  },
});
const orgs = positive("orgs", 1000);
const perOrg = positive("instances", 100);
const runs = positive("runs", 50);
const users = positive("users", 100_000);
const largeOrgs = Math.min(orgs, Number(values["large-orgs"]));
const recordsPerOrg = Number(values["records-per-org"]);
// Copies of ten organizations run side by side, each in its own transaction:
// one copy keeps one Postgres backend (one core) busy.
const parallel = positive("parallel", 8);
type Owner = { orgId: string; ownerId: string };
type Runtime = Awaited<ReturnType<typeof instanceRuntime>>;
const SMALL: InstanceProfile = { users: 40, changes: 40, incidents: 40 };
const LARGE: InstanceProfile = { users: 2000, changes: 400, incidents: 400 };
const ROLES = ["admin", "analyst", "analyst", "auditor", "viewer"];

// deno-lint-ignore no-console
const say = (line: string) => console.log(line);
const url = Deno.env.get("DATABASE_URL");
if (!url) {
  // deno-lint-ignore no-console
  console.error(
    "seed:scale builds millions of rows and needs the PostgreSQL server: set DATABASE_URL " +
      "(e.g. postgres://postgres@127.0.0.1:5432/complianceiq). The embedded PGlite database " +
      "is not supported.",
  );
  Deno.exit(2);
}
// A fresh database gets the schema first, as `deno task db:migrate` would apply it.
{
  const migrator = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const report = await migrate(migrator);
    if (report.applied.length) say(`migrations: ${report.applied.length} applied`);
  } finally {
    await migrator.end();
  }
}
const db = connectDatabase(url, { max: Math.max(4, parallel + 1) });
const began = performance.now();
const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const result = await work();
  say(`  ${label.padEnd(44)} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
};

say(
  `seed:scale on ${new URL(url).host}${new URL(url).pathname}: ${orgs} organizations × ` +
    `${perOrg} instances, ${runs} runs each, ${users} users (${largeOrgs} large organizations)`,
);
await timed("delete the previous seed", () => deleteSeed(db));
const hash = await seedPasswordHash();
const build = await startProductBuild(db, SMALL, 1);
const small = await timed(
  `product path: small template, ${runs} rounds`,
  () => template(build, "template small", SMALL),
);
const large = largeOrgs > 0
  ? await timed(
    `product path: large template, ${runs} rounds`,
    async () =>
      template(
        await startProductBuild(db, LARGE, 1, build.credentialsKeys),
        "template large",
        LARGE,
      ),
  )
  : null;
const owners = await timed("organizations, users and memberships", () => createOrganizations(db));
await timed("instances copied in bulk", () => copyAll(owners));
await db.sql`analyze`;
await printCounts(db);
say(
  `seed:scale done in ${((performance.now() - began) / 1000).toFixed(1)} s; every seeded user ` +
    `signs in with password "${SEED_PASSWORD}" (e.g. owner-001@${SEED_EMAIL_DOMAIN})`,
);
await db.close();
Deno.exit(0);

function positive(
  name: "orgs" | "instances" | "runs" | "users" | "parallel",
  max: number,
): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    // deno-lint-ignore no-console
    console.error(`--${name} must be an integer from 1 to ${max}`);
    Deno.exit(2);
  }
  return n;
}

async function template(
  b: Awaited<ReturnType<typeof startProductBuild>>,
  name: string,
  _profile: InstanceProfile,
): Promise<Template> {
  const email = `${name.replace(/ /g, "-")}@${SEED_EMAIL_DOMAIN}`;
  const t = await createProductInstance(b, {
    orgName: `${SEED_ORG_PREFIX}${name}`,
    email,
    copy: 0,
    passwordHash: hash,
  });
  await runRounds(b, [{ instance: t, email }], runs);
  return t;
}

/** Deletes every organization and user an earlier seed made (and nothing else). */
async function deleteSeed(db: Database): Promise<void> {
  const like = `${SEED_ORG_PREFIX}%`;
  // One organization at a time: each delete cascades over a million rows at most.
  const ids = await db.sql<{ id: string }[]>`
    select id from public.organizations where name like ${like}`;
  for (const { id } of ids) await db.sql`delete from public.organizations where id = ${id}`;
  await db.sql`delete from auth.users where email like ${`%@${SEED_EMAIL_DOMAIN}`}`;
  // Millions of dead rows and statistics of the old size slowed the product
  // path that follows 35-fold (a 20 s template round took 690 s): reclaim and
  // re-count before writing again.
  if (ids.length > 0) await db.sql.unsafe("vacuum (analyze)");
}

/** Owners sign up (the trigger creates each organization); the others join with a role. */
async function createOrganizations(db: Database): Promise<Owner[]> {
  const owners: Owner[] = [];
  for (let i = 1; i <= orgs; i++) {
    const n = String(i).padStart(3, "0");
    const owner = await signUp(db, {
      email: `owner-${n}@${SEED_EMAIL_DOMAIN}`,
      name: `Owner ${n}`,
      passwordHash: hash,
      orgName: `${SEED_ORG_PREFIX}${n}`,
    });
    await db.sql`update public.organizations set plan = 'enterprise' where id = ${owner.orgId}`;
    owners.push({ orgId: owner.orgId!, ownerId: owner.id });
  }
  // The rest of the users, spread evenly, in one statement each (the same
  // columns the sign-up above writes; the profile trigger runs for each).
  const members = users - orgs;
  if (members > 0) {
    await db.sql`
      insert into auth.users (
        instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
        confirmation_token, recovery_token, email_change_token_new, email_change,
        raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_sso_user, is_anonymous)
      select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated',
        'authenticated', 'member-' || lpad(g::text, 5, '0') || ${`@${SEED_EMAIL_DOMAIN}`}, ${hash},
        now(), '', '', '', '', '{"provider":"email","providers":["email"]}'::jsonb,
        jsonb_build_object('full_name', 'Member ' || g), now(), now(), false, false
      from generate_series(1, ${members}) g`;
    await db.sql`
      insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at,
                                   created_at, updated_at)
      select u.id::text, u.id, jsonb_build_object('sub', u.id::text, 'email', u.email,
        'email_verified', true, 'phone_verified', false) || u.raw_user_meta_data,
        'email', now(), now(), now()
      from auth.users u where u.email like ${`member-%@${SEED_EMAIL_DOMAIN}`}`;
    await db.sql`
      insert into public.memberships (org_id, user_id, role)
      select o.org_id, u.id, (${ROLES}::public.org_role[])[1 + (u.n % ${ROLES.length})]
      from (select id, row_number() over (order by email) - 1 as n from auth.users
            where email like ${`member-%@${SEED_EMAIL_DOMAIN}`}) u
      join unnest(${owners.map((o) => o.orgId)}::uuid[]) with ordinality o(org_id, k)
        on o.k = 1 + (u.n % ${orgs})`;
  }
  return owners;
}

/**
 * Instances for every organization, copied from the templates ten
 * organizations per transaction, `--parallel` transactions at a time.
 */
async function copyAll(owners: Owner[]): Promise<void> {
  const runtime = await instanceRuntime();
  const starts = owners.map((_, i) => i).filter((i) => i % 10 === 0);
  const worker = async () => {
    for (let from = starts.shift(); from !== undefined; from = starts.shift()) {
      await copyBatch(runtime, owners, from);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

async function copyBatch(runtime: Runtime, owners: Owner[], from: number): Promise<void> {
  const started = performance.now();
  const batch = owners.slice(from, from + 10);
  for (
    const [tpl, group] of [
      [large, batch.filter((_, i) => from + i < largeOrgs)],
      [small, batch.filter((_, i) => from + i >= largeOrgs)],
    ] as const
  ) {
    if (!tpl || group.length === 0) continue;
    const rows = await targetRows(runtime, group);
    await db.sql.begin(async (tx) => {
      await tx`create temp table seed_targets (n int, org_id uuid, owner_id uuid,
               instance_id uuid, name text, credentials jsonb, records boolean) on commit drop`;
      await tx`insert into seed_targets select * from jsonb_populate_recordset(
               null::seed_targets, ${tx.json(rows as never)})`;
      await cloneInstances(tx, tpl);
    });
  }
  say(
    `    organizations ${from + 1}–${from + batch.length} copied in ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}

/** One row per instance to create, with its credentials sealed for it. */
async function targetRows(runtime: Runtime, group: Owner[]): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const o of group) {
    for (let k = 1; k <= perOrg; k++) {
      const id = crypto.randomUUID();
      const credentials = await runtime.keyring.seal(
        { type: "basic", username: "complianceiq.integration", password: "integration-password" },
        { orgId: o.orgId, instanceId: id },
      );
      rows.push({
        n: k,
        org_id: o.orgId,
        owner_id: o.ownerId,
        instance_id: id,
        name: `Instance ${String(k).padStart(3, "0")}`,
        credentials,
        records: k <= recordsPerOrg,
      });
    }
  }
  return rows;
}

async function printCounts(db: Database): Promise<void> {
  const like = `${SEED_ORG_PREFIX}%`;
  const tables = [
    "memberships",
    "instances",
    "instance_tables",
    "snow_records",
    "jobs",
    "job_deliveries",
    "sync_runs",
    "sync_table_results",
    "analysis_runs",
    "analysis_check_results",
    "analysis_findings",
    "analysis_finding_results",
    "analysis_run_summaries",
    "posture_instance_rollups",
    "posture_check_rollups",
    "usage_daily",
    "audit_log",
  ];
  say("built (seeded organizations only):");
  const [orgCount] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from public.organizations where name like ${like}`;
  const [userCount] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from auth.users where email like ${`%@${SEED_EMAIL_DOMAIN}`}`;
  say(`  ${"organizations".padEnd(28)} ${orgCount!.n}`);
  say(`  ${"users".padEnd(28)} ${userCount!.n}`);
  for (const table of tables) {
    const [row] = await db.sql.unsafe(
      `select count(*)::bigint as n from public.${table} t
       where t.org_id in (select id from public.organizations where name like $1)`,
      [like],
    );
    say(`  ${table.padEnd(28)} ${Number(row!.n).toLocaleString("en")}`);
  }
  const [largest] = await db.sql<{ n: number }[]>`
    select max(c)::int as n from (select count(*) as c from public.analysis_findings f
      join public.organizations o on o.id = f.org_id where o.name like ${like} group by f.org_id) x`;
  say(`  findings in the largest organization: ${largest!.n.toLocaleString("en")}`);
}
