import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { BookOpen, SlidersHorizontal } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Input } from "../../components/input.tsx";
import { Select } from "../../components/select.tsx";
import { type Column, Table } from "../../components/table.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { AnalysisApi, CatalogCheck } from "./analysis_api.ts";
import { CheckSettingsModal } from "./check_settings_modal.tsx";
import { AREA_TITLES } from "./summary_panel.tsx";
import { SeverityBadge } from "./ui.tsx";

/** Props of {@linkcode CatalogPanel}. */
export interface CatalogPanelProps {
  api: AnalysisApi;
  orgId: string;
  /** Admins and owners change check settings; everyone else reads them. */
  canEdit: boolean;
  onChanged: (message: string) => void;
}

const FAMILY_LABELS: Record<CatalogCheck["family"], string> = {
  hardening: "Hardening setting",
  behavioural: "Behavioural",
  custom: "Custom",
};

/**
 * Every check the organization's runs can evaluate, with its state (enabled,
 * customized) and the settings dialog for built-in checks.
 */
export function CatalogPanel(props: CatalogPanelProps): JSX.Element {
  const [checks, setChecks] = useState<CatalogCheck[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [area, setArea] = useState("");
  const [state, setState] = useState("");
  const [open, setOpen] = useState<string | null>(null);

  useEffect(() => {
    setChecks(null);
    setError(null);
    props.api.catalog(props.orgId).then(setChecks, (cause) => setError(errorMessage(cause)));
  }, [props.orgId]);

  const areas = useMemo(
    () => [...new Set((checks ?? []).map((c) => c.area))].sort(),
    [checks],
  );
  const rows = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return (checks ?? []).filter((c) =>
      (!area || c.area === area) &&
      (!state || (state === "disabled" ? !c.enabled : state === "customized" && c.customized)) &&
      words.every((w) => `${c.id} ${c.title}`.toLowerCase().includes(w))
    );
  }, [checks, query, area, state]);
  const disabled = (checks ?? []).filter((c) => !c.enabled).length;
  const customized = (checks ?? []).filter((c) => c.customized).length;

  const columns: Column<CatalogCheck>[] = [
    {
      id: "check",
      primary: true,
      header: "Check",
      sortValue: (c) => c.title,
      cell: (c) => (
        <div class="min-w-0 max-w-xl">
          <p class="font-medium text-fg">{c.title}</p>
          <p class="text-xs text-fg-muted">
            {c.id} · {AREA_TITLES[c.area] ?? c.area_title}
          </p>
        </div>
      ),
    },
    { id: "severity", header: "Severity", cell: (c) => <SeverityBadge severity={c.severity} /> },
    { id: "family", header: "Kind", cell: (c) => FAMILY_LABELS[c.family] },
    {
      id: "frameworks",
      header: "Frameworks",
      align: "right",
      sortValue: frameworkCount,
      cell: (c) => <span class="tabular-nums">{frameworkCount(c)}</span>,
    },
    {
      id: "state",
      header: "State",
      sortValue: (c) => (c.enabled ? 0 : 2) + (c.customized ? 1 : 0),
      cell: (c) => (
        <span class="flex flex-wrap gap-1">
          {c.enabled
            ? <Badge tone="success">Enabled</Badge>
            : <Badge tone="warning">Disabled</Badge>}
          {c.customized && <Badge tone="info">Customized</Badge>}
        </span>
      ),
    },
    {
      id: "actions",
      header: "Actions",
      hideHeader: true,
      align: "right",
      cell: (c) =>
        c.family === "custom"
          ? <span class="text-xs text-fg-muted">Edit under Custom checks</span>
          : (
            <Button
              variant="ghost"
              size="sm"
              icon={SlidersHorizontal}
              onClick={() => setOpen(c.id)}
              aria-label={`${props.canEdit ? "Settings of" : "Parameters of"} ${c.title}`}
            >
              {props.canEdit ? "Settings" : "Parameters"}
            </Button>
          ),
    },
  ];

  return (
    <div class="space-y-4">
      <p class="max-w-3xl text-sm text-fg-muted">
        {checks
          ? `${checks.length} checks, ${disabled} disabled, ${customized} with their own parameters. `
          : ""}
        Disable a check your organization does not need, or tune its parameters (the days after
        which an account is dormant, the roles that count as privileged, your segregation-of-duties
        rules). Changes apply from the next run.
      </p>
      {error && <Alert tone="error">{error}</Alert>}
      <div class="grid gap-3 sm:grid-cols-3">
        <Input label="Search the catalog" type="search" value={query} onValue={setQuery} />
        <Select
          label="Area"
          value={area}
          options={[
            { value: "", label: "Every area" },
            ...areas.map((a) => ({ value: a, label: AREA_TITLES[a] ?? a })),
          ]}
          onValue={setArea}
        />
        <Select
          label="State"
          value={state}
          options={[
            { value: "", label: "Every check" },
            { value: "disabled", label: "Disabled" },
            { value: "customized", label: "Customized" },
          ]}
          onValue={setState}
        />
      </div>
      <div class="rounded-lg border border-line bg-surface">
        <Table
          stackOnPhone
          caption="Check catalog"
          columns={columns}
          rows={rows}
          rowKey={(c) => c.id}
          loading={checks === null && !error}
          pageSize={50}
          empty={{
            icon: BookOpen,
            title: "No check matches",
            description: "Change the search or the filters.",
          }}
        />
      </div>
      <CheckSettingsModal
        api={props.api}
        orgId={props.orgId}
        checkId={open}
        canEdit={props.canEdit}
        onClose={() => setOpen(null)}
        onSaved={(saved, message) => {
          setChecks((prev) =>
            prev?.map((c) =>
              c.id === saved.id ? { ...c, enabled: saved.enabled, customized: saved.customized } : c
            ) ?? prev
          );
          props.onChanged(message);
        }}
      />
    </div>
  );
}

/** How many frameworks a check counts towards (it may map to several requirements of one). */
function frameworkCount(check: CatalogCheck): number {
  return new Set(check.frameworks.map((f) => f.framework)).size;
}
