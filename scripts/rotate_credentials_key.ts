// deno task credentials:rotate [--dry-run] [--batch 200]
// deno task credentials:rotate --generate-key <kid>
//
// Key rotation for the secrets sealed with CREDENTIALS_KEYS: ServiceNow
// credentials and webhook signing secrets (report webhooks, notification
// webhook channels; plaintext ones written before sealing are sealed too):
//   1. Generate a key:   deno task credentials:rotate --generate-key k2026b
//   2. Deploy with both keys, the new one current:
//        CREDENTIALS_KEYS=k2026a:<old>,k2026b:<new>  CREDENTIALS_KEY_ID=k2026b
//   3. Re-encrypt everything with the current key:  deno task credentials:rotate
//   4. When it reports 0 failed, drop the old key from CREDENTIALS_KEYS.
// Reads DATABASE_URL (or SUPABASE_DB_URL) and the keyring from the environment.
import { parseArgs } from "node:util";
import { connectDatabase, type Database } from "../shared/db/mod.ts";
import { ConfigError, databaseUrl, loadConfig } from "../shared/env/mod.ts";
import { generateKey, loadKeyring, rotateCredentials } from "../shared/instances/mod.ts";
import { rotateWebhookSecrets } from "../shared/secrets/mod.ts";

/**
 * Runs the rotation CLI.
 *
 * @param args command-line arguments
 * @param env environment variables
 * @param say where output lines go
 * @param options an open database to use instead of connecting to DATABASE_URL
 * @returns the exit code
 */
export async function main(
  args: string[],
  env: Record<string, string | undefined>,
  say: (line: string) => void,
  options: { db?: Database } = {},
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      "dry-run": { type: "boolean", default: false },
      batch: { type: "string", default: "200" },
      "generate-key": { type: "string" },
    },
  });
  if (values["generate-key"] !== undefined) {
    const kid = values["generate-key"];
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(kid)) {
      say("Cannot generate a key: the key id must be 1–32 letters, digits, '-' or '_'");
      return 2;
    }
    say(`${kid}:${generateKey()}`);
    return 0;
  }
  let config;
  try {
    config = loadConfig(env);
    if (!config.CREDENTIALS_KEYS) {
      throw new ConfigError("Cannot rotate: CREDENTIALS_KEYS is not set");
    }
    if (!options.db) databaseUrl(config);
  } catch (error) {
    say(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const keyring = await loadKeyring(config.CREDENTIALS_KEYS!, config.CREDENTIALS_KEY_ID);
  const db = options.db ??
    connectDatabase(databaseUrl(config), { max: 1, prepare: config.DB_PREPARE });
  try {
    say(
      `Re-encrypting instance credentials with key "${keyring.currentKid}"${
        values["dry-run"] ? " (dry run)" : ""
      }`,
    );
    const report = await rotateCredentials(db, keyring, {
      batchSize: Number(values.batch),
      dryRun: values["dry-run"],
      onProgress: (r) =>
        say(
          `  ${r.total} checked, ${r.rotated} re-encrypted, ${r.current} already current, ${r.failed.length} failed`,
        ),
    });
    for (const failure of report.failed) say(`  instance ${failure.instanceId}: ${failure.error}`);
    say(`Sealing webhook signing secrets with key "${keyring.currentKid}"`);
    const secrets = await rotateWebhookSecrets(db, keyring, {
      batchSize: Number(values.batch),
      dryRun: values["dry-run"],
    });
    say(
      `  ${secrets.total} checked, ${secrets.rotated} sealed (${secrets.sealed} were plaintext), ${secrets.current} already current, ${secrets.failed.length} failed`,
    );
    for (const failure of secrets.failed) say(`  ${failure.table} ${failure.id}: ${failure.error}`);
    const failed = report.failed.length + secrets.failed.length;
    say(
      failed === 0
        ? `Done: every credential and webhook secret is sealed with "${keyring.currentKid}"; older keys can be removed.`
        : `Done with ${failed} failure(s): keep the old keys until they are fixed.`,
    );
    return failed === 0 ? 0 : 1;
  } finally {
    if (!options.db) await db.close();
  }
}

if (import.meta.main) {
  // deno-lint-ignore no-console
  Deno.exit(await main(Deno.args, Deno.env.toObject(), (line) => console.log(line)));
}
