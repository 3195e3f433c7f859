import { defineTask, type TaskDefinition } from "../../tasks/mod.ts";
import {
  runSync,
  type SyncCursor,
  syncCursorSchema,
  type SyncEngineDeps,
  syncPayloadSchema,
} from "./engine.ts";

/** The task kind of an instance sync. */
export const SYNC_TASK_KIND = "servicenow.sync";

/** The `servicenow.sync` task definition. */
export type SyncTask = TaskDefinition<typeof syncPayloadSchema, SyncCursor>;

/**
 * Defines the `servicenow.sync` task: a chunked, resumable sync of one
 * instance (see {@linkcode runSync}). Build it once per process and use the
 * same definition to enqueue and to run.
 *
 * @param deps how to reach instances, which tables to read, and the tunables;
 *   or a function resolving them when a delivery starts
 */
export function createSyncTask(
  deps: SyncEngineDeps | (() => Promise<SyncEngineDeps>),
): SyncTask {
  return defineTask({
    kind: SYNC_TASK_KIND,
    payload: syncPayloadSchema,
    cursor: syncCursorSchema,
    retries: 5,
    handler: async (ctx, payload) =>
      runSync(ctx, payload, typeof deps === "function" ? await deps() : deps),
  });
}
