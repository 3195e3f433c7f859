import type { JSX } from "preact";
import { Input } from "../../components/input.tsx";
import { Select } from "../../components/select.tsx";
import type { Framework, InstanceSummary, RunItem } from "../analysis/analysis_api.ts";
import { type Draft, FORMATS, SECTIONS, type Severity } from "./builder_state.ts";

const SEVERITIES: ReadonlyArray<{ id: Severity; label: string }> = [
  { id: "critical", label: "Critical" },
  { id: "high", label: "High" },
  { id: "medium", label: "Medium" },
  { id: "low", label: "Low" },
  { id: "informational", label: "Informational" },
];

const toggle = <T,>(list: readonly T[], item: T, on: boolean): T[] =>
  on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);

function Check(
  props: { label: string; hint?: string; checked: boolean; onChange: (on: boolean) => void },
): JSX.Element {
  return (
    <label class="flex items-start gap-2 text-sm">
      <input
        type="checkbox"
        class="mt-0.5 size-4 shrink-0"
        checked={props.checked}
        onChange={(e) => props.onChange((e.target as HTMLInputElement).checked)}
      />
      <span class="min-w-0">
        <span class="font-medium text-fg">{props.label}</span>
        {props.hint && <span class="block text-xs text-fg-muted">{props.hint}</span>}
      </span>
    </label>
  );
}

/** Props of the builder's field groups. */
export interface FieldsProps {
  draft: Draft;
  onChange: (patch: Partial<Draft>) => void;
}

/** What the report covers: name, title, instance, run, framework and findings filters. */
export function ScopeFields(
  props: FieldsProps & {
    instances: readonly InstanceSummary[];
    runs: readonly RunItem[];
    frameworks: readonly Framework[];
  },
): JSX.Element {
  const { draft, onChange } = props;
  return (
    <fieldset class="grid min-w-0 gap-3 sm:grid-cols-2">
      <legend class="mb-2 text-sm font-semibold text-fg">Scope</legend>
      <Input
        label="Report name"
        value={draft.name}
        onValue={(name) => onChange({ name })}
        maxLength={120}
        hint="To save it and find it again"
      />
      <Input
        label="Title on the document"
        value={draft.title}
        onValue={(title) => onChange({ title })}
        maxLength={120}
      />
      <Select
        label="Instance"
        value={draft.instanceId}
        options={props.instances.map((i) => ({ value: i.id, label: i.name }))}
        onValue={(instanceId) => onChange({ instanceId, runId: "" })}
      />
      <Select
        label="Analysis run"
        value={draft.runId}
        options={[
          { value: "", label: "Latest when generated" },
          ...props.runs.filter((r) => r.status === "succeeded").map((r) => ({
            value: r.id,
            label: `Run of ${new Date(r.evaluated_at).toLocaleString()}`,
          })),
        ]}
        onValue={(runId) => onChange({ runId })}
      />
      <Select
        label="Framework"
        value={draft.framework}
        options={[
          { value: "", label: "All frameworks" },
          ...props.frameworks.map((f) => ({ value: f.id, label: f.name })),
        ]}
        onValue={(framework) => onChange({ framework })}
      />
      <Select
        label="Finding status"
        value={draft.status}
        options={[
          { value: "", label: "Any status" },
          { value: "FAIL", label: "Failing" },
          { value: "PASS", label: "Resolved in the run" },
          { value: "NOT_EVALUATED", label: "Not re-evaluated" },
        ]}
        onValue={(status) => onChange({ status })}
      />
      <Input
        label="Findings matching"
        type="search"
        value={draft.q}
        onValue={(q) => onChange({ q })}
        placeholder="User name, sys_id, value…"
        optional
      />
      <fieldset class="min-w-0">
        <legend class="text-sm font-medium text-fg">Severities</legend>
        <p class="text-xs text-fg-muted">None chosen: every severity.</p>
        <div class="mt-1 flex flex-wrap gap-x-4 gap-y-1">
          {SEVERITIES.map((s) => (
            <Check
              key={s.id}
              label={s.label}
              checked={draft.severity.includes(s.id)}
              onChange={(on) => onChange({ severity: toggle(draft.severity, s.id, on) })}
            />
          ))}
        </div>
      </fieldset>
    </fieldset>
  );
}

/** What the report contains and the file it becomes. */
export function ContentFields(props: FieldsProps): JSX.Element {
  const { draft, onChange } = props;
  return (
    <div class="grid min-w-0 gap-4 sm:grid-cols-2">
      <fieldset class="min-w-0 space-y-2">
        <legend class="mb-2 text-sm font-semibold text-fg">Sections</legend>
        {SECTIONS.map((s) => (
          <Check
            key={s.id}
            label={s.title}
            hint={s.hint}
            checked={draft.sections.includes(s.id)}
            onChange={(on) => onChange({ sections: toggle(draft.sections, s.id, on) })}
          />
        ))}
      </fieldset>
      <fieldset class="min-w-0 space-y-2">
        <legend class="mb-2 text-sm font-semibold text-fg">Format</legend>
        {FORMATS.map((f) => (
          <label key={f.id} class="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name="report-format"
              class="mt-0.5 size-4 shrink-0"
              checked={draft.format === f.id}
              onChange={() => onChange({ format: f.id })}
            />
            <span class="min-w-0">
              <span class="font-medium text-fg">{f.label}</span>
              <span class="block text-xs text-fg-muted">{f.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
    </div>
  );
}
