// `deno task audit:verify` as an operator runs it: it passes on an untouched
// trail and fails, naming the entry, after someone edits one row by hand.
import assert from "node:assert/strict";
import { connectDatabase } from "../shared/db/mod.ts";
import { createTestAuth, createTestDatabase } from "./testing/mod.ts";

const tdb = await createTestDatabase();
Deno.test.afterAll(() => tdb.close());
const auth = await createTestAuth();
const owner = await auth.createUser(tdb.db, { orgName: "Verified Org" });
const orgId = owner.orgId!;
await tdb.db.asTenant(
  { sub: owner.id, role: "authenticated" },
  (tx) => tx`update public.organizations set name = 'Verified Org, renamed' where id = ${orgId}`,
);

async function runVerify(): Promise<{ code: number; out: string }> {
  // PGlite serves one connection at a time: the script gets it while it runs.
  await tdb.db.sql.end();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "audit:verify", "--org", orgId],
    env: { DATABASE_URL: tdb.url, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    cwd: new URL("..", import.meta.url).pathname,
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, out: text };
}

Deno.test("audit:verify passes on an untouched trail and fails after a manual edit", async () => {
  const clean = await runVerify();
  assert.equal(clean.code, 0, clean.out);
  assert.match(clean.out, new RegExp(`ok\\s+${orgId}\\s+\\d+ entries`));
  assert.match(clean.out, /1 chain\(s\) checked, 0 broken/);

  const sql = connectDatabase(tdb.url, { max: 1 }).sql;
  try {
    const conn = await sql.reserve();
    try {
      await conn`begin`;
      await conn`set local session_replication_role = replica`;
      await conn`
        update public.audit_log set action = 'organizations.nothing_happened'
        where org_id = ${orgId} and seq = 2`;
      await conn`commit`;
    } finally {
      conn.release();
    }
  } finally {
    await sql.end();
  }

  const tampered = await runVerify();
  assert.equal(tampered.code, 1, tampered.out);
  assert.match(tampered.out, new RegExp(`BROKEN\\s+${orgId}\\s+at entry #2`));
  assert.match(tampered.out, /1 chain\(s\) checked, 1 broken/);
});
