import assert from "node:assert/strict";
import { createTestDatabase } from "../testing/mod.ts";
import { migrate, type Migration, MigrationChecksumError, readMigrations } from "./migrate.ts";

const tdb = await createTestDatabase();
Deno.test.afterAll(() => tdb.close());
const sql = tdb.db.sql;

function extra(version: string, name: string, text: string): Migration {
  return { version, name, sql: text, checksum: `sum-${text.length}-${text}` };
}

Deno.test("migrate() is a no-op on an up-to-date database", async () => {
  const report = await migrate(sql);
  assert.deepEqual(report.applied, []);
  assert.equal(report.skipped, (await readMigrations()).length);
});

Deno.test("migrate() applies a new migration once and records it", async () => {
  const all = [
    ...await readMigrations(),
    extra("20991231000000", "create_widgets", "create table public.widgets_probe (id int)"),
  ];
  assert.deepEqual((await migrate(sql, { migrations: all })).applied, [
    "20991231000000_create_widgets",
  ]);
  assert.deepEqual((await migrate(sql, { migrations: all })).applied, []);
  const [row] =
    await sql`select name, checksum from ciq_meta.schema_migrations where version = '20991231000000'`;
  assert.equal(row?.name, "create_widgets");
});

Deno.test("migrate() refuses an applied migration whose file was edited", async () => {
  const all = [
    ...await readMigrations(),
    extra("20991231000000", "create_widgets", "create table public.widgets_probe (id bigint)"),
  ];
  await assert.rejects(
    () => migrate(sql, { migrations: all }),
    (error: unknown) =>
      error instanceof MigrationChecksumError &&
      /20991231000000_create_widgets\.sql was edited after it was applied/.test(error.message),
  );
});

Deno.test("migrate() rolls a failing migration back completely and names it", async () => {
  const all = [
    ...await readMigrations(),
    extra("20991231000000", "create_widgets", "create table public.widgets_probe (id int)"),
    extra(
      "20991231000001",
      "break_things",
      "create table public.half_done (id int); select nonsense(",
    ),
  ];
  await assert.rejects(
    () => migrate(sql, { migrations: all }),
    /Cannot apply migration 20991231000001_break_things\.sql/,
  );
  const [exists] = await sql`select to_regclass('public.half_done') as t`;
  assert.equal(exists?.t, null);
  const [recorded] =
    await sql`select 1 from ciq_meta.schema_migrations where version = '20991231000001'`;
  assert.equal(recorded, undefined);
});

Deno.test("readMigrations() returns the files in version order with checksums", async () => {
  const migrations = await readMigrations();
  const versions = migrations.map((m) => m.version);
  assert.deepEqual(versions, [...versions].sort());
  assert.ok(migrations.every((m) => /^[0-9a-f]{64}$/.test(m.checksum)));
});
