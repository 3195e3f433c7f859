// Stripe webhooks: verified from the raw body, applied once per event id, and
// safe against events arriving out of order — a subscription event older than
// the last one applied to the organization is recorded but changes nothing.
import Stripe from "stripe";
import type { Database, Tx } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import type { OrgPlan } from "../permissions/mod.ts";
import { planForLookupKey } from "./plans.ts";

const crypto = Stripe.createSubtleCryptoProvider();

/**
 * Verifies a webhook delivery's `Stripe-Signature` over the raw body and
 * returns the event. Throws 400 `invalid_signature` on any mismatch.
 *
 * @param stripe a Stripe client (any key: verification is local)
 * @param rawBody the request body exactly as received
 * @param signature the Stripe-Signature header
 * @param secret the endpoint's signing secret
 */
export async function verifyWebhook(
  stripe: Stripe,
  rawBody: string,
  signature: string | undefined,
  secret: string,
): Promise<Stripe.Event> {
  if (!signature) {
    throw new HttpError(400, "The Stripe-Signature header is missing", {
      code: "invalid_signature",
    });
  }
  try {
    return await stripe.webhooks.constructEventAsync(rawBody, signature, secret, undefined, crypto);
  } catch (error) {
    throw new HttpError(400, "The webhook signature does not match", {
      code: "invalid_signature",
      cause: error,
    });
  }
}

/** What became of one event. */
export type WebhookOutcome = "applied" | "duplicate" | "stale" | "ignored" | "unknown_org";

/** Subscription states and what they mean for the organization. */
type SubscriptionEffect =
  | { status: "active"; pastDue: false }
  | { status: "active"; pastDue: true }
  | { status: "suspended" | "cancelled"; pastDue: false }
  | null;

function effectOf(status: Stripe.Subscription.Status, deleted: boolean): SubscriptionEffect {
  if (deleted) return { status: "cancelled", pastDue: false };
  switch (status) {
    case "active":
    case "trialing":
      return { status: "active", pastDue: false };
    case "past_due":
      return { status: "active", pastDue: true };
    case "unpaid":
    case "paused":
      return { status: "suspended", pastDue: false };
    case "canceled":
    case "incomplete_expired":
      return { status: "cancelled", pastDue: false };
    default:
      // incomplete: the first payment is still being made; nothing changes yet.
      return null;
  }
}

async function orgFor(tx: Tx, metadataOrg: string | undefined, customer: string | null) {
  const uuid = /^[0-9a-f-]{36}$/i;
  const [row] = await tx<{ id: string; billing_event_at: Date | null }[]>`
    select id, billing_event_at from public.organizations
    where (${metadataOrg && uuid.test(metadataOrg) ? metadataOrg : null}::uuid is not null
           and id = ${metadataOrg && uuid.test(metadataOrg) ? metadataOrg : null}::uuid)
       or (${customer}::text is not null and stripe_customer_id = ${customer}::text)
    order by (id::text = ${metadataOrg ?? ""}) desc
    limit 1
    for update`;
  return row ?? null;
}

async function planOf(tx: Tx, subscription: Stripe.Subscription): Promise<OrgPlan | null> {
  const key = subscription.items?.data?.[0]?.price?.lookup_key;
  if (key) {
    const plan = await planForLookupKey(tx, key);
    if (plan) return plan;
  }
  const fromMetadata = subscription.metadata?.plan;
  return fromMetadata && ["basic", "professional", "enterprise"].includes(fromMetadata)
    ? fromMetadata as OrgPlan
    : null;
}

const customerId = (c: string | { id: string } | null | undefined) =>
  typeof c === "string" ? c : c?.id ?? null;

