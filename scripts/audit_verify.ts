// deno task audit:verify [--org <uuid>]
// Verifies the audit trail's hash chain of every organization (or one) in
// DATABASE_URL, or in the embedded dev database in .data/pglite when
// DATABASE_URL is not set (stop `deno task dev` first: PGlite serves one
// process). Prints one line per organization and, for a broken chain, the
// first broken link; exits 1 when any chain is broken.
import { parseArgs } from "node:util";
import { verifyAuditChain } from "../shared/audit/mod.ts";
import { connectDatabase } from "../shared/db/mod.ts";
import { startPgliteServer } from "./db/pglite_server.ts";

// deno-lint-ignore no-console
const say = (line: string) => console.log(line);

const { values: args } = parseArgs({ args: Deno.args, options: { org: { type: "string" } } });
const url = Deno.env.get("DATABASE_URL");
const pglite = url ? null : await startPgliteServer({
  dataDir: new URL("../.data/pglite", import.meta.url).pathname,
});
const db = connectDatabase(url ?? pglite!.url, { max: 1, applicationName: "audit-verify" });
let broken = 0;
try {
  if (args.org && !/^[0-9a-f-]{36}$/i.test(args.org)) throw new Error("--org takes a UUID");
  const orgs = args.org ? [{ org_id: args.org }] : await db.sql<{ org_id: string }[]>`
    select org_id from private.audit_heads order by org_id`;
  for (const { org_id } of orgs) {
    const result = await db.asService((tx) => verifyAuditChain(tx, org_id, false));
    if (result.ok) {
      const start = result.history_start
        ? ` (history starts at #${result.history_start.seq}, ${result.history_start.starts_at})`
        : "";
      say(
        `ok      ${org_id}  ${result.entries} entries, head #${result.head_seq} ${result.head_hash}${start}`,
      );
    } else {
      broken++;
      say(`BROKEN  ${org_id}  at entry #${result.broken_seq}: ${result.reason}`);
      if (result.broken_id) say(`        entry id ${result.broken_id}`);
    }
  }
  say(`${orgs.length} chain(s) checked, ${broken} broken`);
} catch (error) {
  // deno-lint-ignore no-console
  console.error(error instanceof Error ? error.message : error);
  broken = broken || 1;
} finally {
  await db.close();
  await pglite?.stop();
}
Deno.exit(broken > 0 ? 1 : 0);
