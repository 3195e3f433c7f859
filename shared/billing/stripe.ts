// The Stripe side of billing: one client built from configuration (Stripe's
// API, or STRIPE_API_BASE — the dev stand-in or a test mock), Checkout, the
// Customer Portal and invoices. Webhooks are in webhook.ts.
import Stripe from "stripe";
import { z } from "zod";
import type { Database } from "../db/mod.ts";
import type { Config } from "../env/mod.ts";
import { HttpError } from "../http/errors.ts";
import type { OrgPlan } from "../permissions/mod.ts";
import { stripeLookupKey } from "./plans.ts";

/**
 * The Stripe client, or null when billing is not configured (no secret key).
 *
 * @param config STRIPE_SECRET_KEY and STRIPE_API_BASE
 */
export function stripeFromConfig(config: Config): Stripe | null {
  if (!config.STRIPE_SECRET_KEY) return null;
  const base = config.STRIPE_API_BASE ? new URL(config.STRIPE_API_BASE) : null;
  return new Stripe(config.STRIPE_SECRET_KEY, {
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries: 1,
    timeout: 15_000,
    ...(base
      ? {
        host: base.hostname,
        port: base.port || (base.protocol === "https:" ? 443 : 80),
        protocol: base.protocol === "https:" ? "https" : "http",
      }
      : {}),
  });
}

/** Billing is not configured here. */
export function billingUnavailable(): HttpError {
  return new HttpError(503, "Billing is not configured on this deployment", {
    code: "billing_unavailable",
  });
}

async function stripeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) {
      throw new HttpError(502, "The payment provider refused the request; try again later", {
        code: "payment_provider_error",
        details: { type: error.type, code: error.code ?? null },
        cause: error,
      });
    }
    throw error;
  }
}

interface OrgBilling {
  id: string;
  name: string;
  plan: OrgPlan;
  subscription_status: string;
  stripe_customer_id: string | null;
  stripe_subscription_id: string | null;
}

async function orgBilling(db: Database, orgId: string): Promise<OrgBilling> {
  const [row] = await db.asService((tx) =>
    tx<OrgBilling[]>`
      select id, name, plan, subscription_status, stripe_customer_id, stripe_subscription_id
      from public.organizations where id = ${orgId}`
  );
  if (!row) throw new HttpError(404, "Organization not found");
  return row;
}

/** The Stripe customer of the organization, created on first use. */
async function ensureCustomer(
  stripe: Stripe,
  db: Database,
  org: OrgBilling,
  email: string | null,
): Promise<string> {
  if (org.stripe_customer_id) return org.stripe_customer_id;
  const customer = await stripeCall(() =>
    stripe.customers.create(
      { name: org.name, ...(email ? { email } : {}), metadata: { org_id: org.id } },
      { idempotencyKey: `ciq-customer-${org.id}` },
    )
  );
  // A concurrent request may have stored one first: keep that one.
  const [row] = await db.asService((tx) =>
    tx<{ id: string }[]>`
      update public.organizations set stripe_customer_id = coalesce(stripe_customer_id, ${customer.id})
      where id = ${org.id} returning stripe_customer_id as id`
  );
  return row!.id;
}

/** Where Checkout and the Portal send the browser back to. */
export interface ReturnUrls {
  success: string;
  cancel: string;
}

/**
 * Starts a plan purchase or change. Without a live subscription: a Checkout
 * session (subscription mode) whose URL the browser opens. With one: the
 * subscription's price is swapped (prorated) and `url` is null; the webhook
 * that follows applies the new plan.
 *
 * @returns the Checkout URL, or null when an existing subscription was changed
 */
