import { z } from "zod";
import { defineTask } from "./define.ts";

/** Payload of {@linkcode probeTask}. */
export const probePayloadSchema = z.object({
  /** Items to walk through. */
  items: z.number().int().min(1).max(100_000),
  /** Simulated work per item, in ms. */
  item_delay_ms: z.number().int().min(0).max(1000).default(0),
  /** Items per checkpoint. */
  batch: z.number().int().min(1).max(1000).default(10),
}).strict();

/**
 * The checksum a probe of `items` items ends with: every item folded in once,
 * in order. A chunk applied twice, or skipped, gives another number.
 *
 * @param items how many items the probe walked
 * @param from checksum to start from (0 for a fresh probe)
 * @param start first item to fold in
 */
export function probeChecksum(items: number, from = 0, start = 0): number {
  let checksum = from;
  for (let i = start; i < items; i++) checksum = (checksum * 31 + i + 1) % 1_000_000_007;
  return checksum;
}

/**
 * A diagnostic job that exercises background work end to end: it walks
 * `items` items in batches, checkpointing a cursor and a running checksum after
 * each batch, continuing in new deliveries when its time budget runs out. An
 * admin can start one (`POST /tasks/probe`) to check the queue, signatures,
 * continuations and progress reporting in any deployment.
 */
export const probeTask = defineTask({
  kind: "tasks.probe",
  payload: probePayloadSchema,
  cursor: z.object({ next: z.number().int().min(0), checksum: z.number().int().min(0) }),
  async handler(ctx, payload) {
    let at = ctx.cursor ?? { next: 0, checksum: 0 };
    while (at.next < payload.items) {
      if (ctx.shouldYield()) return ctx.continueWith(at);
      const end = Math.min(payload.items, at.next + payload.batch);
      for (let i = at.next; i < end && payload.item_delay_ms > 0; i++) {
        await delay(payload.item_delay_ms, ctx.signal);
      }
      at = { next: end, checksum: probeChecksum(end, at.checksum, at.next) };
      await ctx.checkpoint(at, {
        fraction: end / payload.items,
        message: `Processed ${end} of ${payload.items} items`,
        counters: { processed: end },
      });
    }
    return ctx.done({ items: payload.items, checksum: at.checksum });
  },
});

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
