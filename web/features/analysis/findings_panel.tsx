import type { ComponentChildren, JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { RefreshCw, SearchX } from "lucide";
import { Button } from "../../components/button.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { Input } from "../../components/input.tsx";
import { Select } from "../../components/select.tsx";
import { type Column, Table } from "../../components/table.tsx";
import type { Member } from "../../lib/api_types.ts";
import { PHONE_QUERY, useMediaQuery } from "../../lib/media.ts";
import {
  type FindingFilters,
  type FindingGroups,
  type FindingItem,
  type Framework,
  SEVERITIES,
  TRIAGE_LABELS,
  TRIAGE_STATES,
  type TriageState,
} from "./analysis_api.ts";
import { BulkActions, type BulkMute } from "./bulk_actions.tsx";
import { FindingCards, RecordLink, resourceText, shownStatus } from "./finding_cards.tsx";
import { FindingGroupsList } from "./finding_groups.tsx";
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
  /** The findings by check (the other filters applied), with the total. */
  groups: FindingGroups | null;
  /** Analysts and above select findings to triage or mute them at once. */
  canAct: boolean;
  members: readonly Member[];
  currentUserId: string;
  onBulkTriage: (ids: string[], state: TriageState) => Promise<void>;
  onBulkMute: (ids: string[], mute: BulkMute) => Promise<void>;
  onFilter: (patch: Partial<FindingFilters>) => void;
  onMore: () => void;
  onOpen: (finding: FindingItem) => void;
  onRetry: () => void;
  /** An "Export" action for what the filters show (analysts and above). */
  exportAction?: ComponentChildren;
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

  const phone = useMediaQuery(PHONE_QUERY);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // A new list (other filters, another run) starts with nothing selected.
  useEffect(() => {
    setSelected((prev) => {
      const shown = new Set(props.findings.map((x) => x.id));
      const kept = [...prev].filter((id) => shown.has(id));
      return kept.length === prev.size ? prev : new Set(kept);
    });
  }, [props.findings]);
  const toggle = (id: string, on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const columns: Column<FindingItem>[] = [
    ...(props.canAct
      ? [{
        id: "select",
        header: "Select",
        hideHeader: true,
        cell: (row: FindingItem) => (
          <input
            type="checkbox"
            class="size-4"
            checked={selected.has(row.id)}
            aria-label={`Select ${row.check_title}: ${row.resource_key}`}
            onChange={(event) => toggle(row.id, (event.target as HTMLInputElement).checked)}
          />
        ),
      }]
      : []),
    {
      id: "finding",
      header: "Finding",
      cell: (row) => (
        <div class="min-w-0 max-w-xl space-y-1">
          <div class="flex flex-wrap items-center gap-1">
            <SeverityBadge severity={row.severity} />
            <StatusBadge status={shownStatus(row)} />
            <DeltaBadge delta={row.delta} />
            {row.triage_state !== "open" && <TriageBadge state={row.triage_state} />}
          </div>
          <button
            type="button"
            class="text-left font-medium text-fg hover:text-accent-text hover:underline"
            onClick={() => props.onOpen(row)}
          >
            {row.check_title}
          </button>
          <p
            class="break-words text-xs text-fg-muted [overflow-wrap:anywhere]"
            title={evidenceSummary(row.evidence)}
          >
            {resourceText(row)}
          </p>
          <p class="flex flex-wrap items-center gap-x-2 text-xs text-fg-muted">
            <span>First seen {formatDateTime(row.first_seen_at)}</span>
            <RecordLink finding={row} />
          </p>
        </div>
      ),
    },
  ];

  const shownCheck = props.groups?.data.find((g) => g.check_id === f.check_id);
  const total = f.check_id ? shownCheck?.count ?? props.findings.length : props.groups?.total;
  const moreActive = f.delta.length > 0 || f.sort !== "severity" || f.area.length > 0 ||
    f.framework !== "" || f.triage.length > 0;
  // The extra filters open when one is in use (the default framework, a link
  // from the summary) and then stay as the user leaves them.
  const [moreOpen, setMoreOpen] = useState(moreActive);
  useEffect(() => {
    if (moreActive) setMoreOpen(true);
  }, [moreActive]);

  return (
    <div class="grid grid-cols-[minmax(0,1fr)] gap-4 lg:grid-cols-[18rem_minmax(0,1fr)]">
      <FindingGroupsList
        groups={props.groups}
        selected={f.check_id}
        onSelect={(checkId) => props.onFilter({ check_id: checkId })}
      />
      <div class="min-w-0 space-y-4">
        {props.exportAction && <div class="flex justify-end">{props.exportAction}</div>}
        <div role="search" aria-label="Filter findings" class="space-y-3">
          <div class="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
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
              label="Muted"
              value={f.muted}
              options={[
                { value: "", label: "Muted or not" },
                { value: "false", label: "Not muted" },
                { value: "true", label: "Muted only" },
              ]}
              onValue={(v) => props.onFilter({ muted: v })}
            />
          </div>
          <details
            open={moreOpen}
            onToggle={(event) => setMoreOpen((event.currentTarget as HTMLDetailsElement).open)}
          >
            <summary class="cursor-pointer text-sm font-medium text-accent-text hover:underline">
              More filters
            </summary>
            <div class="mt-3 grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
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
            </div>
          </details>
        </div>

        {props.canAct && (
          <BulkActions
            shown={props.findings.length}
            selected={selected.size}
            onSelectAll={(all) =>
              setSelected(all ? new Set(props.findings.map((x) => x.id)) : new Set())}
            onTriage={async (state) => {
              await props.onBulkTriage([...selected], state);
              setSelected(new Set());
            }}
            onMute={async (mute) => {
              await props.onBulkMute([...selected], mute);
              setSelected(new Set());
            }}
            members={props.members}
            currentUserId={props.currentUserId}
          />
        )}

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
              {props.status !== "loading" && props.findings.length === 0
                ? (
                  <EmptyState
                    icon={SearchX}
                    title="No findings match"
                    description="Change or clear the filters to see more."
                  />
                )
                : (
                  // A phone reads stacked cards; wider screens, the table.
                  phone
                    ? (
                      <FindingCards
                        findings={props.findings}
                        loading={props.status === "loading" && props.findings.length === 0}
                        canAct={props.canAct}
                        selected={selected}
                        onToggle={toggle}
                        onOpen={props.onOpen}
                      />
                    )
                    : (
                      <Table
                        caption="Findings"
                        columns={columns}
                        rows={props.findings}
                        rowKey={(row) => row.id}
                        loading={props.status === "loading" && props.findings.length === 0}
                      />
                    )
                )}
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
        <p class="text-xs text-fg-muted" aria-live="polite" data-testid="findings-shown">
          Showing {props.findings.length}
          {total !== undefined ? ` of ${total}` : ""} finding{total === 1 ? "" : "s"}
          {shownCheck ? ` of “${shownCheck.check_title}”` : ""}.
        </p>
      </div>
    </div>
  );
}
