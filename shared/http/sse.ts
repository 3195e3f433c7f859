import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { AppEnv } from "./app.ts";

/** Statuses after which a job or a run no longer changes. */
const FINISHED = new Set(["succeeded", "failed", "cancelled"]);
/** A stream ends after this long; EventSource reconnects (edge functions cap wall time). */
const STREAM_MAX_MS = 110_000;
const KEEPALIVE_MS = 15_000;

/** Options of {@linkcode streamProgress}. */
export interface ProgressStreamOptions<T> {
  /** Name of the event that carries the item, e.g. `job` or `progress`. */
  event: string;
  /** The item as first read, before the stream starts. */
  first: T;
  /** Reads the item again; null once it no longer exists. */
  read: () => Promise<T | null>;
  /** A text that changes whenever the item does; also the event id. */
  stamp: (item: T) => string;
  /** The item's status; `succeeded`, `failed` or `cancelled` end the stream. */
  status: (item: T) => string;
  /** How long to wait between reads, in ms. */
  pollMs: number;
  /** What the item is called in the log line and the error event, e.g. `job` or `run`. */
  noun: string;
  /** The log message when the stream fails, e.g. `job event stream failed`. */
  logMessage: string;
}

/**
 * Streams an item's progress as Server-Sent Events, polling it: the item
 * (`options.event`) whenever its stamp changes, a keep-alive comment when it has
 * been quiet for 15 s, then `end` with its status once it has finished (or
 * `{ "status": "deleted" }` when it is gone). The stream closes after 110 s;
 * EventSource reconnects. A failure is logged and sent as an `error` event.
 *
 * @param c the request context
 * @param options the item, how to read it again and how to tell it changed
 * @param payload what an event carries for an item (the item itself by default)
 * @returns the streaming response
 */
export function streamProgress<T>(
  c: Context<AppEnv>,
  options: ProgressStreamOptions<T>,
  payload: (item: T) => unknown = (item) => item,
): Response {
  c.header("Cache-Control", "no-store");
  c.header("X-Accel-Buffering", "no");
  return streamSSE(c, async (stream) => {
    const started = Date.now();
    let item: T | null = options.first;
    let last = "";
    let quietSince = Date.now();
    while (!stream.aborted && !stream.closed) {
      if (!item) {
        await stream.writeSSE({ event: "end", data: JSON.stringify({ status: "deleted" }) });
        return;
      }
      const stamp = options.stamp(item);
      if (stamp !== last) {
        await stream.writeSSE({
          event: options.event,
          id: stamp,
          data: JSON.stringify(payload(item)),
          ...(last === "" ? { retry: 2000 } : {}),
        });
        last = stamp;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= KEEPALIVE_MS) {
        await stream.write(": keep-alive\n\n");
        quietSince = Date.now();
      }
      const status = options.status(item);
      if (FINISHED.has(status)) {
        await stream.writeSSE({ event: "end", data: JSON.stringify({ status }) });
        return;
      }
      if (Date.now() - started >= STREAM_MAX_MS) return;
      await stream.sleep(options.pollMs);
      if (stream.aborted || stream.closed) return;
      try {
        item = await options.read();
      } catch (error) {
        // The client left while the read was in flight: nobody to tell.
        if (stream.aborted || stream.closed) return;
        throw error;
      }
    }
  }, async (error, stream) => {
    c.get("log").error(options.logMessage, { error });
    if (stream.aborted || stream.closed) return;
    await stream.writeSSE({
      event: "error",
      data: JSON.stringify({
        message: `The progress stream failed; poll the ${options.noun} instead`,
      }),
    }).catch(() => {});
  });
}
