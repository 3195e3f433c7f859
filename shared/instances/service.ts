import type { z } from "zod";
import { recordAuditEvent } from "../audit/mod.ts";
import { type Database, type TenantClaims, type Tx, workerClaims } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import type { Logger } from "../log/mod.ts";
import { callerUserId, requirePermission } from "../organizations/mod.ts";
import { closeStaleRuns } from "../servicenow/sync/mod.ts";
import type { Job, TaskClient } from "../tasks/mod.ts";
import { checkInstanceHealth, type HealthReport } from "./connect.ts";
import { CredentialsError, type InstanceCredentials } from "./credentials.ts";
import { type InstanceRuntime, instanceRuntime } from "./runtime.ts";
import {
  createInstanceSchema,
  formatStoredSchedule,
  nextSyncAt,
  type SyncSchedule,
  testConnectionSchema,
  testSavedConnectionSchema,
  updateInstanceSchema,
} from "./schemas.ts";
import {
  authorizeInstance,
  deleteInstance,
  getInstance,
  insertInstance,
  type InstancePatch,
  type InstanceView,
  recordHealth,
  storeSchedule,
  type SyncRunSummary,
  updateInstance,
} from "./store.ts";
import { syncTask } from "./sync_task.ts";
import { assertPublicInstanceUrl, InstanceUrlError, normalizeInstanceUrl } from "./url.ts";

/** What the instance operations need from the function's services. */
export interface InstanceServices {
  db: Database;
  log: Logger;
  tasks: TaskClient;
}

async function runtime(): Promise<InstanceRuntime> {
  try {
    return await instanceRuntime();
  } catch (error) {
    throw new HttpError(503, "ServiceNow connections are not configured on this server", {
      code: "credentials_not_configured",
      cause: error,
    });
  }
}

/** Normalizes a URL and runs the SSRF check, as a 422 the user can act on. */
async function checkedUrl(rt: InstanceRuntime, input: string): Promise<string> {
  try {
    const url = normalizeInstanceUrl(input, { allowPrivate: rt.allowPrivate });
    await assertPublicInstanceUrl(url, { allowPrivate: rt.allowPrivate, resolve: rt.resolve });
    return url;
  } catch (error) {
    if (error instanceof InstanceUrlError) {
      throw new HttpError(422, error.message, {
        code: error.code,
        details: [{ path: "url", message: error.message }],
      });
    }
    throw error;
  }
}

async function health(
  rt: InstanceRuntime,
  url: string,
  credentials: InstanceCredentials,
  signal?: AbortSignal,
): Promise<HealthReport> {
  try {
    return await checkInstanceHealth(rt, { url, credentials }, signal);
  } catch (error) {
    if (error instanceof InstanceUrlError) {
      throw new HttpError(422, error.message, { code: error.code });
    }
    throw error;
  }
}

/**
 * Adds an instance (admin or owner): normalizes and checks the URL, seals the
 * credentials with the current key, inserts it (the database enforces the
 * plan's instance limit), mirrors its schedule to QStash, then tests the
 * connection so the list shows its health at once. When the instance accepted
 * the credentials, its first full sync starts (trigger `setup`), and with it
 * the analysis that follows every sync: no other click is needed
 * (`start_sync: false` leaves it to the user).
 *
 * @param services database, logger and task client
 * @param claims the caller
 * @param input the validated body
 */
