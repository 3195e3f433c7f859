// The billing function: plans and limits, usage, Stripe Checkout, the
// Customer Portal, invoices and Stripe's webhooks.
//
// Each route declares who may call it and what it takes and answers (see
// routes/*.ts, GET /billing/openapi.json and the permission table in
// docs/architecture.md). The webhook route is public: Stripe's signature over
// the raw body is its credential. See docs/billing.md.
import { createFunctionApp, type FunctionApp, type Services } from "../../shared/http/mod.ts";
import { billingRoutes } from "./routes/billing.ts";
import { webhookRoutes } from "./routes/webhooks.ts";

/**
 * Builds the billing app, mounted at `/billing`.
 *
 * @param services configuration, database, logger, token verifier and cache
 */
export function createBillingApp(services: Services): FunctionApp {
  const app = createFunctionApp("billing", services, {
    description: "Plans, limits, usage and Stripe billing",
  });
  app.route("/", webhookRoutes(services).app);
  app.route("/", billingRoutes(services).app);
  return app;
}
