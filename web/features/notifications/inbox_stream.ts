/**
 * Follows the signed-in member's inbox over its event stream
 * (`/notifications/:orgId/inbox/events`, the same mechanism as the jobs
 * stream) so the bell updates as soon as a notification arrives. Falls back to
 * polling when the stream cannot be opened.
 *
 * @module
 */
import type { Inbox } from "./inbox_api.ts";

/** Where the stream is and how to poll without it. */
export interface InboxWatchOptions {
  functionsUrl: string;
  accessToken: () => Promise<string | null>;
  poll: () => Promise<Inbox>;
  pollMs: number;
}

/**
 * Calls `onInbox` with the inbox when the watch starts and whenever it
 * changes; returns a function that stops watching.
 */
export function watchInbox(
  options: InboxWatchOptions,
  orgId: string,
  onInbox: (inbox: Inbox) => void,
  onError: (message: string) => void,
): () => void {
  let stopped = false;
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let received = false;

  const poll = async () => {
    if (stopped) return;
    try {
      onInbox(await options.poll());
    } catch (error) {
      onError((error as Error).message);
    }
    timer = setTimeout(poll, options.pollMs);
  };

  void (async () => {
    const token = await options.accessToken();
    if (stopped) return;
    if (!token || typeof EventSource === "undefined") return void poll();
    const url = `${options.functionsUrl.replace(/\/$/, "")}/notifications/` +
      `${encodeURIComponent(orgId)}/inbox/events?access_token=${encodeURIComponent(token)}`;
    source = new EventSource(url);
    source.addEventListener("inbox", (event) => {
      received = true;
      if (!stopped) onInbox(JSON.parse((event as MessageEvent).data) as Inbox);
    });
    source.addEventListener("error", () => {
      // The stream closes on its time limit and EventSource reconnects; one
      // that never delivered anything is not available here: poll instead.
      if (!received && !stopped) {
        source?.close();
        void poll();
      }
    });
  })();

  return () => {
    stopped = true;
    source?.close();
    clearTimeout(timer);
  };
}