export async function addInstance(
  services: InstanceServices,
  claims: TenantClaims,
  input: z.output<typeof createInstanceSchema>,
): Promise<{ instance: InstanceView; health: HealthReport | null; sync: SyncRunSummary | null }> {
  const rt = await runtime();
  // Role first: nobody learns anything about URLs or keys from a refused request.
  await services.db.asTenant(claims, async (tx) => {
    await requirePermission(tx, input.org_id, "instances.create");
    // A credential test is a security event even when nothing is stored.
    await recordAuditEvent(tx, {
      orgId: input.org_id,
      action: "instances.credentials_tested",
      targetTable: "instances",
      details: { url: input.url, auth_type: input.credentials.type, saved: false },
    });
  });
  const url = await checkedUrl(rt, input.url);
  const id = crypto.randomUUID();
  const envelope = await rt.keyring.seal(input.credentials, {
    orgId: input.org_id,
    instanceId: id,
  });
  const schedule = input.schedule ?? null;
  await services.db.asTenant(claims, (tx) =>
    insertInstance(tx, {
      id,
      org_id: input.org_id,
      name: input.name,
      url,
      auth_type: input.credentials.type,
      credentials: envelope,
      sync_cron: null,
      created_by: callerUserId(claims),
    }));
  if (schedule) {
    await services.db.asTenant(claims, (tx) =>
      storeSchedule(tx, id, {
        sync_cron: formatStoredSchedule(schedule),
        next_sync_at: nextSyncAt(schedule, id, rt.config.SYNC_SPREAD_SECONDS, new Date()),
      }));
  }
  let report: HealthReport | null = null;
  try {
    report = await health(rt, url, input.credentials);
    await services.db.asTenant(
      workerClaims(input.org_id, claims.sub),
      (tx) =>
        recordHealth(tx, id, { status: report!.status, build_tag: report!.build_tag, report }),
    );
  } catch (error) {
    services.log.warn("connection test after adding an instance failed", { instanceId: id, error });
  }
  let sync: SyncRunSummary | null = null;
  if (input.start_sync && report?.authenticated) {
    try {
      sync = (await queueSync(services, claims, id, { mode: "full", trigger: "setup" })).run;
    } catch (error) {
      // The instance is added; its first sync can be started by hand.
      services.log.warn("first sync after adding an instance did not start", {
        instanceId: id,
        error,
      });
    }
  }
  const instance = await services.db.asTenant(claims, (tx) => getInstance(tx, id));
  return { instance, health: report, sync };
}

/**
 * Changes name, URL and/or credentials (admin or owner).
 *
 * @param services database and logger
 * @param claims the caller
 * @param id the instance
 * @param patch the validated body
 */
export async function editInstance(
  services: InstanceServices,
  claims: TenantClaims,
  id: string,
  patch: z.output<typeof updateInstanceSchema>,
): Promise<InstanceView> {
  const rt = await runtime();
  const target = await services.db.asTenant(
    claims,
    (tx) => authorizeInstance(tx, id, "instances.update"),
  );
  const changes: InstancePatch = {};
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.url !== undefined) changes.url = await checkedUrl(rt, patch.url);
  if (patch.credentials !== undefined) {
    changes.credentials = await rt.keyring.seal(patch.credentials, {
      orgId: target.org_id,
      instanceId: id,
    });
    changes.auth_type = patch.credentials.type;
  }
  return await services.db.asTenant(claims, (tx) => updateInstance(tx, id, changes));
}

/**
 * Deletes an instance with its synced data and history (admin or owner), then
 * removes its QStash schedule and cancels a sync in progress.
 *
 * @param services database, logger and task client
 * @param claims the caller
 * @param id the instance
 */
export async function removeInstance(
  services: InstanceServices,
  claims: TenantClaims,
  id: string,
): Promise<void> {
  const { target, activeJobs, scheduleId } = await services.db.asTenant(claims, async (tx) => {
    const target = await authorizeInstance(tx, id, "instances.delete");
    const jobs = await tx<{ job_id: string }[]>`
      select job_id from public.sync_runs
      where instance_id = ${id} and status in ('queued', 'running') and job_id is not null`;
    const { sync_schedule_id } = await deleteInstance(tx, id);
    return { target, activeJobs: jobs.map((j) => j.job_id), scheduleId: sync_schedule_id };
  });
  if (scheduleId) await removeLegacySchedule(services, scheduleId);
  for (const jobId of activeJobs) {
    await services.tasks.cancel(workerClaims(target.org_id, claims.sub), jobId).catch(() => {});
  }
}

/**
 * Tests settings that are not saved yet (admin or owner: this is the add and
 * edit flow). Nothing is stored.
 *
 * @param services database
 * @param claims the caller
 * @param input organization, URL and credentials
 * @param signal aborts the test
 */
