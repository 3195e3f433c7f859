import { z } from "zod";
import { createRouteGroup, type Services } from "../../../shared/http/mod.ts";
import {
  inboxQuerySchema,
  inboxSchema,
  listInbox,
  markAllRead,
  markRead,
} from "../../../shared/notifications/mod.ts";

const orgParams = z.object({ orgId: z.uuid() });
const unreadSchema = z.object({ data: z.object({ unread: z.number().int() }) });

/** The caller's own in-app notifications: list, unread count, mark read / all read. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function inboxRoutes(services: Services) {
  const { db } = services;
  return createRouteGroup()
    .on(
      {
        method: "get",
        path: "/:orgId/inbox",
        summary:
          "Your in-app notifications in the organization, newest first, and the unread count",
        auth: "user",
        permission: "notifications.read",
        params: orgParams,
        query: inboxQuerySchema,
        responses: { 200: { description: "The notifications", schema: inboxSchema } },
      },
      async (c, { params, query }) =>
        c.json(await listInbox(db, c.get("claims"), params.orgId, query)),
    )
    .on({
      method: "post",
      path: "/:orgId/inbox/:id/read",
      summary: "Mark one of your notifications read",
      auth: "user",
      permission: "notifications.read",
      params: z.object({ orgId: z.uuid(), id: z.uuid() }),
      responses: { 200: { description: "How many are still unread", schema: unreadSchema } },
    }, async (c, { params }) =>
      c.json({
        data: {
          unread: await db.asTenant(
            c.get("claims"),
            (tx) => markRead(tx, params.orgId, params.id),
          ),
        },
      }))
    .on({
      method: "post",
      path: "/:orgId/inbox/read-all",
      summary: "Mark all your notifications in the organization read",
      auth: "user",
      permission: "notifications.read",
      params: orgParams,
      responses: {
        200: {
          description: "How many were marked",
          schema: z.object({ data: z.object({ marked: z.number().int() }) }),
        },
      },
    }, async (c, { params }) =>
      c.json({
        data: {
          marked: await db.asTenant(c.get("claims"), (tx) => markAllRead(tx, params.orgId)),
        },
      }));
}
