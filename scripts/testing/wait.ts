/**
 * Polls `check` every 25 ms until it returns something other than undefined or
 * false, or fails after `timeoutMs` naming `what` (a bound on waiting, not a
 * timing assertion).
 *
 * @param what what is awaited, for the error message
 * @param check returns the awaited value once it is there
 * @param timeoutMs give up after this long
 * @returns the value `check` returned
 * @throws {Error} `Timed out waiting for <what>` after `timeoutMs`
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
