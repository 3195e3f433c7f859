export {
  checkPlanLimit,
  listPlans,
  lockOrgForLimits,
  PLAN_LIMITS,
  PLAN_NAMES,
  planForLookupKey,
  planSchema,
  stripeLookupKey,
} from "./plans.ts";
export type { Plan, PlanLimit } from "./plans.ts";
export {
  flushUsage,
  HOT_METRICS,
  meter,
  readUsageHistory,
  USAGE_METRICS,
  usageSeriesSchema,
  utcDay,
} from "./usage.ts";
export type { HotMetric, UsageMetric } from "./usage.ts";
export {
  billingUnavailable,
  invoiceSchema,
  listInvoices,
  startCheckout,
  startPortal,
  stripeFromConfig,
} from "./stripe.ts";
export type { Invoice, ReturnUrls } from "./stripe.ts";
export { processWebhookEvent, verifyWebhook } from "./webhook.ts";
export type { WebhookOutcome } from "./webhook.ts";
export {
  billingOverview,
  billingOverviewSchema,
  PAST_DUE_GRACE_DAYS,
  READ_ONLY_REASONS,
} from "./overview.ts";
export type { BillingOverview } from "./overview.ts";
