import type { ComponentChildren, JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Loader } from "../../components/loader.tsx";
import { Modal } from "../../components/modal.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { AnalysisApi, RunFramework } from "./analysis_api.ts";
import { SeverityBadge, StatusBadge } from "./ui.tsx";

type Requirement = RunFramework["requirements"][number];

/** Which requirements the list shows. */
type Show = "all" | "checked" | "not_covered" | "manual";

const SHOW_LABELS: Record<Show, string> = {
  all: "All requirements",
  checked: "With checks",
  not_covered: "Not covered",
  manual: "Manual",
};

function shown(r: Requirement, show: Show): boolean {
  if (show === "all") return true;
  if (show === "checked") return r.coverage === "covered" || r.coverage === "partial";
  return r.coverage === show;
}

/** A requirement's verdict; requirements without checks say so instead of a verdict. */
function RequirementBadge({ r }: { r: Requirement }): JSX.Element {
  if (r.status === "MANUAL") return <Badge tone="neutral">Manual</Badge>;
  if (r.status === "NOT_COVERED") return <Badge tone="warning">Not covered</Badge>;
  return <StatusBadge status={r.status} />;
}

function RequirementNote({ r }: { r: Requirement }): JSX.Element {
  if (r.status === "MANUAL") {
    return <>No check: the evidence lies outside ServiceNow and is gathered by hand.</>;
  }
  if (r.status === "NOT_COVERED") {
    return <>No check yet, although ServiceNow data could evidence it. Not counted as passing.</>;
  }
  return (
    <>
      {r.coverage === "partial" && "Partially automated · "}
      {r.passed} passing · {r.failed} failing · {r.not_evaluated} not evaluated
      {r.muted > 0 && ` · ${r.muted} muted`}
    </>
  );
}

/** A framework in a run, requirement by requirement, with the checks behind each. */
export function FrameworkModal(
  props: {
    api: AnalysisApi;
    runId: string;
    frameworkId: string | null;
    onClose: () => void;
    onShowFindings: (frameworkId: string) => void;
    /** An "Export" action for the framework shown (analysts and above). */
    exportAction?: (framework: { id: string; name: string }) => ComponentChildren;
  },
): JSX.Element {
  const [data, setData] = useState<RunFramework | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [show, setShow] = useState<Show>("all");
  useEffect(() => {
    setData(null);
    setError(null);
    if (props.frameworkId) {
      props.api.runFramework(props.runId, props.frameworkId).then(
        setData,
        (e) => setError(errorMessage(e)),
      );
    }
  }, [props.frameworkId, props.runId]);
  const counts = data
    ? {
      pass: data.requirements.filter((r) => r.status === "PASS").length,
      fail: data.requirements.filter((r) => r.status === "FAIL").length,
    }
    : null;
  return (
    <Modal
      open={props.frameworkId !== null}
      onClose={props.onClose}
      size="lg"
      title={data ? `${data.name}` : "Framework"}
      description={data && counts
        ? `Score ${
          data.score ?? "—"
        } (checked requirements only) · ${counts.pass} of ${data.requirements.length} requirements met, ${counts.fail} failing · ${
          data.coverage.covered + data.coverage.partial
        } with checks, ${data.coverage.not_covered} not covered, ${data.coverage.manual} manual`
        : undefined}
      footer={
        <>
          <Button variant="ghost" onClick={props.onClose}>Close</Button>
          {props.frameworkId && (
            <Button onClick={() => props.onShowFindings(props.frameworkId!)}>
              Show its findings
            </Button>
          )}
        </>
      }
    >
      {error && <Alert tone="error">{error}</Alert>}
      {!data && !error && <Loader label="Loading the requirements" />}
      {data && props.exportAction && (
        <div class="mb-3 flex justify-end">
          {props.exportAction({ id: data.id, name: data.name })}
        </div>
      )}
      {data && (
        <Select
          label="Show requirements"
          size="sm"
          class="mb-3 w-64"
          value={show}
          options={(Object.keys(SHOW_LABELS) as Show[]).map((k) => ({
            value: k,
            label: `${SHOW_LABELS[k]} (${data.requirements.filter((r) => shown(r, k)).length})`,
          }))}
          onValue={setShow}
        />
      )}
      {data && (
        <ul
          class="max-h-[60vh] space-y-3 overflow-y-auto pr-1 text-sm"
          aria-label="Requirements"
          tabIndex={0}
        >
          {data.requirements.filter((r) => shown(r, show)).map((r) => (
            <li key={r.id} class="rounded-md border border-line p-3">
              <div class="flex flex-wrap items-center justify-between gap-2">
                <p class="font-medium">
                  <span class="mr-1.5 font-mono text-xs text-fg-muted">{r.id}</span>
                  {r.name}
                </p>
                <RequirementBadge r={r} />
              </div>
              <p class="mt-0.5 text-xs text-fg-muted">
                <RequirementNote r={r} />
              </p>
              {r.failed > 0 && (
                <ul class="mt-2 space-y-1 text-xs">
                  {r.checks.filter((c) => c.effective === "FAIL").slice(0, 5).map((c) => (
                    <li key={c.check_id} class="flex items-center gap-2">
                      <SeverityBadge severity={c.severity} />
                      <span>{c.title}</span>
                      <span class="ml-auto tabular-nums text-fg-muted">{c.failed}</span>
                    </li>
                  ))}
                  {r.failed > 5 && (
                    <li class="text-fg-muted">and {r.failed - 5} more failing checks</li>
                  )}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </Modal>
  );
}