export async function startCheckout(
  stripe: Stripe,
  db: Database,
  input: { orgId: string; plan: OrgPlan; email: string | null; urls: ReturnUrls },
): Promise<{ url: string | null }> {
  const org = await orgBilling(db, input.orgId);
  const key = await db.asService((tx) => stripeLookupKey(tx, input.plan));
  if (!key) {
    throw new HttpError(422, `The ${input.plan} plan cannot be bought online`, {
      code: "plan_not_purchasable",
    });
  }
  const prices = await stripeCall(() =>
    stripe.prices.list({ lookup_keys: [key], active: true, limit: 1 })
  );
  const price = prices.data[0];
  if (!price) {
    throw new HttpError(503, `No Stripe price has the lookup key ${key}`, {
      code: "billing_unavailable",
    });
  }
  if (org.stripe_subscription_id && org.subscription_status !== "cancelled") {
    if (org.plan === input.plan) {
      throw new HttpError(409, `The organization is already on the ${input.plan} plan`, {
        code: "already_on_plan",
      });
    }
    const subscription = await stripeCall(() =>
      stripe.subscriptions.retrieve(org.stripe_subscription_id!)
    );
    const item = subscription.items.data[0];
    if (!item) throw new HttpError(502, "The subscription has no item to change");
    await stripeCall(() =>
      stripe.subscriptions.update(subscription.id, {
        items: [{ id: item.id, price: price.id }],
        proration_behavior: "create_prorations",
        metadata: { org_id: org.id, plan: input.plan },
      })
    );
    return { url: null };
  }
  const customer = await ensureCustomer(stripe, db, org, input.email);
  const session = await stripeCall(() =>
    stripe.checkout.sessions.create({
      mode: "subscription",
      customer,
      client_reference_id: org.id,
      line_items: [{ price: price.id, quantity: 1 }],
      metadata: { org_id: org.id, plan: input.plan },
      subscription_data: { metadata: { org_id: org.id, plan: input.plan } },
      success_url: input.urls.success,
      cancel_url: input.urls.cancel,
    })
  );
  if (!session.url) throw new HttpError(502, "The payment provider gave no Checkout URL");
  return { url: session.url };
}

/**
 * A Customer Portal session (payment methods, invoices, cancellation).
 *
 * @returns the portal URL
 */
export async function startPortal(
  stripe: Stripe,
  db: Database,
  input: { orgId: string; returnUrl: string },
): Promise<{ url: string }> {
  const org = await orgBilling(db, input.orgId);
  if (!org.stripe_customer_id) {
    throw new HttpError(409, "Subscribe to a plan first: there is no billing account yet", {
      code: "no_billing_account",
    });
  }
  const session = await stripeCall(() =>
    stripe.billingPortal.sessions.create({
      customer: org.stripe_customer_id!,
      return_url: input.returnUrl,
    })
  );
  return { url: session.url };
}

/** An invoice as the Billing page lists it. */
export const invoiceSchema = z.object({
  id: z.string(),
  number: z.string().nullable(),
  status: z.string().nullable(),
  amount_due: z.number(),
  amount_paid: z.number(),
  currency: z.string(),
  created: z.string(),
  hosted_invoice_url: z.string().nullable(),
  pdf_url: z.string().nullable(),
});
/** An invoice. */
export type Invoice = z.infer<typeof invoiceSchema>;

/**
 * The organization's latest invoices (none before the first subscription).
 */
export async function listInvoices(
  stripe: Stripe,
  db: Database,
  orgId: string,
): Promise<Invoice[]> {
  const org = await orgBilling(db, orgId);
  if (!org.stripe_customer_id) return [];
  const page = await stripeCall(() =>
    stripe.invoices.list({ customer: org.stripe_customer_id!, limit: 24 })
  );
  return page.data.map((invoice) => ({
    id: invoice.id ?? "",
    number: invoice.number ?? null,
    status: invoice.status ?? null,
    amount_due: invoice.amount_due,
    amount_paid: invoice.amount_paid,
    currency: invoice.currency,
    created: new Date(invoice.created * 1000).toISOString(),
    hosted_invoice_url: invoice.hosted_invoice_url ?? null,
    pdf_url: invoice.invoice_pdf ?? null,
  }));
}
