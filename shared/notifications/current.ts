import type { Services } from "../http/app.ts";
import { type Config, loadConfig } from "../env/mod.ts";
import { mailerFromConfig } from "../mail/mod.ts";
import { smsFromConfig } from "./sms.ts";
import { type ChannelOptions, type ChannelSet, createChannels } from "./channels.ts";

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
      sms: smsFromConfig(services.config),
      allowPrivate: services.config.ALLOW_PRIVATE_INSTANCE_URLS,
    },
  );
}

/** The mailer for members' own emails and digests: the override's, or the services'. */
export function membersMailer(services: Services): ChannelOptions["mailer"] {
  return channelOverride?.mailer ?? services.mailer ?? mailerFromConfig(services.config);
}

/** The channels of a background task (no services at hand): the override, or the configuration's. */
export function currentChannels(config: Config = loadConfig()): ChannelSet {
  return createChannels(
    channelOverride ?? {
      mailer: mailerFromConfig(config),
      sms: smsFromConfig(config),
      allowPrivate: config.ALLOW_PRIVATE_INSTANCE_URLS,
    },
  );
}
