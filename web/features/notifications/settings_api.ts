/**
 * The Notifications settings page's API calls: channels, rules, test-send and
 * the delivery log (`/functions/v1/notifications/:orgId/…`).
 *
 * @module
 */
import type { ApiClient } from "../../lib/api_client.ts";
import { type InputOf, type ResponseOf, typedClient } from "../../lib/typed_client.ts";
import type {
  Channel,
  CreateChannelBody,
  Delivery,
  DeliveryStatus,
  Rule,
} from "./notification_catalog.ts";

/** A channel just created or given a new secret: the webhook's secret, this once. */
export type ChannelWithSecret = ResponseOf<"POST /notifications/:orgId/channels">["data"];
/** A channel as saving answers it (without its latest delivery). */
export type SavedChannel = ResponseOf<"PATCH /notifications/:orgId/channels/:id">["data"];
/** A channel's changes. */
export type UpdateChannelBody = InputOf<"PATCH /notifications/:orgId/channels/:id">["body"];
/** What the receiver of a test alert answered. */
export type TestResult = ResponseOf<"POST /notifications/:orgId/channels/:id/test">["data"];
/** The body that creates a rule. */
export type CreateRuleBody = InputOf<"POST /notifications/:orgId/rules">["body"];
/** A rule's changes. */
export type UpdateRuleBody = InputOf<"PATCH /notifications/:orgId/rules/:id">["body"];
/** One page of the delivery log. */
export interface DeliveryPage {
  data: Delivery[];
  next_cursor: string | null;
}

/** The page's calls. */
export interface NotificationSettingsApi {
  channels(orgId: string): Promise<Channel[]>;
  createChannel(orgId: string, body: CreateChannelBody): Promise<ChannelWithSecret>;
  updateChannel(orgId: string, id: string, body: UpdateChannelBody): Promise<SavedChannel>;
  rotateSecret(orgId: string, id: string): Promise<ChannelWithSecret>;
  testChannel(orgId: string, id: string): Promise<TestResult>;
  deleteChannel(orgId: string, id: string): Promise<void>;
  rules(orgId: string): Promise<Rule[]>;
  createRule(orgId: string, body: CreateRuleBody): Promise<Rule>;
  updateRule(orgId: string, id: string, body: UpdateRuleBody): Promise<Rule>;
  deleteRule(orgId: string, id: string): Promise<void>;
  deliveries(
    orgId: string,
    query: { status?: DeliveryStatus; cursor?: string; limit?: number },
    signal?: AbortSignal,
  ): Promise<DeliveryPage>;
}

/**
 * The page's calls through the typed client.
 *
 * @param api the app's API client
 */
export function createNotificationSettingsApi(
  api: Pick<ApiClient, "request">,
): NotificationSettingsApi {
  const call = typedClient(api);
  const channelPath = (orgId: string, id: string) => ({ params: { orgId, id } });
  return {
    channels: async (orgId) =>
      (await call("GET /notifications/:orgId/channels", { params: { orgId } })).data,
    createChannel: async (orgId, body) =>
      (await call("POST /notifications/:orgId/channels", { params: { orgId }, body })).data,
    updateChannel: async (orgId, id, body) =>
      (await call("PATCH /notifications/:orgId/channels/:id", { ...channelPath(orgId, id), body }))
        .data,
    rotateSecret: async (orgId, id) =>
      (await call("POST /notifications/:orgId/channels/:id/rotate-secret", channelPath(orgId, id)))
        .data,
    testChannel: async (orgId, id) =>
      (await call("POST /notifications/:orgId/channels/:id/test", channelPath(orgId, id))).data,
    deleteChannel: async (orgId, id) => {
      await call("DELETE /notifications/:orgId/channels/:id", channelPath(orgId, id));
    },
    rules: async (orgId) =>
      (await call("GET /notifications/:orgId/rules", { params: { orgId } })).data,
    createRule: async (orgId, body) =>
      (await call("POST /notifications/:orgId/rules", { params: { orgId }, body })).data,
    updateRule: async (orgId, id, body) =>
      (await call("PATCH /notifications/:orgId/rules/:id", { params: { orgId, id }, body })).data,
    deleteRule: async (orgId, id) => {
      await call("DELETE /notifications/:orgId/rules/:id", { params: { orgId, id } });
    },
    deliveries: (orgId, query, signal) =>
      call("GET /notifications/:orgId/deliveries", { params: { orgId }, query, signal }),
  };
}