export async function testNewConnection(
  services: InstanceServices,
  claims: TenantClaims,
  input: z.output<typeof testConnectionSchema>,
  signal?: AbortSignal,
): Promise<HealthReport> {
  const rt = await runtime();
  await services.db.asTenant(
    claims,
    (tx) => requirePermission(tx, input.org_id, "instances.create"),
  );
  const url = await checkedUrl(rt, input.url);
  return await health(rt, url, input.credentials, signal);
}

/**
 * Tests a saved instance's connection (analyst or higher) and records its
 * health. With changed settings (admin or owner) it tests those instead, using
 * the saved credentials for whatever is not given, and records nothing.
 *
 * @param services database and logger
 * @param claims the caller
 * @param id the instance
 * @param overrides URL and/or credentials to try
 * @param signal aborts the test
 */
export async function testSavedConnection(
  services: InstanceServices,
  claims: TenantClaims,
  id: string,
  overrides: z.output<typeof testSavedConnectionSchema>,
  signal?: AbortSignal,
): Promise<HealthReport> {
  const rt = await runtime();
  const trying = overrides.url !== undefined || overrides.credentials !== undefined;
  const target = await services.db.asTenant(claims, async (tx) => {
    const found = await authorizeInstance(tx, id, trying ? "instances.update" : "instances.test");
    await recordAuditEvent(tx, {
      orgId: found.org_id,
      action: "instances.credentials_tested",
      targetTable: "instances",
      targetId: id,
      details: {
        url: overrides.url ?? null,
        changed_credentials: overrides.credentials !== undefined,
        saved: true,
      },
    });
    return found;
  });
  const url = overrides.url !== undefined ? await checkedUrl(rt, overrides.url) : target.url;
  const worker = workerClaims(target.org_id, claims.sub);
  let credentials = overrides.credentials;
  if (!credentials) {
    const [row] = await services.db.asTenant(
      worker,
      (tx) => tx<{ envelope: unknown }[]>`select private.instance_credentials(${id}) as envelope`,
    );
    try {
      credentials = await rt.keyring.open(row?.envelope, { orgId: target.org_id, instanceId: id });
    } catch (error) {
      if (!(error instanceof CredentialsError)) throw error;
      services.log.error("cannot decrypt instance credentials", { instanceId: id, error });
      throw new HttpError(409, "The saved credentials cannot be read; enter them again", {
        code: "credentials_unreadable",
      });
    }
  }
  const report = await health(rt, url, credentials, signal);
  if (!trying) {
    await services.db.asTenant(
      worker,
      (tx) => recordHealth(tx, id, { status: report.status, build_tag: report.build_tag, report }),
    );
  }
  return report;
}

/**
 * Starts a sync now (analyst or higher): records a queued run and queues the
 * `servicenow.sync` task. One sync at a time per instance (409 otherwise).
 *
 * @param services database, logger and task client
 * @param claims the caller
 * @param id the instance
 * @param mode incremental (default) or full
 */
export async function startSync(
  services: InstanceServices,
  claims: TenantClaims,
  id: string,
  mode: "incremental" | "full",
): Promise<{ run: SyncRunSummary; job: Job }> {
  return await queueSync(services, claims, id, { mode, trigger: "manual" });
}

