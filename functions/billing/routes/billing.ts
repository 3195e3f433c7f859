import { z } from "zod";
import {
  billingOverview,
  billingOverviewSchema,
  billingUnavailable,
  flushUsage,
  invoiceSchema,
  listInvoices,
  PLAN_NAMES,
  readUsageHistory,
  startCheckout,
  startPortal,
  stripeFromConfig,
  usageSeriesSchema,
} from "../../../shared/billing/mod.ts";
import { createRouteGroup, dataOf, type Services } from "../../../shared/http/mod.ts";
import { requirePermission } from "../../../shared/organizations/mod.ts";
import type { Action } from "../../../shared/permissions/mod.ts";
import type { TenantClaims } from "../../../shared/db/mod.ts";

const orgParams = z.object({ orgId: z.uuid() });
const urlSchema = z.object({ url: z.string() });

/** `/:orgId…`: billing state, usage, Checkout, the portal and invoices. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function billingRoutes(services: Services) {
  const stripe = stripeFromConfig(services.config);
  const authorize = (claims: TenantClaims, orgId: string, action: Action) =>
    services.db.asTenant(claims, (tx) => requirePermission(tx, orgId, action));
  const appUrl = (path: string) =>
    new URL(path, services.config.PUBLIC_URL ?? "http://localhost:8000").href;
  const requireStripe = () => {
    if (!stripe) throw billingUnavailable();
    return stripe;
  };

  return createRouteGroup()
    .on({
      method: "get",
      path: "/:orgId",
      summary: "The plan, its limits against current usage, and the subscription state",
      auth: "user",
      permission: "billing.read",
      params: orgParams,
      responses: {
        200: { description: "The billing state", schema: dataOf(billingOverviewSchema) },
      },
    }, async (c, { params }) => {
      const data = await services.db.asTenant(
        c.get("claims"),
        (tx) => billingOverview(tx, params.orgId),
      );
      return c.json({ data });
    })
    .on({
      method: "get",
      path: "/:orgId/usage",
      summary: "Daily usage per metric over the last days (UTC), pending counters flushed first",
      auth: "user",
      permission: "billing.read",
      params: orgParams,
      query: z.object({ days: z.coerce.number().int().min(1).max(90).default(30) }),
      responses: {
        200: { description: "Usage per metric", schema: dataOf(z.array(usageSeriesSchema)) },
      },
    }, async (c, { params, query }) => {
      await authorize(c.get("claims"), params.orgId, "billing.read");
      await flushUsage(services, params.orgId);
      const data = await services.db.asTenant(
        c.get("claims"),
        (tx) => readUsageHistory(tx, params.orgId, query.days),
      );
      return c.json({ data });
    })
    .on({
      method: "post",
      path: "/:orgId/checkout",
      summary: "Subscribe to or change to a plan: a Checkout URL, or null when a live " +
        "subscription was changed in place",
      auth: "user",
      permission: "billing.manage",
      params: orgParams,
      body: z.object({ plan: z.enum(PLAN_NAMES).exclude(["trial"]) }),
      responses: {
        200: { description: "Where to send the browser", schema: dataOf(urlSchema.partial()) },
      },
    }, async (c, { params, body }) => {
      const claims = c.get("claims");
      await authorize(claims, params.orgId, "billing.manage");
      const { url } = await startCheckout(requireStripe(), services.db, {
        orgId: params.orgId,
        plan: body.plan,
        email: typeof claims.email === "string" ? claims.email : null,
        urls: {
          success: appUrl("/app/billing?checkout=success"),
          cancel: appUrl("/app/billing?checkout=cancelled"),
        },
      });
      return c.json({ data: url ? { url } : {} });
    })
    .on({
      method: "post",
      path: "/:orgId/portal",
      summary: "A Customer Portal link: payment methods, invoices, cancellation",
      auth: "user",
      permission: "billing.manage",
      params: orgParams,
      responses: { 200: { description: "The portal URL", schema: dataOf(urlSchema) } },
    }, async (c, { params }) => {
      await authorize(c.get("claims"), params.orgId, "billing.manage");
      const data = await startPortal(requireStripe(), services.db, {
        orgId: params.orgId,
        returnUrl: appUrl("/app/billing"),
      });
      return c.json({ data });
    })
    .on({
      method: "get",
      path: "/:orgId/invoices",
      summary: "The latest invoices",
      auth: "user",
      permission: "billing.manage",
      params: orgParams,
      responses: { 200: { description: "Invoices", schema: dataOf(z.array(invoiceSchema)) } },
    }, async (c, { params }) => {
      await authorize(c.get("claims"), params.orgId, "billing.manage");
      const data = stripe ? await listInvoices(stripe, services.db, params.orgId) : [];
      return c.json({ data });
    });
}
