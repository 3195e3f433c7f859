import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Card } from "../../components/card.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { InstanceComparison, PostureApi } from "../dashboard/posture_api.ts";
import { capitalize, ScoreValue } from "../dashboard/posture_ui.tsx";

type Side = InstanceComparison["rows"][number]["a"];

function SideCell(props: { side: Side }): JSX.Element {
  if (!props.side) return <span class="text-fg-muted">Not run</span>;
  const s = props.side;
  return (
    <span class={s.verdict === "FAIL" ? "text-red-700 dark:text-red-400" : "text-fg"}>
      {capitalize(s.verdict)}
      {s.failed > 0 && ` (${s.failed})`}
      {s.value !== null && <span class="block text-xs text-fg-muted">value: {s.value}</span>}
    </span>
  );
}

/** Two instances' latest analyses, check by check (drift). */
export function CompareInstances(
  props: { api: PostureApi; instances: { id: string; name: string }[] },
): JSX.Element {
  const [a, setA] = useState(props.instances[0]?.id ?? "");
  const [b, setB] = useState(props.instances[1]?.id ?? "");
  const [show, setShow] = useState<"differences" | "all">("differences");
  const [result, setResult] = useState<InstanceComparison | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setResult(null);
    if (!a || !b || a === b) return;
    props.api.compareInstances(a, b, show).then((c) => {
      setResult(c);
      setError(null);
    }, (cause) => setError(errorMessage(cause)));
  }, [a, b, show]);

  const options = props.instances.map((i) => ({ value: i.id, label: i.name }));
  return (
    <Card
      title="Compare two instances"
      description="Hardening settings and check verdicts side by side"
    >
      <div class="mb-4 grid gap-3 sm:grid-cols-3">
        <Select label="Instance A" value={a} onValue={setA} options={options} />
        <Select label="Instance B" value={b} onValue={setB} options={options} />
        <Select
          label="Show"
          value={show}
          onValue={setShow}
          options={[
            { value: "differences", label: "Only differences" },
            { value: "all", label: "Every check" },
          ]}
        />
      </div>
      {props.instances.length < 2 && (
        <p class="text-sm text-fg-muted">Connect a second instance to compare them.</p>
      )}
      {a === b && props.instances.length >= 2 && (
        <p class="text-sm text-fg-muted">Pick two different instances.</p>
      )}
      {error && <Alert tone="error">{error}</Alert>}
      {result && (
        <div class="space-y-3">
          <p class="text-sm text-fg">
            {result.a.name} <ScoreValue score={result.scores.a.overall} /> · {result.b.name}{" "}
            <ScoreValue score={result.scores.b.overall} /> · {result.differing} of {result.compared}
            {" "}
            checks differ
          </p>
          <div class="overflow-x-auto">
            <table class="w-full min-w-[20rem] text-left text-sm">
              <caption class="sr-only">Checks of {result.a.name} and {result.b.name}</caption>
              <thead class="text-xs text-fg-muted">
                <tr>
                  <th scope="col" class="py-2 pr-3 font-medium">Check</th>
                  <th scope="col" class="py-2 pr-3 font-medium">{result.a.name}</th>
                  <th scope="col" class="py-2 font-medium">{result.b.name}</th>
                </tr>
              </thead>
              <tbody class="divide-y divide-line">
                {result.rows.map((r) => (
                  <tr key={r.check_id}>
                    <th scope="row" class="py-2 pr-3 font-normal text-fg">
                      {r.title}
                      <span class="block text-xs text-fg-muted">
                        {capitalize(r.family)} · {r.area}
                      </span>
                    </th>
                    <td class="py-2 pr-3 align-top">
                      <SideCell side={r.a} />
                    </td>
                    <td class="py-2 align-top">
                      <SideCell side={r.b} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {result.rows.length === 0 && <p class="text-sm text-fg-muted">No differences.</p>}
        </div>
      )}
    </Card>
  );
}
