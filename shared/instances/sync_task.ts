import { analyzeAfterSync } from "../analysis/mod.ts";
import { PermanentTaskError } from "../tasks/mod.ts";
import { clientReader, createSyncTask, type SyncTask } from "../servicenow/sync/mod.ts";
import { openInstanceClient } from "./connect.ts";
import { CredentialsError } from "./credentials.ts";
import { instanceRuntime } from "./runtime.ts";
import { InstanceUrlError } from "./url.ts";

/**
 * The `servicenow.sync` task of this deployment: decrypts the instance's
 * credentials with the keyring, checks its URL, syncs the configured plan
 * (log tables to their time window) through the Table API client, and once the
 * sync has succeeded or is partial, queues a full analysis of the instance
 * (trigger "sync", once per sync run; see `analyzeAfterSync`). Listed in
 * `functions/tasks/kinds.ts`.
 */
export const syncTask: SyncTask = createSyncTask(async () => {
  const runtime = await instanceRuntime();
  return {
    plan: runtime.plan,
    settings: {
      pageSize: runtime.config.SYNC_PAGE_SIZE,
      overlapSeconds: runtime.config.SYNC_OVERLAP_SECONDS,
      keyScanHours: runtime.config.SYNC_KEY_SCAN_HOURS,
    },
    ...(runtime.now ? { now: runtime.now } : {}),
    async afterSync(sync, ctx) {
      await analyzeAfterSync(ctx, {
        instanceId: sync.instanceId,
        runId: sync.runId,
        status: sync.status,
      });
    },
    async open(instance) {
      try {
        const credentials = await runtime.keyring.open(instance.credentials, {
          orgId: instance.org_id,
          instanceId: instance.id,
        });
        return clientReader(await openInstanceClient(runtime, { url: instance.url, credentials }));
      } catch (error) {
        if (error instanceof CredentialsError) {
          throw new PermanentTaskError(`Cannot sync ${instance.name}: ${error.message}`, {
            code: "credentials_unavailable",
          });
        }
        if (error instanceof InstanceUrlError) {
          throw new PermanentTaskError(`Cannot sync ${instance.name}: ${error.message}`, {
            code: error.code,
          });
        }
        throw error;
      }
    },
  };
});
