import { z } from "zod";
import { createRouteGroup, dataOf, pageOf, type Services } from "../../../shared/http/mod.ts";
import {
  channelListItemSchema,
  channelSchema,
  channelsFor,
  channelWithSecretSchema,
  createChannel,
  createChannelSchema,
  createRule,
  createRuleSchema,
  deleteChannel,
  deleteRule,
  deliveriesQuerySchema,
  deliverySchema,
  listChannels,
  listDeliveries,
  listRules,
  rotateChannelSecret,
  ruleSchema,
  sendTestAlert,
  updateChannel,
  updateChannelSchema,
  updateRule,
  updateRuleSchema,
} from "../../../shared/notifications/mod.ts";
import { ensureDailySchedule } from "../../../shared/notifications/daily_task.ts";

const orgParams = z.object({ orgId: z.uuid() });
const idParams = z.object({ orgId: z.uuid(), id: z.uuid() });

/** Channels, rules, test-send and the delivery log (admins manage; members read). */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function settingsRoutes(services: Services) {
  const { db } = services;
  const dev = { allowPrivate: services.config.ALLOW_PRIVATE_INSTANCE_URLS };
  return createRouteGroup()
    .on(
      {
        method: "get",
        path: "/:orgId/channels",
        summary:
          "The organization's alert channels (never a webhook's secret), each with its latest delivery",
        auth: "user",
        permission: "notifications.read",
        params: orgParams,
        responses: {
          200: {
            description: "Every channel; `last_delivery` is null for members who are not admins",
            schema: dataOf(z.array(channelListItemSchema)),
          },
        },
      },
      async (c, { params }) =>
        c.json({
          data: await db.asTenant(c.get("claims"), (tx) => listChannels(tx, params.orgId)),
        }),
    )
    .on({
      method: "post",
      path: "/:orgId/channels",
      summary:
        "Add an email, webhook, Slack or Teams channel; a webhook's secret is shown only here",
      auth: "user",
      permission: "notifications.manage",
      params: orgParams,
      body: createChannelSchema,
      responses: {
        201: {
          description: "The channel (and its secret)",
          schema: dataOf(channelWithSecretSchema),
        },
      },
    }, async (c, { params, body }) => {
      const claims = c.get("claims");
      const data = await db.asTenant(
        claims,
        (tx) => createChannel(tx, params.orgId, claims.sub ?? null, body, dev),
      );
      c.header("Cache-Control", "no-store");
      return c.json({ data }, 201);
    })
    .on({
      method: "patch",
      path: "/:orgId/channels/:id",
      summary: "Rename, re-target, enable or disable a channel",
      auth: "user",
      permission: "notifications.manage",
      params: idParams,
      body: updateChannelSchema,
      responses: { 200: { description: "The channel", schema: dataOf(channelSchema) } },
    }, async (c, { params, body }) =>
      c.json({
        data: await db.asTenant(
          c.get("claims"),
          (tx) => updateChannel(tx, params.orgId, params.id, body, dev),
        ),
      }))
    .on({
      method: "post",
      path: "/:orgId/channels/:id/rotate-secret",
      summary: "Give a webhook channel a new signing secret (shown only here); the old one stops",
      auth: "user",
      permission: "notifications.manage",
      params: idParams,
      responses: {
        200: {
          description: "The channel and its new secret",
          schema: dataOf(channelWithSecretSchema),
        },
      },
    }, async (c, { params }) => {
      const data = await db.asTenant(
        c.get("claims"),
        (tx) => rotateChannelSecret(tx, params.orgId, params.id),
      );
      c.header("Cache-Control", "no-store");
      return c.json({ data });
    })
    .on({
      method: "post",
      path: "/:orgId/channels/:id/test",
      summary: "Send a test alert to a channel and see what the receiver answered",
      auth: "user",
      permission: "notifications.manage",
      params: idParams,
      responses: {
        200: {
          description: "The attempt's outcome",
          schema: dataOf(z.object({
            ok: z.boolean(),
            status: z.number().int().nullable(),
            error: z.string().nullable(),
          })),
        },
      },
    }, async (c, { params }) =>
      c.json({
        data: await sendTestAlert(
          db,
          c.get("claims"),
          channelsFor(services),
          params.orgId,
          params.id,
        ),
      }))
    .on({
      method: "delete",
      path: "/:orgId/channels/:id",
      summary: "Remove a channel (rules stop sending there)",
      auth: "user",
      permission: "notifications.manage",
      params: idParams,
      responses: { 204: { description: "Removed" } },
    }, async (c, { params }) => {
      await db.asTenant(c.get("claims"), (tx) => deleteChannel(tx, params.orgId, params.id));
      return c.body(null, 204);
    })
    .on(
      {
        method: "get",
        path: "/:orgId/rules",
        summary: "The organization's alert rules",
        auth: "user",
        permission: "notifications.read",
        params: orgParams,
        responses: { 200: { description: "Every rule", schema: dataOf(z.array(ruleSchema)) } },
      },
      async (c, { params }) =>
        c.json({ data: await db.asTenant(c.get("claims"), (tx) => listRules(tx, params.orgId)) }),
    )
    .on({
      method: "post",
      path: "/:orgId/rules",
      summary: "Add an alert rule: an event, its threshold, channels, in-app recipients, throttle",
      auth: "user",
      permission: "notifications.manage",
      params: orgParams,
      body: createRuleSchema,
      responses: { 201: { description: "The rule", schema: dataOf(ruleSchema) } },
    }, async (c, { params, body }) => {
      const claims = c.get("claims");
      const data = await db.asTenant(
        claims,
        (tx) => createRule(tx, params.orgId, claims.sub ?? null, body),
      );
      if (data.event === "suppression.expiring") {
        await ensureDailySchedule(services.tasks, params.orgId);
      }
      return c.json({ data }, 201);
    })
    .on({
      method: "patch",
      path: "/:orgId/rules/:id",
      summary: "Change an alert rule",
      auth: "user",
      permission: "notifications.manage",
      params: idParams,
      body: updateRuleSchema,
      responses: { 200: { description: "The rule", schema: dataOf(ruleSchema) } },
    }, async (c, { params, body }) => {
      const data = await db.asTenant(
        c.get("claims"),
        (tx) => updateRule(tx, params.orgId, params.id, body),
      );
      if (data.event === "suppression.expiring") {
        await ensureDailySchedule(services.tasks, params.orgId);
      }
      return c.json({ data });
    })
    .on({
      method: "delete",
      path: "/:orgId/rules/:id",
      summary: "Remove an alert rule",
      auth: "user",
      permission: "notifications.manage",
      params: idParams,
      responses: { 204: { description: "Removed" } },
    }, async (c, { params }) => {
      await db.asTenant(c.get("claims"), (tx) => deleteRule(tx, params.orgId, params.id));
      return c.body(null, 204);
    })
    .on(
      {
        method: "get",
        path: "/:orgId/deliveries",
        summary:
          "The alert delivery log, newest first: status and the receiver's response code; filter by status",
        auth: "user",
        permission: "notifications.manage",
        params: orgParams,
        query: deliveriesQuerySchema,
        responses: {
          200: { description: "A page of deliveries", schema: pageOf(deliverySchema) },
        },
      },
      async (c, { params, query }) =>
        c.json(await listDeliveries(db, c.get("claims"), params.orgId, query)),
    );
}
