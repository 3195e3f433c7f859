import { isServiceNowError } from "../client/errors.ts";

/** The job error code of a sync that failed because the instance could not be reached. */
export const UNREACHABLE_CODE = "instance_unreachable";

/**
 * Whether a sync failed because the instance could not be reached at all —
 * a connection refused, a DNS failure, a timeout, a hibernating instance —
 * as opposed to an instance that answered and refused (credentials, ACLs) or
 * answered with a server error. Looks through `cause` chains.
 *
 * @param error what the sync threw
 */
export function isUnreachable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (isServiceNowError(e)) {
      return e.kind === "unavailable" &&
        (e.reason === "network" || e.reason === "timeout" || e.reason === "hibernating");
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
