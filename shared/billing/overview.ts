// What the Billing page and the app shell's banners read: the plan, the
// subscription state, and each limit against current usage.
import { z } from "zod";
import type { Tx } from "../db/mod.ts";
import { requirePermission } from "../organizations/mod.ts";
import type { OrgPlan } from "../permissions/mod.ts";
import { listPlans, PLAN_LIMITS, type PlanLimit, planSchema } from "./plans.ts";

/** Why an organization may only read, or null. */
export const READ_ONLY_REASONS = [
  "subscription_cancelled",
  "subscription_suspended",
  "trial_expired",
  "payment_overdue",
] as const;

/** Grace of a past-due subscription before read-only (as the SQL applies it). */
export const PAST_DUE_GRACE_DAYS = 7;

/** The billing state of one organization. */
export const billingOverviewSchema = z.object({
  org_id: z.uuid(),
  plan: planSchema,
  subscription_status: z.enum(["active", "suspended", "cancelled"]),
  trial_ends_at: z.string().nullable(),
  past_due_since: z.string().nullable(),
  grace_ends_at: z.string().nullable(),
  read_only_reason: z.enum(READ_ONLY_REASONS).nullable(),
  has_billing_account: z.boolean(),
  /** Each limit: allowed (null = unlimited) and used (null = counted by another feature). */
  limits: z.array(z.object({
    limit: z.enum(PLAN_LIMITS),
    allowed: z.number().int().nullable(),
    used: z.number().int().nullable(),
  })),
  /** The next bigger plan, for "upgrade" buttons. */
  upgrade_to: z.enum(["trial", "basic", "professional", "enterprise"]).nullable(),
  plans: z.array(planSchema),
});
/** The billing state of one organization. */
export type BillingOverview = z.infer<typeof billingOverviewSchema>;

const iso = (d: Date | null) => d ? d.toISOString() : null;

/**
 * The organization's billing state (members; RLS and the matrix decide).
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 */
export async function billingOverview(tx: Tx, orgId: string): Promise<BillingOverview> {
  await requirePermission(tx, orgId, "billing.read");
  const [org] = await tx<{
    plan: OrgPlan;
    subscription_status: "active" | "suspended" | "cancelled";
    trial_ends_at: Date | null;
    past_due_since: Date | null;
    has_account: boolean;
    reason: BillingOverview["read_only_reason"];
  }[]>`
    select plan, subscription_status, trial_ends_at, past_due_since,
           stripe_customer_id is not null as has_account,
           private.org_read_only_reason(id) as reason
    from public.organizations where id = ${orgId}`;
  const plans = await listPlans(tx);
  const plan = plans.find((p) => p.plan === org!.plan)!;
  const usage = await tx<{ limit: PlanLimit; used: string | null }[]>`
    select l as limit, private.plan_limit_usage(${orgId}, l)::text as used
    from unnest(${PLAN_LIMITS as unknown as string[]}::text[]) as l`;
  const used = new Map(usage.map((u) => [u.limit, u.used === null ? null : Number(u.used)]));
  const grace = org!.past_due_since
    ? new Date(org!.past_due_since.getTime() + PAST_DUE_GRACE_DAYS * 24 * 3600 * 1000)
    : null;
  return {
    org_id: orgId,
    plan,
    subscription_status: org!.subscription_status,
    trial_ends_at: org!.plan === "trial" ? iso(org!.trial_ends_at) : null,
    past_due_since: iso(org!.past_due_since),
    grace_ends_at: iso(grace),
    read_only_reason: org!.reason,
    has_billing_account: org!.has_account,
    limits: PLAN_LIMITS.map((limit) => ({
      limit,
      allowed: plan.limits[limit],
      used: used.get(limit) ?? null,
    })),
    upgrade_to: plans.find((p) => p.rank > plan.rank && p.purchasable)?.plan ?? null,
    plans,
  };
}
