import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { Chart } from "../../components/chart.tsx";
import { ProgressBar } from "../../components/progress_bar.tsx";
import { Select } from "../../components/select.tsx";
import { type Column, Table } from "../../components/table.tsx";
import { formatDate } from "../../lib/format.ts";
import {
  type BillingOverview,
  type Invoice,
  LIMIT_LABELS,
  limitText,
  METRIC_LABELS,
  money,
  type UsageSeries,
} from "./billing_model.ts";

type Plan = BillingOverview["plans"][number];

/** Each limit of the plan against current usage. */
export function LimitsCard({ billing }: { billing: BillingOverview }): JSX.Element {
  return (
    <Card title="Limits" description={`What the ${billing.plan.display_name} plan allows`}>
      <ul class="space-y-4" aria-label="Plan limits">
        {billing.limits.map((l) => {
          const full = l.allowed !== null && l.used !== null && l.used >= l.allowed;
          const used = l.used === null ? "—" : l.used.toLocaleString();
          return (
            <li key={l.limit} data-limit={l.limit}>
              <ProgressBar
                label={LIMIT_LABELS[l.limit]}
                value={l.allowed === null ? 0 : (l.used ?? 0)}
                max={Math.max(1, l.allowed ?? 1)}
                valueText={`${used} of ${limitText(l.allowed)}`}
                tone={full ? "danger" : "brand"}
              />
            </li>
          );
        })}
      </ul>
    </Card>
  );
}

/** Daily usage of one metric at a time, over the last 30 days. */
export function UsageCard({ usage }: { usage: UsageSeries[] }): JSX.Element {
  const [metric, setMetric] = useState<UsageSeries["metric"]>("api_calls");
  const series = usage.find((s) => s.metric === metric) ?? usage[0];
  return (
    <Card
      title="Usage"
      description="Counted per day (UTC) for this organization"
      actions={
        <Select
          label="Metric"
          hideLabel
          size="sm"
          value={metric}
          options={usage.map((s) => ({
            value: s.metric,
            label: `${METRIC_LABELS[s.metric]} (${s.total.toLocaleString()})`,
          }))}
          onValue={setMetric}
        />
      }
    >
      {series && (
        <Chart
          type="bar"
          title={`${METRIC_LABELS[series.metric]} per day`}
          labels={series.days.map((d) => d.day.slice(5))}
          series={[{ label: METRIC_LABELS[series.metric], data: series.days.map((d) => d.value) }]}
          height={220}
        />
      )}
    </Card>
  );
}

/** The plans side by side, with the way to switch. */
export function PlansCard(
  props: {
    billing: BillingOverview;
    canManage: boolean;
    busyPlan: string | null;
    onChoose: (plan: Plan["plan"]) => void;
  },
): JSX.Element {
  const current = props.billing.plan;
  const live = props.billing.subscription_status === "active" && current.plan !== "trial";
  return (
    <Card title="Plans" description="Prices per month; changes are prorated">
      <ul class="grid gap-3 sm:grid-cols-2 xl:grid-cols-4" aria-label="Plans">
        {props.billing.plans.filter((p) => p.purchasable || p.plan === current.plan).map((p) => (
          <li key={p.plan} class="flex flex-col gap-2 rounded-lg border border-line p-4">
            <div class="flex items-center justify-between gap-2">
              <h3 class="font-semibold text-fg">{p.display_name}</h3>
              {p.plan === current.plan && <Badge tone="brand">Current</Badge>}
            </div>
            <p class="text-lg font-semibold text-fg">
              {p.price_monthly_cents ? money(p.price_monthly_cents) : "Free"}
            </p>
            <ul class="space-y-1 text-xs text-fg-muted">
              <li>{limitText(p.limits.instances)} instances</li>
              <li>{limitText(p.limits.members)} members</li>
              <li>{limitText(p.limits.analysis_runs_per_month)} runs a month</li>
              <li>{p.retention_days.toLocaleString()} days of history</li>
              {p.features.evidence_packs && <li>Evidence packs</li>}
              {p.features.embeds && <li>Widget embeds</li>}
            </ul>
            {p.purchasable && (p.plan !== current.plan || !live) && props.canManage && (
              <Button
                class="mt-auto"
                size="sm"
                variant={p.rank > current.rank ? "primary" : "secondary"}
                loading={props.busyPlan === p.plan}
                onClick={() => props.onChoose(p.plan)}
              >
                {p.rank > current.rank
                  ? `Upgrade to ${p.display_name}`
                  : `Switch to ${p.display_name}`}
              </Button>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}

const INVOICE_COLUMNS: Column<Invoice>[] = [
  { id: "number", primary: true, header: "Invoice", cell: (i) => i.number ?? i.id },
  { id: "created", header: "Date", cell: (i) => formatDate(i.created) },
  { id: "amount", header: "Amount", align: "right", cell: (i) => money(i.amount_due, i.currency) },
  { id: "status", header: "Status", cell: (i) => i.status ?? "—" },
  {
    id: "link",
    header: "Link",
    hideHeader: true,
    cell: (i) =>
      i.hosted_invoice_url
        ? <a class="text-accent-text underline" href={i.hosted_invoice_url}>View</a>
        : null,
  },
];

/** The latest invoices. */
export function InvoicesCard({ invoices }: { invoices: Invoice[] | null }): JSX.Element {
  return (
    <Card title="Invoices" flush>
      <Table
        stackOnPhone
        caption="Invoices"
        columns={INVOICE_COLUMNS}
        rows={invoices ?? []}
        rowKey={(i) => i.id}
        loading={invoices === null}
        empty={{
          title: "No invoices yet",
          description: "Invoices appear after the first payment.",
        }}
      />
    </Card>
  );
}
