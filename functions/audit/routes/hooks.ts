import { z } from "zod";
import {
  passwordAttempt,
  passwordAttemptSchema,
  verifyHookSignature,
} from "../../../shared/audit/password_hook.ts";
import { createRouteGroup, HttpError, type Services } from "../../../shared/http/mod.ts";

/** `/hooks/password-verification`: Supabase Auth's password verification attempt hook. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function hookRoutes(services: Services) {
  return createRouteGroup().on({
    method: "post",
    path: "/hooks/password-verification",
    summary: "Supabase Auth's password verification attempt hook: records failed sign-ins, locks",
    description: "Public: the Standard Webhooks signature with AUTH_HOOK_SECRET is the " +
      "credential. A failed attempt is a security event in every organization of the user; " +
      "after AUTH_LOCK_AFTER_FAILURES failures in AUTH_LOCK_WINDOW_MINUTES it answers `reject`.",
    auth: "public",
    responses: {
      200: {
        description: "The decision",
        schema: z.union([
          z.object({ decision: z.literal("continue") }),
          z.object({
            decision: z.literal("reject"),
            message: z.string(),
            should_logout_user: z.boolean(),
          }),
        ]),
      },
    },
  }, async (c) => {
    const secret = services.config.AUTH_HOOK_SECRET;
    if (!secret) {
      throw new HttpError(503, "The password verification hook is not configured", {
        code: "hook_unavailable",
      });
    }
    const body = await c.req.text();
    const payload = passwordAttemptSchema.safeParse(
      verifyHookSignature(secret, body, c.req.raw.headers),
    );
    if (!payload.success) {
      throw new HttpError(400, "The hook's payload needs user_id and valid", {
        code: "validation_failed",
      });
    }
    const decision = await passwordAttempt(services.db, payload.data, {
      failures: services.config.AUTH_LOCK_AFTER_FAILURES,
      windowMinutes: services.config.AUTH_LOCK_WINDOW_MINUTES,
    });
    c.get("log").info("password verification attempt", {
      userId: payload.data.user_id,
      valid: payload.data.valid,
      decision: decision.decision,
    });
    return c.json(decision);
  });
}
