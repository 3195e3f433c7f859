import type { JSX } from "preact";
import { Select } from "../../components/select.tsx";
import type { Framework, InstanceSummary, RunDetail, RunItem } from "./analysis_api.ts";
import { formatDateTime } from "./ui.tsx";

/** What a run evaluated, in words: "all checks", "SOX IT General Controls", "12 checks". */
export function scopeText(run: RunItem, frameworks: readonly Framework[]): string {
  if (run.scope.type === "all") return "all checks";
  if (run.scope.type === "framework") {
    const id = run.scope.framework;
    return frameworks.find((f) => f.id === id)?.name ?? id;
  }
  return `${run.checks_total} checks`;
}

/** The instance and the run shown, and what the run was made with. */
export function RunBar(
  props: {
    instances: readonly InstanceSummary[];
    instanceId: string | null;
    runs: readonly RunItem[];
    run: RunDetail | null;
    frameworks: readonly Framework[];
    onInstance: (id: string) => void;
    onRun: (id: string) => void;
  },
): JSX.Element {
  const { run } = props;
  const succeeded = props.runs.filter((r) => r.status === "succeeded");
  return (
    <div class="flex flex-wrap items-end gap-4">
      <Select
        label="Instance"
        value={props.instanceId ?? ""}
        options={props.instances.map((i) => ({ value: i.id, label: i.name }))}
        onValue={props.onInstance}
        class="w-full sm:w-72"
      />
      {succeeded.length > 0 && (
        <Select
          label="Run"
          value={run?.id ?? ""}
          options={succeeded.map((r) => ({
            value: r.id,
            label: `${formatDateTime(r.created_at)} · ${scopeText(r, props.frameworks)}`,
          }))}
          onValue={props.onRun}
          class="w-full sm:w-80"
        />
      )}
      {run && (
        <p class="pb-2 text-xs text-fg-muted">
          Evaluated {formatDateTime(run.evaluated_at)} · catalog {run.catalog_version}
          {Object.keys(run.parameters).length > 0 &&
            ` · ${Object.keys(run.parameters).length} checks with custom parameters`}
        </p>
      )}
    </div>
  );
}
