import type { Services } from "../http/app.ts";
import { mailerFromConfig } from "../mail/mod.ts";
import { type ChannelOptions, type ChannelSet, createChannels } from "./channels.ts";
import { dispatchJobEnded, type DispatchOutcome, type JobEnded } from "./dispatch.ts";

let channelOverride: ChannelOptions | null = null;

/**
 * Uses `options` for alert channels in this process (the dev stack plugs in
 * the dev mailbox and lets webhooks reach localhost; tests their receivers),
 * or the configured ones when null.
 */
export function setNotificationChannels(options: ChannelOptions | null): void {
  channelOverride = options;
}

/** The channels of this process: the override, or the services' mailer and the URL checks. */
export function channelsFor(services: Services): ChannelSet {
  return createChannels(
    channelOverride ?? {
      mailer: services.mailer ?? mailerFromConfig(services.config),
      allowPrivate: services.config.ALLOW_PRIVATE_INSTANCE_URLS,
    },
  );
}

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
    return await dispatchJobEnded({
      db: services.db,
      channels: channelsFor(services),
      publicUrl: services.config.PUBLIC_URL ?? null,
      mailer: channelOverride?.mailer ?? services.mailer ?? mailerFromConfig(services.config),
    }, job);
  } catch (error) {
    services.log.warn("cannot send the alerts of a job that ended", {
      orgId: job.orgId,
      jobId: job.jobId,
      error,
    });
    return null;
  }
}
