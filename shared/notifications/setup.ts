import type { Services } from "../http/app.ts";
import { channelsFor, membersMailer } from "./current.ts";
import {
  type DispatchDeps,
  dispatchJobEnded,
  type DispatchOutcome,
  type JobEnded,
} from "./dispatch.ts";
import { dispatchSecurityEvents } from "./security_events.ts";
import { notificationDeliverTask, retryingDeliveries } from "./retry.ts";

export { channelsFor, currentChannels, setNotificationChannels } from "./current.ts";

/** Seconds before the first retry of a failed delivery; QStash's backoff takes over after it. */
const RETRY_DELAY_SECONDS = 10;

/**
 * Evaluates alert rules for a job that ended (called by the QStash callback
 * where the dashboard's cache is invalidated). Never throws: alerting must not
 * make QStash redeliver a job that is done.
 */
export async function notifyJobEnded(
  services: Services,
  job: JobEnded,
): Promise<DispatchOutcome | null> {
  try {
    return await dispatchJobEnded(dispatchDeps(services), job);
  } catch (error) {
    services.log.warn("cannot send the alerts of a job that ended", {
      orgId: job.orgId,
      jobId: job.jobId,
      error,
    });
    return null;
  }
}

/**
 * Evaluates `security.event` rules on the audit entries written since the last
 * pass (the every-minute system schedule `ciq-system-security-alerts`).
 */
export async function notifySecurityEvents(services: Services): Promise<Record<string, unknown>> {
  return { ...await dispatchSecurityEvents(dispatchDeps(services)) };
}

function dispatchDeps(services: Services): DispatchDeps {
  const channels = channelsFor(services);
  const publicUrl = services.config.PUBLIC_URL ?? null;
  return {
    db: services.db,
    channels,
    publicUrl,
    afterAttempt: retryingDeliveries({
      db: services.db,
      channels,
      publicUrl,
      log: services.log,
      enqueue: (payload) =>
        services.tasks.enqueue(notificationDeliverTask, payload, {
          orgId: payload.message.org_id,
          dedupId: payload.messageId,
          delay: RETRY_DELAY_SECONDS,
        }),
    }),
    mailer: membersMailer(services),
  };
}
