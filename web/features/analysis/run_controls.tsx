import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Play } from "lucide";
import { Button } from "../../components/button.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { ToastModel } from "../../lib/toast.ts";
import type { Framework, RunScope } from "./analysis_api.ts";

/** The scope of the next run and the button that starts it. */
export function RunControls(
  props: {
    frameworks: readonly Framework[];
    disabled: boolean;
    onStart: (scope: RunScope) => Promise<void>;
    toasts: ToastModel;
  },
): JSX.Element {
  const [scope, setScope] = useState("all");
  const [starting, setStarting] = useState(false);

  async function start(): Promise<void> {
    setStarting(true);
    try {
      await props.onStart(
        scope === "all" ? { type: "all" } : { type: "framework", framework: scope },
      );
      props.toasts.info(
        "Analysis started",
        "Progress shows below; results appear when it finishes.",
      );
    } catch (cause) {
      props.toasts.error("The analysis did not start", errorMessage(cause));
    } finally {
      setStarting(false);
    }
  }

  return (
    <div class="flex flex-wrap items-end gap-2">
      <Select
        label="Scope"
        size="sm"
        value={scope}
        options={[
          { value: "all", label: "All enabled checks" },
          ...props.frameworks.map((f) => ({ value: f.id, label: `${f.name} checks` })),
        ]}
        onValue={setScope}
      />
      <Button icon={Play} loading={starting} disabled={props.disabled} onClick={start}>
        Run analysis
      </Button>
    </div>
  );
}