async function applySubscription(
  tx: Tx,
  event: Stripe.Event,
  subscription: Stripe.Subscription,
): Promise<{ outcome: WebhookOutcome; orgId: string | null }> {
  const customer = customerId(subscription.customer);
  const org = await orgFor(tx, subscription.metadata?.org_id, customer);
  if (!org) return { outcome: "unknown_org", orgId: null };
  const at = new Date(event.created * 1000);
  if (org.billing_event_at && org.billing_event_at > at) return { outcome: "stale", orgId: org.id };
  const effect = effectOf(subscription.status, event.type === "customer.subscription.deleted");
  const plan = await planOf(tx, subscription);
  await tx`
    update public.organizations set
      billing_event_at = ${at},
      stripe_customer_id = coalesce(stripe_customer_id, ${customer}),
      stripe_subscription_id = ${subscription.id},
      plan = coalesce(${
    effect && effect.status !== "cancelled" ? plan : null
  }::public.org_plan, plan),
      subscription_status = coalesce(${effect?.status ?? null}::public.subscription_status,
                                     subscription_status),
      past_due_since = case
        when ${effect === null} then past_due_since
        when ${effect?.pastDue ?? false} then coalesce(past_due_since, ${at})
        else null end
    where id = ${org.id}`;
  return { outcome: "applied", orgId: org.id };
}

async function applyCheckout(
  tx: Tx,
  event: Stripe.Event,
  session: Stripe.Checkout.Session,
): Promise<{ outcome: WebhookOutcome; orgId: string | null }> {
  const customer = customerId(session.customer);
  const org = await orgFor(tx, session.client_reference_id ?? session.metadata?.org_id, customer);
  if (!org) return { outcome: "unknown_org", orgId: null };
  const subscription = customerId(session.subscription);
  // The subscription events carry the state; checkout links the ids, and makes a
  // paid checkout's plan effective even if those events come later.
  const plan = session.metadata?.plan;
  const paid = session.payment_status === "paid" && plan &&
    ["basic", "professional", "enterprise"].includes(plan);
  const at = new Date(event.created * 1000);
  const newer = !org.billing_event_at || org.billing_event_at <= at;
  await tx`
    update public.organizations set
      stripe_customer_id = coalesce(${customer}, stripe_customer_id),
      stripe_subscription_id = coalesce(${subscription}, stripe_subscription_id),
      plan = case when ${Boolean(paid && newer)} then ${
    plan ?? "trial"
  }::public.org_plan else plan end,
      subscription_status = case when ${
    Boolean(paid && newer)
  } then 'active' else subscription_status end,
      past_due_since = case when ${Boolean(paid && newer)} then null else past_due_since end,
      billing_event_at = case when ${Boolean(paid && newer)} then ${at} else billing_event_at end
    where id = ${org.id}`;
  return { outcome: paid && newer ? "applied" : "ignored", orgId: org.id };
}

async function applyInvoiceFailure(
  tx: Tx,
  invoice: Stripe.Invoice,
): Promise<{ outcome: WebhookOutcome; orgId: string | null }> {
  const org = await orgFor(tx, undefined, customerId(invoice.customer));
  if (!org) return { outcome: "unknown_org", orgId: null };
  // Marks the start of the grace period at once; the subscription events settle the state.
  await tx`
    update public.organizations
    set past_due_since = coalesce(past_due_since, ${new Date(invoice.created * 1000)})
    where id = ${org.id} and subscription_status = 'active'`;
  return { outcome: "applied", orgId: org.id };
}

/**
 * Applies one verified event in one transaction: recorded in billing_events by
 * its id first, so a redelivery answers `duplicate` and changes nothing.
 *
 * @param db the database (as the service role: billing columns are not users')
 * @param event a verified Stripe event
 */
export async function processWebhookEvent(
  db: Database,
  event: Stripe.Event,
): Promise<WebhookOutcome> {
  return await db.asService(async (tx) => {
    const [fresh] = await tx<{ id: string }[]>`
      insert into public.billing_events (id, type, created_at, outcome)
      values (${event.id}, ${event.type}, ${new Date(event.created * 1000)}, 'processing')
      on conflict (id) do nothing returning id`;
    if (!fresh) return "duplicate";
    let result: { outcome: WebhookOutcome; orgId: string | null };
    switch (event.type) {
      case "customer.subscription.created":
      case "customer.subscription.updated":
      case "customer.subscription.deleted":
        result = await applySubscription(tx, event, event.data.object);
        break;
      case "checkout.session.completed":
        result = await applyCheckout(tx, event, event.data.object);
        break;
      case "invoice.payment_failed":
        result = await applyInvoiceFailure(tx, event.data.object);
        break;
      default:
        result = { outcome: "ignored", orgId: null };
    }
    await tx`update public.billing_events set outcome = ${result.outcome}, org_id = ${result.orgId}
             where id = ${event.id}`;
    return result.outcome;
  });
}
