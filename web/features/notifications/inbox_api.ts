import type { ApiClient } from "../../lib/api_client.ts";
import { type ResponseOf, typedClient } from "../../lib/typed_client.ts";

/** The caller's inbox: the latest notifications and the unread count. */
export type Inbox = ResponseOf<"GET /notifications/:orgId/inbox">;
/** One in-app notification. */
export type InboxItem = Inbox["data"][number];

/** The bell's API calls. */
export interface InboxApi {
  list(orgId: string): Promise<Inbox>;
  markRead(orgId: string, id: string): Promise<number>;
  markAllRead(orgId: string): Promise<void>;
}

/**
 * The bell's API calls through the typed client.
 *
 * @param api the app's API client
 */
export function createInboxApi(api: Pick<ApiClient, "request">): InboxApi {
  const call = typedClient(api);
  return {
    list: (orgId) => call("GET /notifications/:orgId/inbox", { params: { orgId }, query: {} }),
    markRead: async (orgId, id) =>
      (await call("POST /notifications/:orgId/inbox/:id/read", { params: { orgId, id } })).data
        .unread,
    markAllRead: async (orgId) => {
      await call("POST /notifications/:orgId/inbox/read-all", { params: { orgId } });
    },
  };
}

/** The bell's accessible name, e.g. "Notifications, 3 unread". */
export function bellLabel(unread: number): string {
  return unread === 0 ? "Notifications" : `Notifications, ${unread} unread`;
}
