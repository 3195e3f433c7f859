import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Loader } from "../../components/loader.tsx";
import { Modal } from "../../components/modal.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { AnalysisApi, RunFramework } from "./analysis_api.ts";
import { SeverityBadge, StatusBadge } from "./ui.tsx";

/** A framework in a run, requirement by requirement, with the checks behind each. */
export function FrameworkModal(
  props: {
    api: AnalysisApi;
    runId: string;
    frameworkId: string | null;
    onClose: () => void;
    onShowFindings: (frameworkId: string) => void;
  },
): JSX.Element {
  const [data, setData] = useState<RunFramework | null>(null);
  const [error, setError] = useState<string | null>(null);
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
        } · ${counts.pass} of ${data.requirements.length} requirements met, ${counts.fail} failing`
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
      {data && (
        <ul
          class="max-h-[60vh] space-y-3 overflow-y-auto pr-1 text-sm"
          aria-label="Requirements"
          tabIndex={0}
        >
          {data.requirements.map((r) => (
            <li key={r.id} class="rounded-md border border-line p-3">
              <div class="flex flex-wrap items-center justify-between gap-2">
                <p class="font-medium">
                  <span class="mr-1.5 font-mono text-xs text-fg-muted">{r.id}</span>
                  {r.name}
                </p>
                <StatusBadge status={r.status} />
              </div>
              <p class="mt-0.5 text-xs text-fg-muted">
                {r.passed} passing · {r.failed} failing · {r.not_evaluated} not evaluated
                {r.muted > 0 && ` · ${r.muted} muted`}
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
