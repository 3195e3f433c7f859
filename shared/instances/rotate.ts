import type { Database } from "../db/mod.ts";
import { CredentialsError, type Keyring } from "./credentials.ts";

/** What {@linkcode rotateCredentials} did. */
export interface RotationReport {
  /** Instances looked at. */
  total: number;
  /** Re-encrypted with the current key. */
  rotated: number;
  /** Already sealed with the current key. */
  current: number;
  /** Could not be decrypted with any key of the ring (left untouched). */
  failed: { instanceId: string; error: string }[];
}

/**
 * Re-encrypts every instance's credentials that are not sealed with the
 * keyring's current key, in batches, as the service role (all organizations).
 * Each row is swapped only if it did not change meanwhile, so it is safe to run
 * while the app is serving, and again after an interruption.
 *
 * @param db the database
 * @param keyring holds the current key and every key still in use
 * @param options batch size, dry run and a progress callback
 */
export async function rotateCredentials(
  db: Database,
  keyring: Keyring,
  options: { batchSize?: number; dryRun?: boolean; onProgress?: (report: RotationReport) => void } =
    {},
): Promise<RotationReport> {
  const report: RotationReport = { total: 0, rotated: 0, current: 0, failed: [] };
  const batchSize = options.batchSize ?? 200;
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const done = await db.asService(async (tx) => {
      const rows = await tx<{ id: string; org_id: string; credentials: unknown }[]>`
        select id, org_id, credentials from public.instances
        where id > ${after} order by id limit ${batchSize}`;
      for (const row of rows) {
        report.total++;
        const kid = (row.credentials as { kid?: unknown } | null)?.kid;
        if (kid === keyring.currentKid) {
          report.current++;
          continue;
        }
        const binding = { orgId: row.org_id, instanceId: row.id };
        try {
          const plain = await keyring.open(row.credentials, binding);
          const sealed = await keyring.seal(plain, binding);
          if (!options.dryRun) {
            const swapped = await tx`
              update public.instances set credentials = ${tx.json(sealed as never)}
              where id = ${row.id} and credentials = ${tx.json(row.credentials as never)}`;
            if (swapped.count === 0) {
              report.failed.push({
                instanceId: row.id,
                error: "changed during rotation; run again",
              });
              continue;
            }
          }
          report.rotated++;
        } catch (error) {
          if (!(error instanceof CredentialsError)) throw error;
          report.failed.push({ instanceId: row.id, error: error.message });
        }
      }
      if (rows.length > 0) after = rows.at(-1)!.id;
      return rows.length < batchSize;
    });
    options.onProgress?.(report);
    if (done) return report;
  }
}
