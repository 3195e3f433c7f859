import Stripe from "stripe";
import { z } from "zod";
import { processWebhookEvent, verifyWebhook } from "../../../shared/billing/mod.ts";
import { createRouteGroup, HttpError, type Services } from "../../../shared/http/mod.ts";

/** `/webhooks/stripe`: Stripe's events, verified by signature. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function webhookRoutes(services: Services) {
  // Verification is local: any key will do when billing calls are not configured.
  const stripe = new Stripe(services.config.STRIPE_SECRET_KEY ?? "sk_verification_only", {
    httpClient: Stripe.createFetchHttpClient(),
  });
  return createRouteGroup().on({
    method: "post",
    path: "/webhooks/stripe",
    summary: "Stripe webhook events (verified by the Stripe-Signature header, applied once)",
    description: "Public: the signature over the raw body with STRIPE_WEBHOOK_SECRET is the " +
      "credential. A redelivered event answers `duplicate`; an event older than the last " +
      "applied one answers `stale` and changes nothing.",
    auth: "public",
    responses: {
      200: {
        description: "The event was recorded",
        schema: z.object({
          received: z.literal(true),
          outcome: z.enum(["applied", "duplicate", "stale", "ignored", "unknown_org"]),
        }),
      },
    },
  }, async (c) => {
    const secret = services.config.STRIPE_WEBHOOK_SECRET;
    if (!secret) {
      throw new HttpError(503, "Billing webhooks are not configured", {
        code: "billing_unavailable",
      });
    }
    const event = await verifyWebhook(
      stripe,
      await c.req.text(),
      c.req.header("stripe-signature"),
      secret,
    );
    const outcome = await processWebhookEvent(services.db, event);
    c.get("log").info("stripe event", { eventId: event.id, type: event.type, outcome });
    return c.json({ received: true as const, outcome });
  });
}
