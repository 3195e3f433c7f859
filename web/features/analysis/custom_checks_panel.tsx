import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { FilePlus2, FlaskConical, Pencil, SearchCode, Trash2 } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { ConfirmDialog } from "../../components/confirm_dialog.tsx";
import { Input, Textarea } from "../../components/input.tsx";
import { Modal } from "../../components/modal.tsx";
import { ScrollRegion } from "../../components/scroll_region.tsx";
import { Select } from "../../components/select.tsx";
import { type Column, Table } from "../../components/table.tsx";
import { ApiError, errorMessage } from "../../lib/api_error.ts";
import {
  type AnalysisApi,
  type CustomCheck,
  type CustomCheckInput,
  type Framework,
  type FrameworkDetail,
  type PreviewResult,
  SEVERITIES,
  type Severity,
  type SyncedTable,
} from "./analysis_api.ts";
import { AREA_TITLES } from "./summary_panel.tsx";
import { evidenceText, SEVERITY_LABELS, SeverityBadge } from "./ui.tsx";

/** Props of {@linkcode CustomChecksPanel}. */
export interface CustomChecksPanelProps {
  api: AnalysisApi;
  orgId: string;
  instanceId: string | null;
  canEdit: boolean;
  frameworks: readonly Framework[];
  onChanged: (message: string) => void;
}

const EMPTY: CustomCheckInput = {
  title: "",
  description: "",
  risk: "",
  remediation: "",
  severity: "medium",
  risk_score: 5,
  area: "identity",
  table_name: "sys_user",
  query: "",
  evidence_fields: [],
  frameworks: [],
  enabled: true,
};

