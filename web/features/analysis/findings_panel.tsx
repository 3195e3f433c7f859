import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { RefreshCw, SearchX } from "lucide";
import { Button } from "../../components/button.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { Input } from "../../components/input.tsx";
import { Select } from "../../components/select.tsx";
import { type Column, Table } from "../../components/table.tsx";
import {
  type FindingFilters,
  type FindingItem,
  type Framework,
  SEVERITIES,
  TRIAGE_LABELS,
  TRIAGE_STATES,
} from "./analysis_api.ts";
import { AREA_TITLES } from "./summary_panel.tsx";
import {
  DeltaBadge,
  evidenceSummary,
  formatDateTime,
  SEVERITY_LABELS,
  SeverityBadge,
  StatusBadge,
  TriageBadge,
} from "./ui.tsx";

/** Props of {@linkcode FindingsPanel}. */
export interface FindingsPanelProps {
  findings: readonly FindingItem[];
  status: "idle" | "loading" | "ready" | "error";
  error: string | null;
  filters: FindingFilters;
  frameworks: readonly Framework[];
  /** The organization's default framework, marked in the framework filter. */
  defaultFramework?: string | null;
  hasMore: boolean;
  onFilter: (patch: Partial<FindingFilters>) => void;
  onMore: () => void;
  onOpen: (finding: FindingItem) => void;
  onRetry: () => void;
}

const one = <T extends string>(list: readonly T[]): T | "" => (list.length === 1 ? list[0]! : "");

/** The findings of a run: filters, the table and "load more" (keyset pages from the API). */
export function FindingsPanel(props: FindingsPanelProps): JSX.Element {
  const f = props.filters;
  const [search, setSearch] = useState(f.q);
  useEffect(() => setSearch(f.q), [f.q]);
  useEffect(() => {
    if (search === f.q) return;
    const timer = setTimeout(() => props.onFilter({ q: search }), 300);
    return () => clearTimeout(timer);
  }, [search]);

  const columns: Column<FindingItem>[] = [
    {
      id: "severity",
      header: "Severity",
      cell: (row) => <SeverityBadge severity={row.severity} />,
    },
    {
      id: "finding",
      header: "Finding",
      cell: (row) => (
        <div class="min-w-0 max-w-xl">
          <button
            type="button"
            class="text-left font-medium text-fg hover:text-accent-text hover:underline"
            onClick={() => props.onOpen(row)}
          >
            {row.check_title}
          </button>
          <p class="truncate text-xs text-fg-muted" title={evidenceSummary(row.evidence)}>
            {row.table_name} · {evidenceSummary(row.evidence) || row.resource_key}
          </p>
        </div>
      ),
    },
    {
      id: "status",
      header: "Status",
      cell: (row) => (
        <div class="flex flex-wrap gap-1">
          <StatusBadge status={row.muted && row.status === "FAIL" ? "MUTED" : row.status} />
          <DeltaBadge delta={row.delta} />
        </div>
      ),
    },
    { id: "triage", header: "Triage", cell: (row) => <TriageBadge state={row.triage_state} /> },
    {
      id: "first_seen",
      header: "First seen",
      cell: (row) => (
        <span class="whitespace-nowrap text-fg-muted">{formatDateTime(row.first_seen_at)}</span>
      ),
    },
  ];

  return (
    <div class="space-y-4">
      <div
        class="grid gap-3 sm:grid-cols-3 lg:grid-cols-5"
        role="search"
        aria-label="Filter findings"
      >
        <Input
          label="Search"
          type="search"
          placeholder="User name, sys_id, value…"
          value={search}
          onValue={setSearch}
        />
        <Select
          label="Severity"
          value={one(f.severity)}
          options={[
            { value: "", label: "All severities" },
            ...SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] })),
          ]}
          onValue={(v) => props.onFilter({ severity: v ? [v] : [] })}
        />
        <Select
          label="Status"
          value={one(f.status)}
          options={[
            { value: "", label: "Any status" },
            { value: "FAIL", label: "Failing" },
            { value: "PASS", label: "Resolved in this run" },
            { value: "NOT_EVALUATED", label: "Not re-evaluated" },
          ]}
          onValue={(v) => props.onFilter({ status: v ? [v] : [] })}
        />
        <Select
          label="Change"
          value={one(f.delta)}
          options={[
            { value: "", label: "Any change" },
            { value: "new", label: "New" },
            { value: "reopened", label: "Reopened" },
            { value: "unchanged", label: "Unchanged" },
            { value: "resolved", label: "Resolved" },
          ]}
          onValue={(v) => props.onFilter({ delta: v ? [v] : [] })}
        />
        <Select
          label="Sort by"
          value={f.sort}
          options={[
            { value: "severity", label: "Severity" },
            { value: "check", label: "Check" },
            { value: "resource", label: "Resource" },
            { value: "first_seen", label: "First seen (newest)" },
            { value: "last_seen", label: "Last seen (newest)" },
          ]}
          onValue={(v) => props.onFilter({ sort: v })}
        />
        <Select
          label="Area"
          value={one(f.area)}
          options={[
            { value: "", label: "All areas" },
            ...Object.entries(AREA_TITLES).map(([value, label]) => ({ value, label })),
          ]}
          onValue={(v) => props.onFilter({ area: v ? [v] : [] })}
        />
        <Select
          label="Framework"
          value={f.framework}
          options={[
            { value: "", label: "All frameworks" },
            ...props.frameworks.map((fw) => ({
              value: fw.id,
              label: fw.id === props.defaultFramework ? `${fw.name} (default)` : fw.name,
            })),
          ]}
          onValue={(v) => props.onFilter({ framework: v })}
        />
        <Select
          label="Triage"
          value={one(f.triage)}
          options={[
            { value: "", label: "Any triage" },
            ...TRIAGE_STATES.map((t) => ({ value: t, label: TRIAGE_LABELS[t] })),
          ]}
          onValue={(v) => props.onFilter({ triage: v ? [v] : [] })}
        />
        <Select
          label="Muted"
          value={f.muted}
          options={[
            { value: "", label: "Muted or not" },
            { value: "false", label: "Not muted" },
            { value: "true", label: "Muted only" },
          ]}
          onValue={(v) => props.onFilter({ muted: v })}
        />
        <Input
          label="Check id"
          placeholder="e.g. identity_account_dormant"
          value={f.check_id}
          onValue={(v) => props.onFilter({ check_id: v.trim() })}
        />
      </div>

      {props.status === "error"
        ? (
          <EmptyState
            tone="error"
            title="We couldn't load the findings"
            description={props.error}
            action={
              <Button icon={RefreshCw} variant="secondary" onClick={props.onRetry}>
                Try again
              </Button>
            }
          />
        )
        : (
          <div class="rounded-lg border border-line bg-surface">
            <Table
              caption="Findings"
              columns={columns}
              rows={props.findings}
              rowKey={(row) => row.id}
              loading={props.status === "loading" && props.findings.length === 0}
              empty={{
                icon: SearchX,
                title: "No findings match",
                description: "Change or clear the filters to see more.",
              }}
            />
            {props.hasMore && (
              <div class="border-t border-line px-4 py-3 text-center">
                <Button
                  variant="secondary"
                  loading={props.status === "loading"}
                  onClick={props.onMore}
                >
                  Load more findings
                </Button>
              </div>
            )}
          </div>
        )}
      <p class="text-xs text-fg-muted" aria-live="polite">
        Showing {props.findings.length} finding{props.findings.length === 1 ? "" : "s"}
        {props.hasMore ? " (more available)" : ""}.
      </p>
    </div>
  );
}
