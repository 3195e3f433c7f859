// Plans and their limits live in public.plans; this module reads them and
// checks a limit through the one SQL check (private.check_plan_limit).
import { z } from "zod";
import type { Tx } from "../db/mod.ts";
import type { OrgPlan } from "../permissions/mod.ts";

/** The limits a plan sets, as `private.check_plan_limit` names them. */
export const PLAN_LIMITS = [
  "instances",
  "members",
  "analysis_runs_per_month",
  "report_schedules",
  "widget_embeds",
  "api_keys",
] as const;
/** One limit of a plan. */
export type PlanLimit = typeof PLAN_LIMITS[number];

/** Plans from smallest to biggest (the `public.org_plan` enum). */
export const PLAN_NAMES = ["trial", "basic", "professional", "enterprise"] as const;

/** One plan, as the API answers it. */
export const planSchema = z.object({
  plan: z.enum(PLAN_NAMES),
  display_name: z.string(),
  rank: z.number().int(),
  price_monthly_cents: z.number().int(),
  /** null = unlimited */
  limits: z.object(
    Object.fromEntries(PLAN_LIMITS.map((l) => [l, z.number().int().nullable()])) as Record<
      PlanLimit,
      z.ZodNullable<z.ZodNumber>
    >,
  ),
  retention_days: z.number().int(),
  features: z.object({ evidence_packs: z.boolean(), embeds: z.boolean(), sso: z.boolean() }),
  /** Whether it can be bought through Checkout. */
  purchasable: z.boolean(),
});
/** One plan. */
export type Plan = z.infer<typeof planSchema>;

interface PlanRow {
  plan: OrgPlan;
  display_name: string;
  rank: number;
  price_monthly_cents: number;
  max_instances: number | null;
  max_members: number | null;
  max_analysis_runs_per_month: number | null;
  max_report_schedules: number | null;
  max_widget_embeds: number | null;
  max_api_keys: number | null;
  retention_days: number;
  feature_evidence_packs: boolean;
  feature_embeds: boolean;
  feature_sso: boolean;
  stripe_lookup_key: string | null;
}

function toPlan(row: PlanRow): Plan {
  return {
    plan: row.plan,
    display_name: row.display_name,
    rank: row.rank,
    price_monthly_cents: row.price_monthly_cents,
    limits: {
      instances: row.max_instances,
      members: row.max_members,
      analysis_runs_per_month: row.max_analysis_runs_per_month,
      report_schedules: row.max_report_schedules,
      widget_embeds: row.max_widget_embeds,
      api_keys: row.max_api_keys,
    },
    retention_days: row.retention_days,
    features: {
      evidence_packs: row.feature_evidence_packs,
      embeds: row.feature_embeds,
      sso: row.feature_sso,
    },
    purchasable: row.stripe_lookup_key !== null,
  };
}

/**
 * Every plan, smallest first.
 *
 * @param tx any transaction (plans are readable by every signed-in user)
 */
export async function listPlans(tx: Tx): Promise<Plan[]> {
  const rows = await tx<PlanRow[]>`select * from public.plans order by rank`;
  return rows.map(toPlan);
}

/**
 * The Stripe price lookup key of a plan, or null when it is not sold through Checkout.
 *
 * @param tx any transaction
 * @param plan the plan
 */
export async function stripeLookupKey(tx: Tx, plan: OrgPlan): Promise<string | null> {
  const [row] = await tx<{ key: string | null }[]>`
    select stripe_lookup_key as key from public.plans where plan = ${plan}`;
  return row?.key ?? null;
}

/**
 * The plan a Stripe price lookup key sells, or null.
 *
 * @param tx any transaction
 * @param key the price's lookup key
 */
export async function planForLookupKey(tx: Tx, key: string): Promise<OrgPlan | null> {
  const [row] = await tx<{ plan: OrgPlan }[]>`
    select plan from public.plans where stripe_lookup_key = ${key}`;
  return row?.plan ?? null;
}

/**
 * Checks that the organization may add one more of `limit`, in the database,
 * under a lock on the organization row: concurrent adds in one organization
 * queue, so two cannot both pass. Throws the 402 `plan_limit_reached` error
 * (details: limit, allowed, used, plan, upgrade_to) when the plan is full.
 *
 * For limits over tables the billing migration does not count (`api_keys`,
 * `widget_embeds`), call {@linkcode lockOrgForLimits} first, count in the same
 * transaction, and pass the count as `used`.
 *
 * @param tx the transaction that will add the row
 * @param orgId the organization
 * @param limit which limit
 * @param used the current count, for limits the database does not count itself
 */
export async function checkPlanLimit(
  tx: Tx,
  orgId: string,
  limit: PlanLimit,
  used?: number,
): Promise<void> {
  await tx`select private.check_plan_limit(${orgId}, ${limit}, ${used ?? null})`;
}

/**
 * Locks the organization row until the transaction ends, so a count taken
 * after it cannot be overtaken by a concurrent add (see {@linkcode checkPlanLimit}).
 *
 * @param tx the transaction
 * @param orgId the organization
 */
export async function lockOrgForLimits(tx: Tx, orgId: string): Promise<void> {
  await tx`select private.lock_org_for_limits(${orgId})`;
}
