import { z } from "zod";
import { createRouteGroup, type Services, streamProgress } from "../../../shared/http/mod.ts";
import { listInbox } from "../../../shared/notifications/mod.ts";

/** Notifications an inbox event carries: what the bell shows. */
const STREAM_ITEMS = 30;

/**
 * `GET /:orgId/inbox/events`: the caller's inbox as Server-Sent Events, through
 * the same stream mechanism as the jobs stream (`streamProgress`): an `inbox`
 * event at once and whenever a notification arrives or is read.
 */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function inboxStreamRoutes(services: Services) {
  const { db } = services;
  return createRouteGroup().on({
    method: "get",
    path: "/:orgId/inbox/events",
    summary: "Your in-app notifications as Server-Sent Events",
    description: 'One `inbox` event (`{"data": [notification…], "unread": n}`, newest first) ' +
      "when the stream opens and whenever a notification arrives or is read. The stream " +
      "closes after a while and EventSource reconnects.",
    auth: "user",
    tokenInQuery: true,
    permission: "notifications.read",
    params: z.object({ orgId: z.uuid() }),
    query: z.object({ access_token: z.string().max(8192).optional() }).strict(),
    responses: { 200: { description: "The event stream", contentType: "text/event-stream" } },
  }, async (c, { params }) => {
    const claims = c.get("claims");
    const read = () => listInbox(db, claims, params.orgId, { limit: STREAM_ITEMS });
    return streamProgress(c, {
      event: "inbox",
      first: await read(),
      read,
      stamp: (inbox) =>
        `inbox:${inbox.unread}:${
          inbox.data.map((n) => `${n.id}${n.read_at ? "r" : ""}`).join(",")
        }`,
      // A member's inbox never "finishes"; the stream closes on its time limit.
      status: () => "open",
      pollMs: services.config.TASKS_SSE_POLL_MS,
      noun: "inbox",
      logMessage: "inbox event stream failed",
    });
  });
}
