import postgres from "postgres";
import { connectDatabase, type Database } from "../../shared/db/mod.ts";
import { migrate, schemaFingerprint } from "../db/migrate.ts";
import { type PgliteServer, startPgliteServer } from "../db/pglite_server.ts";

const CACHE_DIR = new URL("../../.cache/pglite/", import.meta.url);

/** A migrated database private to one test file. */
export interface TestDatabase {
  readonly db: Database;
  readonly url: string;
  /** "pglite" by default, "server" when DATABASE_URL is set. */
  readonly kind: "pglite" | "server";
  close(): Promise<void>;
}

/**
 * Creates a fresh, fully migrated database for one test file: an in-memory PGlite
 * started from a cached migrated snapshot, or, when `DATABASE_URL` is set, a new
 * database on that server cloned from a migrated template.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = Deno.env.get("DATABASE_URL");
  return serverUrl ? await createServerDatabase(serverUrl) : await createPgliteDatabase();
}

async function createPgliteDatabase(): Promise<TestDatabase> {
  const fingerprint = await schemaFingerprint();
  const snapshot = new URL(`${fingerprint}.tar.gz`, CACHE_DIR);
  let server: PgliteServer;
  try {
    const bytes = await Deno.readFile(snapshot);
    server = await startPgliteServer({ loadDataDir: new Blob([bytes]) });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    server = await startPgliteServer();
    const sql = postgres(server.url, { max: 1, onnotice: () => {} });
    await migrate(sql);
    await sql.end();
    await Deno.mkdir(CACHE_DIR, { recursive: true });
    const tmp = new URL(`${fingerprint}.${crypto.randomUUID()}.tmp`, CACHE_DIR);
    await Deno.writeFile(tmp, new Uint8Array(await (await server.dump()).arrayBuffer()));
    await Deno.rename(tmp, snapshot);
  }
  const db = connectDatabase(server.url, { max: 1 });
  return {
    db,
    url: server.url,
    kind: "pglite",
    close: async () => {
      await db.close();
      await server.stop();
    },
  };
}

async function createServerDatabase(serverUrl: string): Promise<TestDatabase> {
  const fingerprint = await schemaFingerprint();
  const base = new URL(serverUrl).pathname.slice(1) || "postgres";
  const template = `${base}_tpl_${fingerprint}`.slice(0, 63);
  const name = `${base}_t_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`.slice(0, 63);
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    // Advisory locks are per database: every test file locks in the same one.
    await admin`select pg_advisory_lock(hashtext('complianceiq.test-template'))`;
    try {
      const [exists] = await admin`select 1 from pg_database where datname = ${template}`;
      if (!exists) {
        const building = `${template}_build`.slice(0, 63);
        await admin.unsafe(`drop database if exists "${building}"`);
        await admin.unsafe(`create database "${building}"`);
        const sql = postgres(withDatabase(serverUrl, building), { max: 1, onnotice: () => {} });
        try {
          await migrate(sql);
        } finally {
          await sql.end();
        }
        await admin.unsafe(`alter database "${building}" rename to "${template}"`);
      }
    } finally {
      await admin`select pg_advisory_unlock(hashtext('complianceiq.test-template'))`;
    }
    await admin.unsafe(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  const db = connectDatabase(url, { max: 5 });
  return {
    db,
    url,
    kind: "server",
    close: async () => {
      await db.close();
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
