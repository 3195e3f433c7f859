/**
 * Thrown by a handler for a failure that retrying cannot fix (bad input, a
 * missing configuration): the job fails at once, without using its retries.
 *
 * @example
 * throw new PermanentTaskError("Cannot sync: the instance was deleted", { code: "instance_gone" });
 */
export class PermanentTaskError extends Error {
  override name = "PermanentTaskError";
  /** Machine-readable code stored on the job. */
  readonly code: string;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code ?? "task_failed_permanently";
  }
}

/**
 * Raised inside a handler (from a checkpoint, a step or `signal`) once its job
 * has been cancelled. Let it propagate: the delivery then ends quietly.
 */
export class JobCancelledError extends Error {
  override name = "JobCancelledError";
  constructor(jobId: string) {
    super(`Job ${jobId} was cancelled`);
  }
}

/**
 * Raised inside a handler when another delivery has taken its job over (this
 * one overran its lease). The step it was in is rolled back.
 */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
  constructor(jobId: string) {
    super(`Job ${jobId} is now run by another delivery`);
  }
}

/**
 * The message a job shows for a handler failure: our own errors' messages are
 * written for users; a database error's text is not shown.
 *
 * @param error what the handler threw
 */
export function describeTaskError(error: unknown): { message: string; code: string } {
  if (error instanceof PermanentTaskError) {
    return { message: error.message.slice(0, 2000), code: error.code };
  }
  if (error && typeof error === "object" && "severity" in error && "code" in error) {
    const sqlState = String((error as { code: unknown }).code);
    if (sqlState.startsWith("CQ") && error instanceof Error) {
      return { message: error.message.slice(0, 2000), code: "task_failed" };
    }
    return {
      message: `A database error interrupted the job (SQLSTATE ${sqlState})`,
      code: "database_error",
    };
  }
  if (error instanceof Error) {
    const named = error.name && error.name !== "Error" ? `${error.name}: ` : "";
    return { message: `${named}${error.message}`.slice(0, 2000), code: "task_failed" };
  }
  return { message: `The task failed: ${String(error)}`.slice(0, 2000), code: "task_failed" };
}
