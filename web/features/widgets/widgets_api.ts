/**
 * The Widgets page's API calls through the typed client, and its types.
 *
 * @module
 */
import type { ApiClient } from "../../lib/api_client.ts";
import { allPages } from "../../lib/all_pages.ts";
import { type ResponseOf, typedClient } from "../../lib/typed_client.ts";

/** A template as listed: its configuration's JSON Schema and defaults. */
export type WidgetTemplateInfo = ResponseOf<"GET /widgets/templates">["data"][number];
/** A widget with its current configuration. */
export type WidgetItem = ResponseOf<"GET /widgets">["data"][number];
/** One immutable version, with what changed against its predecessor. */
export type WidgetVersionItem = ResponseOf<"GET /widgets/:widgetId/versions">["data"][number];
/** An embed (never its token). */
export type EmbedItem = ResponseOf<"GET /widgets/embeds">["data"][number];
/** The answer to creating an embed: the token, this once. */
export type CreatedEmbed = ResponseOf<"POST /widgets/:widgetId/embeds">["data"];
/** A widget configuration. */
export type WidgetConfig = Record<string, unknown>;

/** Data to draw: the template and what its aggregate gave. */
export interface WidgetPayload {
  template: string;
  title: string;
  generated_at: string;
  data: unknown;
}

/** The page's API calls. */
export interface WidgetsApi {
  templates(): Promise<WidgetTemplateInfo[]>;
  list(orgId: string): Promise<WidgetItem[]>;
  create(orgId: string, name: string, template: string, config: WidgetConfig): Promise<WidgetItem>;
  update(widgetId: string, patch: { name?: string; config?: WidgetConfig }): Promise<WidgetItem>;
  remove(widgetId: string): Promise<void>;
  versions(widgetId: string): Promise<WidgetVersionItem[]>;
  rollback(widgetId: string, version: number): Promise<WidgetItem>;
  data(widgetId: string, version?: number): Promise<WidgetPayload>;
  preview(orgId: string, template: string, config: WidgetConfig): Promise<WidgetPayload>;
  embeds(orgId: string): Promise<EmbedItem[]>;
  createEmbed(
    widgetId: string,
    body: { name: string; version: number; instance_ids?: string[]; expires_at?: string },
  ): Promise<CreatedEmbed>;
  revokeEmbed(orgId: string, embedId: string): Promise<EmbedItem>;
  moveEmbed(orgId: string, embedId: string, version: number): Promise<EmbedItem>;
  origins(orgId: string): Promise<string[]>;
  setOrigins(orgId: string, origins: string[]): Promise<string[]>;
}

/**
 * The page's API calls.
 *
 * @param api the app's API client
 */
export function createWidgetsApi(api: Pick<ApiClient, "request">): WidgetsApi {
  const call = typedClient(api);
  return {
    templates: async () => (await call("GET /widgets/templates", {})).data,
    list: (orgId) =>
      allPages((cursor) => call("GET /widgets", { query: { org_id: orgId, limit: 200, cursor } })),
    create: async (orgId, name, template, config) =>
      (await call("POST /widgets", { body: { org_id: orgId, name, template, config } })).data,
    update: async (widgetId, body) =>
      (await call("PATCH /widgets/:widgetId", { params: { widgetId }, body })).data,
    remove: async (widgetId) => {
      await call("DELETE /widgets/:widgetId", { params: { widgetId } });
    },
    versions: async (widgetId) =>
      (await call("GET /widgets/:widgetId/versions", { params: { widgetId } })).data,
    rollback: async (widgetId, version) =>
      (await call("POST /widgets/:widgetId/rollback", { params: { widgetId }, body: { version } }))
        .data,
    data: async (widgetId, version) =>
      (await call("GET /widgets/:widgetId/data", {
        params: { widgetId },
        query: version ? { version } : {},
      })).data,
    preview: async (orgId, template, config) =>
      (await call("POST /widgets/preview", { body: { org_id: orgId, template, config } })).data,
    embeds: async (orgId) => (await call("GET /widgets/embeds", { query: { org_id: orgId } })).data,
    createEmbed: async (widgetId, body) =>
      (await call("POST /widgets/:widgetId/embeds", { params: { widgetId }, body })).data,
    revokeEmbed: async (orgId, embedId) =>
      (await call("POST /widgets/embeds/:embedId/revoke", {
        params: { embedId },
        query: { org_id: orgId },
      })).data,
    moveEmbed: async (orgId, embedId, version) =>
      (await call("POST /widgets/embeds/:embedId/move", {
        params: { embedId },
        query: { org_id: orgId },
        body: { version },
      })).data,
    origins: async (orgId) =>
      (await call("GET /widgets/origins", { query: { org_id: orgId } })).data.origins,
    setOrigins: async (orgId, origins) =>
      (await call("PUT /widgets/origins", { body: { org_id: orgId, origins } })).data.origins,
  };
}
