/**
 * A bound on how long one outgoing call may take. Clients without an abort
 * option of their own (the QStash client) are raced against a timer, so a
 * connection that never answers fails the caller instead of hanging it; the
 * timer is cleared either way.
 *
 * @module
 */

/** The call did not finish within its limit. */
export class TimeLimitError extends Error {
  override name = "TimeLimitError";
  constructor(readonly what: string, readonly limitMs: number) {
    super(`${what} did not finish within ${limitMs} ms`);
  }
}

/**
 * Waits for `work` at most `limitMs`.
 *
 * @param work the call in flight
 * @param limitMs the most it may take
 * @param what what it is, for the error, e.g. "publishing to QStash"
 * @returns what `work` resolves to
 * @throws {TimeLimitError} when `work` is still pending after `limitMs`
 */
export async function withinTime<T>(work: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeLimitError(what, limitMs)), limitMs);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
