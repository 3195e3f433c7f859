import type { Sql } from "../../shared/db/mod.ts";

const ROOT = new URL("../../", import.meta.url);
const MIGRATIONS_DIR = new URL("supabase/migrations/", ROOT);
const COMPAT_FILE = new URL("supabase/compat/supabase_compat.sql", ROOT);

/** A migration file with its checksum. */
export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

/** What {@linkcode migrate} did. */
export interface MigrationReport {
  compatApplied: boolean;
  applied: string[];
  skipped: number;
}

/** Raised when an applied migration no longer matches its file. */
export class MigrationChecksumError extends Error {
  override name = "MigrationChecksumError";
}

/** Options for {@linkcode migrate}. */
export interface MigrateOptions {
  /**
   * Apply the Supabase compatibility script first. `"auto"` (default) applies it
   * unless the database already has an `auth.users` table it did not create,
   * i.e. unless it is a real Supabase database.
   */
  compat?: boolean | "auto";
  /** Migrations to use instead of the files in supabase/migrations. */
  migrations?: Migration[];
  /** Called with a line of progress per step. */
  onProgress?: (line: string) => void;
}

/**
 * Reads supabase/migrations/*.sql in version order.
 */
export async function readMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".sql")) files.push(entry.name);
  }
  files.sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = /^(\d{14})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) {
      throw new Error(
        `Cannot read migration "${file}": name must be <14-digit timestamp>_<verb>_<object>.sql`,
      );
    }
    const sql = await Deno.readTextFile(new URL(file, dir));
    migrations.push({ version: match[1]!, name: match[2]!, sql, checksum: await sha256(sql) });
  }
  return migrations;
}

/** SHA-256 of every migration and the compat script, for snapshot caches. */
export async function schemaFingerprint(): Promise<string> {
  const parts = (await readMigrations()).map((m) => `${m.version}:${m.checksum}`);
  parts.push(await sha256(await Deno.readTextFile(COMPAT_FILE)));
  return (await sha256(parts.join("\n"))).slice(0, 16);
}

/**
 * Applies pending migrations in order, each in its own transaction, recording a
 * checksum. Re-running is a no-op; an applied migration whose file changed is
 * refused with {@linkcode MigrationChecksumError}.
 *
 * @param sql a connection with rights to create schemas and roles
 * @param options compat handling, migration override and progress
 */
export async function migrate(sql: Sql, options: MigrateOptions = {}): Promise<MigrationReport> {
  const log = options.onProgress ?? (() => {});
  const migrations = options.migrations ?? await readMigrations();
  await sql`select pg_advisory_lock(hashtext('complianceiq.migrate'))`;
  try {
    const compatApplied = await applyCompat(sql, options.compat ?? "auto");
    if (compatApplied) log("applied supabase compatibility script");
    await sql.unsafe(`
      create schema if not exists ciq_meta;
      create table if not exists ciq_meta.schema_migrations (
        version text primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      );
      comment on table ciq_meta.schema_migrations is 'Migrations applied by scripts/migrate.ts, with checksums';
    `);
    const rows = await sql<{ version: string; name: string; checksum: string }[]>`
      select version, name, checksum from ciq_meta.schema_migrations`;
    const done = new Map(rows.map((r) => [r.version, r]));
    const applied: string[] = [];
    let skipped = 0;
    for (const m of migrations) {
      const prior = done.get(m.version);
      if (prior) {
        if (prior.checksum !== m.checksum) {
          throw new MigrationChecksumError(
            `Cannot apply migrations: ${m.version}_${m.name}.sql was edited after it was applied ` +
              `(recorded checksum ${prior.checksum.slice(0, 12)}, file now ${
                m.checksum.slice(0, 12)
              }); migrations are forward-only, so restore the file and add a new migration`,
          );
        }
        skipped++;
        continue;
      }
      try {
        await sql.begin(async (tx) => {
          await tx.unsafe(m.sql);
          await tx`insert into ciq_meta.schema_migrations (version, name, checksum)
                   values (${m.version}, ${m.name}, ${m.checksum})`;
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`Cannot apply migration ${m.version}_${m.name}.sql: ${reason}`, {
          cause: error,
        });
      }
      applied.push(`${m.version}_${m.name}`);
      log(`applied ${m.version}_${m.name}`);
    }
    return { compatApplied, applied, skipped };
  } finally {
    await sql`select pg_advisory_unlock(hashtext('complianceiq.migrate'))`;
  }
}

async function applyCompat(sql: Sql, mode: boolean | "auto"): Promise<boolean> {
  if (mode === false) return false;
  if (mode === "auto") {
    const [row] = await sql<{ users: string | null; ours: string | null }[]>`
      select to_regclass('auth.users')::text as users,
             to_regclass('ciq_meta.compat')::text as ours`;
    if (row?.users && !row.ours) return false;
  }
  await sql.unsafe(await Deno.readTextFile(COMPAT_FILE));
  await sql.unsafe(`
    create schema if not exists ciq_meta;
    create table if not exists ciq_meta.compat (applied_at timestamptz not null default now());
    insert into ciq_meta.compat default values;
  `);
  return true;
}

/**
 * Drops everything the migrations and the compat script created, for `db:reset`.
 * Roles are cluster-wide and stay.
 */
export async function resetDatabase(sql: Sql): Promise<void> {
  const schemas = await sql<{ nspname: string }[]>`
    select nspname from pg_namespace
    where nspname not like 'pg\\_%' and nspname not in ('information_schema', 'public')`;
  for (const { nspname } of schemas) {
    await sql.unsafe(`drop schema if exists "${nspname.replaceAll('"', '""')}" cascade`);
  }
  await sql.unsafe(`drop schema if exists public cascade; create schema public;
    grant usage on schema public to public; grant create on schema public to public;`);
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
