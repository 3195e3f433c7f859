import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { CreditCard } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { Skeleton } from "../../components/loader.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { formatDate } from "../../lib/format.ts";
import { typedClient } from "../../lib/typed_client.ts";
import { useApp } from "../../app/services.ts";
import { can } from "../../../shared/permissions/mod.ts";
import { BILLING_CHANGED } from "./billing_banner.tsx";
import type { BillingOverview, Invoice, UsageSeries } from "./billing_model.ts";
import { InvoicesCard, LimitsCard, PlansCard, UsageCard } from "./billing_sections.tsx";

const STATUS_LABELS: Record<BillingOverview["subscription_status"], string> = {
  active: "Active",
  suspended: "Suspended",
  cancelled: "Cancelled",
};

function statusLabel(billing: BillingOverview): string {
  if (billing.read_only_reason) return "Read-only";
  if (billing.past_due_since) return "Past due";
  return STATUS_LABELS[billing.subscription_status];
}

function statusTone(billing: BillingOverview): "danger" | "warning" | "success" {
  if (billing.read_only_reason) return "danger";
  return billing.past_due_since ? "warning" : "success";
}

/** `/app/billing`: plan, limits against usage, usage history, plans, portal and invoices. */
export function BillingPage(): JSX.Element {
  const { api, orgs, toasts } = useApp();
  const current = orgs.current.value!;
  const call = typedClient(api);
  const canManage = can(current.role, "billing.manage");
  const [billing, setBilling] = useState<BillingOverview | null>(null);
  const [usage, setUsage] = useState<UsageSeries[] | null>(null);
  const [invoices, setInvoices] = useState<Invoice[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const returned = new URLSearchParams(globalThis.location?.search ?? "").get("checkout");

  async function load(): Promise<void> {
    setLoadError(null);
    const params = { orgId: current.id };
    try {
      const [overview, history] = await Promise.all([
        call("GET /billing/:orgId", { params }),
        call("GET /billing/:orgId/usage", { params, query: { days: 30 } }),
      ]);
      setBilling(overview.data);
      setUsage(history.data);
      globalThis.dispatchEvent(new Event(BILLING_CHANGED));
      if (canManage) setInvoices((await call("GET /billing/:orgId/invoices", { params })).data);
    } catch (cause) {
      setLoadError(errorMessage(cause));
    }
  }
  useEffect(() => void load(), [current.id]);

  async function choose(plan: BillingOverview["plan"]["plan"]): Promise<void> {
    if (plan === "trial") return;
    setBusy(plan);
    try {
      const res = await call("POST /billing/:orgId/checkout", {
        params: { orgId: current.id },
        body: { plan },
      });
      if (res.data.url) {
        globalThis.location.assign(res.data.url);
        return;
      }
      toasts.success(
        "Plan changed",
        "The new limits apply as soon as the payment provider confirms.",
      );
      await load();
    } catch (cause) {
      toasts.error("The plan was not changed", errorMessage(cause));
    }
    setBusy(null);
  }

  async function openPortal(): Promise<void> {
    setBusy("portal");
    try {
      const res = await call("POST /billing/:orgId/portal", { params: { orgId: current.id } });
      globalThis.location.assign(res.data.url);
    } catch (cause) {
      toasts.error("Cannot open the billing portal", errorMessage(cause));
      setBusy(null);
    }
  }

  const header = (
    <PageHeader
      title="Billing"
      description="Your plan, what it allows, what you use, and your invoices."
      actions={canManage && billing?.has_billing_account && (
        <Button
          variant="secondary"
          icon={CreditCard}
          loading={busy === "portal"}
          onClick={openPortal}
        >
          Payment methods and invoices
        </Button>
      )}
    />
  );
  if (loadError) {
    return (
      <>
        {header}
        <Alert tone="error" title="Billing could not be loaded">
          {loadError} <Button size="sm" variant="secondary" onClick={load}>Try again</Button>
        </Alert>
      </>
    );
  }
  if (!billing || !usage) {
    return (
      <>
        {header}
        <Skeleton class="h-40" />
      </>
    );
  }
  return (
    <>
      {header}
      <div class="space-y-6">
        {returned === "success" && (
          <Alert tone="success" title="Thank you">
            Your payment went through. The new plan's limits apply below.
          </Alert>
        )}
        {returned === "cancelled" && (
          <Alert tone="info" title="Checkout cancelled">Nothing was charged.</Alert>
        )}
        <Card title="Current plan">
          <div class="flex flex-wrap items-center gap-3" data-testid="current-plan">
            <span class="text-xl font-semibold text-fg">{billing.plan.display_name}</span>
            <Badge tone={statusTone(billing)}>{statusLabel(billing)}</Badge>
            {billing.trial_ends_at && (
              <span class="text-sm text-fg-muted">
                Trial until {formatDate(billing.trial_ends_at)}
              </span>
            )}
          </div>
        </Card>
        <div class="grid gap-6 *:min-w-0 lg:grid-cols-2">
          <LimitsCard billing={billing} />
          <UsageCard usage={usage} />
        </div>
        <PlansCard billing={billing} canManage={canManage} busyPlan={busy} onChoose={choose} />
        {canManage && <InvoicesCard invoices={invoices} />}
      </div>
    </>
  );
}
