// Pure helpers of the Billing page and the app shell's billing banner.
import type { ResponseOf } from "../../lib/typed_client.ts";

/** The billing state of an organization, as the API answers it. */
export type BillingOverview = ResponseOf<"GET /billing/:orgId">["data"];
/** One metric's daily usage. */
export type UsageSeries = ResponseOf<"GET /billing/:orgId/usage">["data"][number];
/** One invoice. */
export type Invoice = ResponseOf<"GET /billing/:orgId/invoices">["data"][number];

/** What people call each limit. */
export const LIMIT_LABELS: Record<BillingOverview["limits"][number]["limit"], string> = {
  instances: "ServiceNow instances",
  members: "Members",
  analysis_runs_per_month: "Analysis runs this month",
  report_schedules: "Report schedules",
  widget_embeds: "Widget embeds",
  api_keys: "API keys",
};

/** What people call each metric. */
export const METRIC_LABELS: Record<UsageSeries["metric"], string> = {
  instances: "Instances",
  members: "Members",
  syncs: "Syncs",
  records_synced: "Records synced",
  analysis_runs: "Analysis runs",
  exports: "Exports",
  embed_views: "Embed views",
  api_calls: "API calls",
};

/** A banner for the app shell, or null when all is well. */
export interface BillingBanner {
  tone: "info" | "warning" | "error";
  title: string;
  message: string;
}

const DAY = 24 * 3600 * 1000;

/**
 * The banner an organization's billing state calls for: read-only first, then
 * past due (with the grace period's end), then a trial ending within 7 days.
 *
 * @param billing the organization's billing state
 * @param now the current time
 */
export function billingBanner(
  billing: BillingOverview,
  now: Date = new Date(),
): BillingBanner | null {
  switch (billing.read_only_reason) {
    case "trial_expired":
      return {
        tone: "error",
        title: "Your trial has ended",
        message:
          "Your data stays visible, but syncs and analysis runs are paused. Choose a plan to continue.",
      };
    case "payment_overdue":
      return {
        tone: "error",
        title: "Payment overdue",
        message:
          "Syncs and analysis runs are paused until the payment goes through. Update the payment method on the Billing page.",
      };
    case "subscription_cancelled":
    case "subscription_suspended":
      return {
        tone: "error",
        title: "Your subscription has ended",
        message: "Your data stays visible, but new syncs and analysis runs need an active plan.",
      };
  }
  if (billing.past_due_since && billing.grace_ends_at) {
    return {
      tone: "warning",
      title: "Payment past due",
      message: `The last payment failed. Update the payment method before ${
        new Date(billing.grace_ends_at).toLocaleDateString()
      } to keep syncing.`,
    };
  }
  if (billing.trial_ends_at) {
    const days = Math.ceil((new Date(billing.trial_ends_at).getTime() - now.getTime()) / DAY);
    if (days <= 7) {
      return {
        tone: "info",
        title: `Your trial ends in ${days} day${days === 1 ? "" : "s"}`,
        message: "Choose a plan on the Billing page to keep syncing and analysing.",
      };
    }
  }
  return null;
}

/**
 * A limit's value as people read it.
 *
 * @param value the limit (null = unlimited)
 */
export function limitText(value: number | null): string {
  return value === null ? "Unlimited" : value.toLocaleString();
}

/**
 * An amount in cents as currency.
 *
 * @param cents the amount
 * @param currency ISO code
 */
export function money(cents: number, currency = "usd"): string {
  return new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() })
    .format(cents / 100);
}