/** The organization's custom checks, with the editor and its preview. */
export function CustomChecksPanel(props: CustomChecksPanelProps): JSX.Element {
  const [checks, setChecks] = useState<CustomCheck[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<CustomCheck | "new" | null>(null);
  const [deleting, setDeleting] = useState<CustomCheck | null>(null);

  async function load(): Promise<void> {
    try {
      setChecks(await props.api.customChecks(props.orgId));
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }
  useEffect(() => void load(), [props.orgId]);

  const columns: Column<CustomCheck>[] = [
    { id: "severity", header: "Severity", cell: (c) => <SeverityBadge severity={c.severity} /> },
    {
      id: "check",
      primary: true,
      header: "Check",
      sortValue: (c) => c.title,
      cell: (c) => (
        <div class="min-w-0 max-w-xl">
          <p class="font-medium">{c.title}</p>
          <p class="truncate font-mono text-xs text-fg-muted">
            {c.table_name}: {c.query}
          </p>
          {c.warnings.length > 0 && (
            <p class="text-xs text-amber-800 dark:text-amber-200">{c.warnings[0]}</p>
          )}
        </div>
      ),
    },
    {
      id: "version",
      header: "Version",
      align: "right",
      cell: (c) => <span class="tabular-nums">v{c.version}</span>,
    },
    { id: "enabled", header: "Runs", cell: (c) => (c.enabled ? "Enabled" : "Disabled") },
    {
      id: "actions",
      header: "Actions",
      hideHeader: true,
      align: "right",
      cell: (c) =>
        props.canEdit && (
          <div class="flex justify-end gap-1">
            <Button
              variant="ghost"
              size="sm"
              icon={Pencil}
              onClick={() => setEditing(c)}
              aria-label={`Edit ${c.title}`}
            >
              Edit
            </Button>
            <Button
              variant="ghost"
              size="sm"
              icon={Trash2}
              onClick={() => setDeleting(c)}
              aria-label={`Delete ${c.title}`}
            >
              Delete
            </Button>
          </div>
        ),
    },
  ];

  return (
    <div class="space-y-4">
      <div class="flex flex-wrap items-center justify-between gap-3">
        <p class="max-w-2xl text-sm text-fg-muted">
          Write your own checks as ServiceNow encoded queries over a synced table: every record the
          query matches is a finding. They run with the catalog, count in scores and map to
          frameworks.
        </p>
        {props.canEdit && (
          <Button icon={FilePlus2} onClick={() => setEditing("new")}>New custom check</Button>
        )}
      </div>
      {error && <Alert tone="error">{error}</Alert>}
      <div class="rounded-lg border border-line bg-surface">
        <Table
          stackOnPhone
          caption="Custom checks"
          columns={columns}
          rows={checks ?? []}
          rowKey={(c) => c.id}
          loading={checks === null && !error}
          empty={{
            icon: SearchCode,
            title: "No custom checks yet",
            description: props.canEdit
              ? "Create one from an encoded query and preview it on your data."
              : undefined,
          }}
        />
      </div>
      {editing !== null && (
        <CustomCheckEditor
          api={props.api}
          orgId={props.orgId}
          instanceId={props.instanceId}
          frameworks={props.frameworks}
          check={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={async (saved, created) => {
            setEditing(null);
            await load();
            props.onChanged(
              created
                ? `Custom check "${saved.title}" created`
                : `Custom check saved (version ${saved.version})`,
            );
          }}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete custom check?"
        message={deleting && (
          <>“{deleting.title}” will no longer run. Past runs keep its findings.</>
        )}
        confirmLabel="Delete check"
        onConfirm={async () => {
          if (!deleting) return;
          await props.api.deleteCustomCheck(deleting.id);
          setDeleting(null);
          await load();
          props.onChanged("Custom check deleted");
        }}
        onCancel={() => setDeleting(null)}
      />
    </div>
  );
}

function CustomCheckEditor(
  props: {
    api: AnalysisApi;
    orgId: string;
    instanceId: string | null;
    frameworks: readonly Framework[];
    check: CustomCheck | null;
    onClose: () => void;
    onSaved: (check: CustomCheck, created: boolean) => Promise<void>;
  },
): JSX.Element {
  const [form, setForm] = useState<CustomCheckInput>(props.check ? { ...props.check } : EMPTY);
  const [evidence, setEvidence] = useState((props.check?.evidence_fields ?? []).join(", "));
  const [tables, setTables] = useState<SyncedTable[]>([]);
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [saving, setSaving] = useState(false);
  const [framework, setFramework] = useState("");
  const [requirements, setRequirements] = useState<FrameworkDetail | null>(null);
  const [requirement, setRequirement] = useState("");

  useEffect(() => {
    if (props.instanceId) props.api.tables(props.instanceId).then(setTables, () => setTables([]));
  }, [props.instanceId]);
  useEffect(() => {
    setRequirement("");
    if (framework) {
      props.api.framework(framework).then(setRequirements, () => setRequirements(null));
    } else setRequirements(null);
  }, [framework]);

  const set = <K extends keyof CustomCheckInput>(key: K, value: CustomCheckInput[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (key === "query" || key === "table_name") setPreview(null);
  };
  const fields = () => evidence.split(",").map((f) => f.trim()).filter(Boolean);
  const table = tables.find((t) => t.table_name === form.table_name);

  async function runPreview(): Promise<void> {
    if (!props.instanceId) return;
    setPreviewing(true);
    setProblem(null);
    try {
      setPreview(
        await props.api.preview({
          instance_id: props.instanceId,
          table_name: form.table_name,
          query: form.query,
          evidence_fields: fields(),
        }),
      );
    } catch (cause) {
      setPreview(null);
      setProblem(describe(cause));
    } finally {
      setPreviewing(false);
    }
  }

  async function save(event: Event): Promise<void> {
    event.preventDefault();
    setSaving(true);
    setProblem(null);
    try {
      const input = { ...form, evidence_fields: fields(), risk_score: Number(form.risk_score) };
      const saved = props.check
        ? await props.api.updateCustomCheck(props.check.id, input)
        : await props.api.createCustomCheck(props.orgId, input);
      await props.onSaved(saved, props.check === null);
    } catch (cause) {
      setProblem(describe(cause));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Modal
      open
      size="lg"
      onClose={props.onClose}
      title={props.check ? "Edit custom check" : "New custom check"}
      footer={
        <>
          <Button variant="ghost" onClick={props.onClose}>Cancel</Button>
          <Button type="submit" form="custom-check-form" loading={saving}>
            {props.check ? "Save changes" : "Create check"}
          </Button>
        </>
      }
    >
      <form
        id="custom-check-form"
        class="max-h-[65vh] space-y-3 overflow-y-auto pr-1"
        onSubmit={save}
      >
        <Input
          label="Title"
          required
          value={form.title}
          onValue={(v) => set("title", v)}
          maxLength={150}
        />
        <div class="grid gap-3 sm:grid-cols-2">
          <Select
            label="Table"
            value={form.table_name}
            options={(tables.length ? tables.map((t) => t.table_name) : [form.table_name]).map((
              t,
            ) => ({ value: t, label: t }))}
            onValue={(v) => set("table_name", v)}
          />
          <Select
            label="Area"
            value={form.area}
            options={Object.entries(AREA_TITLES).filter(([a]) => a !== "hardening").map((
              [value, label],
            ) => ({ value, label }))}
            onValue={(v) => set("area", v)}
          />
        </div>
        <Textarea
          label="Encoded query"
          value={form.query}
          onValue={(v) => set("query", v)}
          rows={3}
          spellcheck={false}
          hint={
            <>
              Records that match are findings, e.g.{" "}
              <code>active=true^last_login_time&lt;javascript:gs.daysAgoStart(90)</code>. Dot-walk
              references like <code>user.active=true</code>.
              {table && ` Synced fields: ${
                table.fields.filter((f) => f.synced).map((f) => f.name).join(", ")
              }.`}
            </>
          }
        />
        <Input
          label="Evidence fields"
          optional
          value={evidence}
          onValue={setEvidence}
          hint="Comma-separated, e.g. user_name, email, manager.user_name"
        />
        <div class="flex flex-wrap items-center gap-3">
          <Button
            variant="secondary"
            icon={FlaskConical}
            onClick={runPreview}
            loading={previewing}
            disabled={!form.query.trim() || !props.instanceId}
          >
            Preview on synced data
          </Button>
          {!props.instanceId && (
            <span class="text-xs text-fg-muted">Connect an instance to preview.</span>
          )}
        </div>
        {problem && <Alert tone="error">{problem}</Alert>}
        {preview && <PreviewView preview={preview} />}
        <div class="grid gap-3 sm:grid-cols-2">
          <Select
            label="Severity"
            value={form.severity}
            options={SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] }))}
            onValue={(v) =>
              set("severity", v as Severity)}
          />
          <Input
            label="Risk score (0–10)"
            type="number"
            min={0}
            max={10}
            step={0.1}
            value={form.risk_score}
            onValue={(v) => set("risk_score", Number(v))}
          />
        </div>
        <Textarea
          label="What it checks"
          optional
          value={form.description}
          onValue={(v) => set("description", v)}
          rows={2}
        />
        <Textarea
          label="Why it matters"
          optional
          value={form.risk}
          onValue={(v) => set("risk", v)}
          rows={2}
        />
        <Textarea
          label="Remediation"
          optional
          value={form.remediation}
          onValue={(v) => set("remediation", v)}
          rows={2}
        />
        <fieldset class="space-y-2">
          <legend class="text-sm font-medium">Framework mappings</legend>
          {form.frameworks.length > 0 && (
            <ul class="flex flex-wrap gap-2 text-xs">
              {form.frameworks.map((m, i) => (
                <li
                  key={`${m.framework}-${m.requirement}`}
                  class="flex items-center gap-1 rounded-full border border-line px-2 py-0.5"
                >
                  {props.frameworks.find((f) => f.id === m.framework)?.name ?? m.framework}{" "}
                  {m.requirement}
                  <button
                    type="button"
                    class="text-fg-muted hover:text-fg"
                    aria-label={`Remove ${m.framework} ${m.requirement}`}
                    onClick={() => set("frameworks", form.frameworks.filter((_, j) => j !== i))}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
          <div class="grid items-end gap-2 sm:grid-cols-[1fr_1fr_auto]">
            <Select
              label="Framework"
              value={framework}
              options={[
                { value: "", label: "Choose…" },
                ...props.frameworks.map((f) => ({ value: f.id, label: f.name })),
              ]}
              onValue={setFramework}
            />
            <Select
              label="Requirement"
              value={requirement}
              disabled={!requirements}
              options={[
                { value: "", label: "Choose…" },
                ...(requirements?.requirement_list ?? []).map((r) => ({
                  value: r.id,
                  label: `${r.id} ${r.name}`.slice(0, 80),
                })),
              ]}
              onValue={setRequirement}
            />
            <Button
              variant="secondary"
              disabled={!framework || !requirement}
              onClick={() => {
                set("frameworks", [...form.frameworks, { framework, requirement }]);
                setRequirement("");
              }}
            >
              Add mapping
            </Button>
          </div>
        </fieldset>
        <Select
          label="Runs"
          value={form.enabled ? "true" : "false"}
          options={[{ value: "true", label: "Enabled: runs with the catalog" }, {
            value: "false",
            label: "Disabled",
          }]}
          onValue={(v) => set("enabled", v === "true")}
        />
      </form>
    </Modal>
  );
}

function describe(cause: unknown): string {
  if (cause instanceof ApiError) {
    const detail = (cause.details as { message?: string }[] | undefined)?.[0]?.message;
    return detail && !cause.message.includes(detail) ? `${cause.message} ${detail}` : cause.message;
  }
  return errorMessage(cause);
}

function PreviewView({ preview }: { preview: PreviewResult }): JSX.Element {
  const fields = preview.evidence_fields;
  return (
    <div
      class="space-y-2 rounded-md border border-line bg-surface-muted p-3 text-sm"
      data-testid="preview"
    >
      <p role="status">
        <strong class="tabular-nums">{preview.matches}</strong> of {preview.scanned}{" "}
        records match: the check would report {preview.matches}{" "}
        finding{preview.matches === 1 ? "" : "s"}.
      </p>
      {preview.not_evaluated.map((w) => (
        <Alert key={w} tone="warning">Not evaluated on this instance: {w}</Alert>
      ))}
      {preview.not_applicable.map((w) => (
        <Alert key={w} tone="info">Not applicable on this instance: {w}</Alert>
      ))}
      {preview.absent_fields.length > 0 && (
        <p class="text-xs text-fg-muted">
          Absent on this instance (omitted from every record, not empty):{" "}
          {preview.absent_fields.map((a) => `${a.table}.${a.field}`).join(", ")}
        </p>
      )}
      {preview.warnings.map((w) => (
        <p key={w} class="text-xs text-amber-800 dark:text-amber-200">{w}</p>
      ))}
      {preview.records.length > 0 && (
        <ScrollRegion label="First matching records">
          <table class="w-full text-xs">
            <caption class="sr-only">First matching records</caption>
            <thead>
              <tr>
                <th scope="col" class="py-1 pr-3 text-left">sys_id</th>
                {fields.map((f) => <th key={f} scope="col" class="py-1 pr-3 text-left">{f}</th>)}
              </tr>
            </thead>
            <tbody>
              {preview.records.map((r) => (
                <tr key={r.sys_id} class="border-t border-line">
                  <td class="py-1 pr-3 font-mono">{r.sys_id}</td>
                  {fields.map((f) => (
                    <td key={f} class="py-1 pr-3">{evidenceText(r.evidence[f])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </div>
  );
}
