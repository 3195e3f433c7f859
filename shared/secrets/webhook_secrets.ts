import type { Database } from "../db/mod.ts";
import { type Config, loadConfig } from "../env/mod.ts";
import { HttpError } from "../http/errors.ts";
import {
  type CredentialsEnvelope,
  CredentialsError,
  type Keyring,
  loadKeyring,
} from "../instances/credentials.ts";

/** The tables that hold webhook signing secrets. */
export type SecretTable = "report_webhook_secrets" | "notification_channels";

/** Which row a secret belongs to (the envelope's additional authenticated data). */
export interface SecretBinding {
  table: SecretTable;
  orgId: string;
  /** The row: the saved report's id, or the channel's id. */
  id: string;
}

/** A secret as stored: sealed, or (written before sealing, until rotated) plaintext. */
export interface StoredSecret {
  secret: string | null;
  secret_sealed: unknown;
}

const aad = (b: SecretBinding) => `complianceiq:webhook-secret:${b.table}:${b.orgId}:${b.id}`;

let configured: { spec: string; kid: string | undefined; ring: Promise<Keyring> } | null = null;

/**
 * Uses the keyring of `config` (`CREDENTIALS_KEYS`, `CREDENTIALS_KEY_ID`) for
 * webhook secrets in this process. Function apps call it with their services'
 * configuration, so workers in the same process (dev stack, tests) use the
 * same keys; elsewhere the environment's are read on first use.
 */
export function configureSecretKeyring(config: Config): void {
  const spec = config.CREDENTIALS_KEYS;
  if (!spec) return;
  if (configured?.spec === spec && configured.kid === config.CREDENTIALS_KEY_ID) return;
  const ring = loadKeyring(spec, config.CREDENTIALS_KEY_ID);
  // A bad keyring fails its first use, not the process.
  ring.catch(() => {});
  configured = { spec, kid: config.CREDENTIALS_KEY_ID, ring };
}

/**
 * The process's keyring for webhook secrets.
 *
 * @throws {HttpError} 503 `secrets_not_configured` without CREDENTIALS_KEYS or with a bad one
 */
export async function secretKeyring(): Promise<Keyring> {
  if (!configured) configureSecretKeyring(loadConfig());
  if (!configured) {
    throw new HttpError(
      503,
      "Webhook signing secrets cannot be stored on this server: CREDENTIALS_KEYS is not set",
      { code: "secrets_not_configured" },
    );
  }
  try {
    return await configured.ring;
  } catch (error) {
    throw new HttpError(503, "Webhook signing secrets cannot be stored on this server", {
      code: "secrets_not_configured",
      cause: error,
    });
  }
}

/**
 * Seals a webhook's signing secret for the row that will hold it.
 *
 * @param secret `whsec_…`
 * @param binding table, organization and row
 * @param keyring the keys (the process's by default)
 */
export async function sealWebhookSecret(
  secret: string,
  binding: SecretBinding,
  keyring?: Keyring,
): Promise<CredentialsEnvelope> {
  return await (keyring ?? await secretKeyring()).sealText(secret, aad(binding));
}

/**
 * The signing secret of a stored row: the sealed form opened, or a plaintext
 * one written before sealing (until `deno task credentials:rotate` seals it).
 *
 * @returns the secret, or null when the row has none
 * @throws {CredentialsError} when the envelope does not open (missing key, another row's envelope, tampering)
 */
export async function openWebhookSecret(
  stored: StoredSecret,
  binding: SecretBinding,
  keyring?: Keyring,
): Promise<string | null> {
  if (stored.secret_sealed) {
    let ring: Keyring;
    try {
      ring = keyring ?? await secretKeyring();
    } catch (error) {
      throw new CredentialsError(
        `Cannot decrypt the webhook secret: ${(error as Error).message}`,
      );
    }
    return await ring.openText(stored.secret_sealed, aad(binding));
  }
  return stored.secret;
}

/** What {@linkcode rotateWebhookSecrets} did, per table together. */
export interface SecretRotationReport {
  total: number;
  /** Sealed or re-sealed with the current key (plaintext ones included). */
  rotated: number;
  /** Of those, plaintext secrets sealed for the first time. */
  sealed: number;
  current: number;
  failed: { table: SecretTable; id: string; error: string }[];
}

const TABLES: { table: SecretTable; id: string }[] = [
  { table: "report_webhook_secrets", id: "definition_id" },
  { table: "notification_channels", id: "id" },
];

/**
 * Seals every plaintext webhook secret and re-seals those not sealed with the
 * keyring's current key, as the service role (all organizations), in batches.
 * A row is swapped only if it did not change meanwhile, so it is safe to run
 * while the app is serving, and again after an interruption.
 *
 * @param db the database
 * @param keyring the current key and every key still in use
 * @param options batch size and dry run
 */
export async function rotateWebhookSecrets(
  db: Database,
  keyring: Keyring,
  options: { batchSize?: number; dryRun?: boolean } = {},
): Promise<SecretRotationReport> {
  const report: SecretRotationReport = { total: 0, rotated: 0, sealed: 0, current: 0, failed: [] };
  const batchSize = options.batchSize ?? 200;
  for (const { table, id: idColumn } of TABLES) {
    let after = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      const rows = await db.asService((tx) =>
        tx<{ id: string; org_id: string; secret: string | null; secret_sealed: unknown }[]>`
          select ${tx(idColumn)}::text as id, org_id, secret, secret_sealed from ${
          tx(`public.${table}`)
        }
          where ${tx(idColumn)} > ${after}::uuid
            and (secret is not null or secret_sealed is not null)
          order by ${tx(idColumn)} limit ${batchSize}`
      );
      for (const row of rows) {
        report.total++;
        const kid = (row.secret_sealed as { kid?: unknown } | null)?.kid;
        if (row.secret === null && kid === keyring.currentKid) {
          report.current++;
          continue;
        }
        const binding = { table, orgId: row.org_id, id: row.id };
        try {
          const plain = await openWebhookSecret(row, binding, keyring);
          const sealed = await sealWebhookSecret(plain!, binding, keyring);
          if (!options.dryRun) {
            const swapped = await db.asService((tx) =>
              tx`
                update ${tx(`public.${table}`)}
                set secret = null, secret_sealed = ${tx.json(sealed as never)}
                where ${tx(idColumn)} = ${row.id}::uuid
                  and secret is not distinct from ${row.secret}
                  and secret_sealed is not distinct from ${
                row.secret_sealed === null ? null : tx.json(row.secret_sealed as never)
              }`
            );
            if (swapped.count === 0) {
              report.failed.push({
                table,
                id: row.id,
                error: "changed during rotation; run again",
              });
              continue;
            }
          }
          report.rotated++;
          if (row.secret !== null) report.sealed++;
        } catch (error) {
          if (!(error instanceof CredentialsError)) throw error;
          report.failed.push({ table, id: row.id, error: error.message });
        }
      }
      if (rows.length < batchSize) break;
      after = rows.at(-1)!.id;
    }
  }
  return report;
}