async function queueSync(
  services: InstanceServices,
  claims: TenantClaims,
  id: string,
  options: { mode: "incremental" | "full"; trigger: "manual" | "setup" },
): Promise<{ run: SyncRunSummary; job: Job }> {
  const { mode, trigger } = options;
  // The person's role is checked under their claims; the run itself is
  // evidence, recorded by the engine for the instance's organization.
  const target = await services.db.asTenant(
    claims,
    (tx) => authorizeInstance(tx, id, "instances.sync"),
  );
  const engine = <T>(fn: (tx: Tx) => Promise<T>) =>
    services.db.asEngine(target.org_id, fn, claims.sub);
  const runId = await engine(async (tx) => {
    await closeStaleRuns(tx, id);
    const [active] = await tx<{ id: string; job_id: string | null }[]>`
      select id, job_id from public.sync_runs
      where instance_id = ${id} and status in ('queued', 'running')`;
    if (active) throw alreadyRunning(active);
    const runId = crypto.randomUUID();
    try {
      await tx`
        insert into public.sync_runs (id, org_id, instance_id, mode, trigger, status, requested_by)
        values (${runId}, ${target.org_id}, ${id}, ${mode}, ${trigger}, 'queued', ${claims.sub})`;
    } catch (error) {
      if ((error as { code?: string }).code === "23505") {
        throw alreadyRunning({ id: "", job_id: null });
      }
      throw error;
    }
    return runId;
  });
  let job: Job;
  try {
    job = await services.tasks.enqueue(
      syncTask,
      { instanceId: id, runId, mode, trigger },
      {
        orgId: target.org_id,
        subject: id,
        dedupId: runId,
        actorUserId: claims.sub,
      },
    );
  } catch (error) {
    await engine((tx) =>
      tx`update public.sync_runs set status = 'failed', finished_at = now(),
         error = 'The sync could not be queued' where id = ${runId}`
    );
    throw error;
  }
  const run = await engine(async (tx) => {
    await tx`update public.sync_runs set job_id = ${job.id} where id = ${runId} and job_id is null`;
    const [row] = await tx<SyncRunSummary[]>`
      select id, mode, trigger, status, job_id, started_at, finished_at, null::bigint as duration_ms,
             records_fetched, records_upserted, records_deleted, records_expired,
             0 as tables_not_readable, error,
             requested_by, created_at
      from public.sync_runs where id = ${runId}`;
    // Counts are bigints, which arrive as strings: answer numbers, as the history does.
    return {
      ...row!,
      records_fetched: Number(row!.records_fetched),
      records_upserted: Number(row!.records_upserted),
      records_deleted: Number(row!.records_deleted),
      records_expired: Number(row!.records_expired),
    };
  });
  return { run, job };
}

function alreadyRunning(active: { id: string; job_id: string | null }): HttpError {
  return new HttpError(409, "A sync of this instance is already queued or running", {
    code: "sync_already_running",
    details: active.id ? { run_id: active.id, job_id: active.job_id } : null,
  });
}

/**
 * Sets or clears the sync schedule (admin or owner). The sync dispatcher starts
 * an incremental sync when the schedule is due (`sync_dispatch.ts`), up to
 * SYNC_SPREAD_SECONDS after the cron time; a per-instance QStash schedule left
 * by an older version is removed.
 *
 * @param services database, logger and task client
 * @param claims the caller
 * @param id the instance
 * @param schedule cron and time zone, or null to stop scheduled syncs
 */
export async function setSyncSchedule(
  services: InstanceServices,
  claims: TenantClaims,
  id: string,
  schedule: SyncSchedule | null,
): Promise<InstanceView> {
  const rt = await runtime();
  const { view, legacyScheduleId } = await services.db.asTenant(claims, async (tx) => {
    await authorizeInstance(tx, id, "instances.schedule");
    const [previous] = await tx<{ sync_schedule_id: string | null }[]>`
      select sync_schedule_id from public.instances where id = ${id}`;
    await storeSchedule(tx, id, {
      sync_cron: schedule ? formatStoredSchedule(schedule) : null,
      next_sync_at: schedule
        ? nextSyncAt(schedule, id, rt.config.SYNC_SPREAD_SECONDS, new Date())
        : null,
    });
    return {
      view: await getInstance(tx, id),
      legacyScheduleId: previous?.sync_schedule_id ?? null,
    };
  });
  // The queue is called after the transaction, never inside one.
  if (legacyScheduleId) await removeLegacySchedule(services, legacyScheduleId);
  return view;
}

async function removeLegacySchedule(services: InstanceServices, scheduleId: string): Promise<void> {
  await services.tasks.schedules.remove(scheduleId).catch((error) =>
    services.log.warn("cannot remove a per-instance sync schedule", { scheduleId, error })
  );
}
