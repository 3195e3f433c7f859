import { Receiver } from "@upstash/qstash";
import {
  createRouteGroup,
  dataOf,
  HttpError,
  type RouteGroup,
  type WorkerVerifier,
} from "../../../shared/http/mod.ts";
import {
  deliveryOutcomeSchema,
  deliveryStatus,
  processMessage,
  type RunnerOptions,
  taskMessageSchema,
} from "../../../shared/tasks/mod.ts";
import type { Cache } from "../../../shared/cache/mod.ts";
import type { JobEnded } from "../../../shared/notifications/mod.ts";
import { flushUsage } from "../../../shared/billing/mod.ts";
import { invalidatePosture, POSTURE_JOB_KINDS } from "../../../shared/posture/mod.ts";

/** How QStash deliveries are proven: the signing keys and the URL they were published to. */
export interface QStashVerifierOptions {
  /** The public URL QStash publishes to; the signature's `sub` must equal it. */
  callbackUrl: string;
  currentSigningKey: string;
  nextSigningKey: string;
}

/**
 * The tasks function's worker verifier: checks `Upstash-Signature` over the raw
 * body against the configured public URL (current key, then next), logging a
 * security event and refusing with 401 otherwise.
 *
 * @param options the signing keys and the callback URL
 */
export function qstashVerifier(options: QStashVerifierOptions): WorkerVerifier {
  const receiver = new Receiver({
    currentSigningKey: options.currentSigningKey,
    nextSigningKey: options.nextSigningKey,
    devMode: false,
  });
  return async (c) => {
    const signature = c.req.header("upstash-signature");
    const messageId = c.req.header("upstash-message-id") ?? null;
    const rejected = (reason: string) => {
      c.get("log").warn("security: rejected a task delivery", {
        event: "security.qstash_delivery_rejected",
        reason,
        messageId,
        ip: c.req.header("x-forwarded-for") ?? c.req.header("upstash-caller-ip") ?? null,
        userAgent: c.req.header("user-agent") ?? null,
      });
      return new HttpError(401, "The delivery is not signed by QStash for this endpoint", {
        code: "invalid_signature",
      });
    };
    if (!signature) throw rejected("no Upstash-Signature header");
    try {
      const body = await c.req.text();
      await receiver.verify({ signature, body, url: options.callbackUrl, clockTolerance: 5 });
    } catch (error) {
      throw rejected(error instanceof Error ? error.message : String(error));
    }
    return { messageId };
  };
}

/**
 * `POST /qstash`: the QStash callback (signature checked by the gate, see
 * {@linkcode qstashVerifier}); runs the message. 2xx acknowledges it; 5xx makes
 * QStash retry.
 *
 * @param runner what runs task messages
 * @param cache where the dashboard's cached figures live (invalidated when a run or sync ends)
 * @param onJobEnded called once a job reached its end (alert rules); must not throw
 */
export function qstashRoutes(
  runner: RunnerOptions,
  cache: Cache,
  onJobEnded?: (job: JobEnded) => Promise<unknown>,
): RouteGroup {
  return createRouteGroup().on({
    method: "post",
    path: "/qstash",
    summary: "The QStash callback: runs one task message",
    description: "2xx acknowledges the delivery; 5xx makes QStash retry it.",
    auth: "worker",
    responses: {
      200: {
        description: "Handled (done, continued, duplicate…)",
        schema: dataOf(deliveryOutcomeSchema),
      },
    },
  }, async (c) => {
    const log = c.get("log");
    let json: unknown;
    try {
      json = JSON.parse(await c.req.text());
    } catch {
      throw new HttpError(400, "The task message is not valid JSON", { code: "malformed_json" });
    }
    const parsed = taskMessageSchema.safeParse(json);
    if (!parsed.success) {
      log.error("signed task message with an invalid body", { issues: parsed.error.issues });
      throw new HttpError(400, "The task message is not valid", {
        code: "validation_failed",
        details: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      });
    }
    const messageId = c.req.header("upstash-message-id");
    if (!messageId) {
      throw new HttpError(400, "The delivery has no Upstash-Message-Id header", {
        code: "missing_message_id",
      });
    }
    const retried = Number.parseInt(c.req.header("upstash-retried") ?? "0", 10);
    const outcome = await processMessage(runner, parsed.data, {
      messageId,
      retried: Number.isFinite(retried) && retried >= 0 ? retried : 0,
      scheduleId: c.req.header("upstash-schedule-id") ?? null,
    });
    const status = deliveryStatus(outcome);
    // A run or sync that reached its end changes the organization's dashboard.
    const ended = outcome.status === "succeeded" || outcome.status === "cancelled" ||
      outcome.status === "rejected" || (outcome.status === "failed" && outcome.final);
    if (ended && parsed.data.type !== "system" && POSTURE_JOB_KINDS.has(parsed.data.kind)) {
      const version = await invalidatePosture(cache, parsed.data.orgId, "job_finished");
      if (version === null) {
        log.warn("cannot invalidate the cached dashboard", { orgId: parsed.data.orgId });
      }
    }
    if (
      ended && onJobEnded && parsed.data.type !== "system" && outcome.status !== "continued" &&
      outcome.jobId
    ) {
      await onJobEnded({
        orgId: parsed.data.orgId,
        jobId: outcome.jobId,
        kind: parsed.data.kind,
        status: outcome.status,
      });
    }
    // The minutely housekeeping also writes metered usage from Redis to the database.
    if (parsed.data.type === "system") {
      await flushUsage({ db: runner.db, cache }).catch((error) =>
        log.warn("cannot flush metered usage", { error })
      );
    }
    if (outcome.status === "failed") {
      throw new HttpError(500, outcome.error, {
        code: outcome.final ? "task_failed" : "task_attempt_failed",
        details: { job_id: outcome.jobId, final: outcome.final },
      });
    }
    if (outcome.status === "busy") {
      throw new HttpError(503, "The job is being run by another delivery", {
        code: "job_busy",
        details: { job_id: outcome.jobId },
        headers: { "Retry-After": String(Math.max(1, outcome.retryAfterSeconds)) },
      });
    }
    return c.json({ data: outcome }, status);
  });
}
