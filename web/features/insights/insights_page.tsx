import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { Loader } from "../../components/loader.tsx";
import { Select } from "../../components/select.tsx";
import { useApp } from "../../app/services.ts";
import { errorMessage } from "../../lib/api_error.ts";
import { useLiveRefresh } from "../dashboard/dashboard_page.tsx";
import { createPostureApi, type Recommendations, type Trends } from "../dashboard/posture_api.ts";
import { CompareInstances } from "./compare_instances.tsx";
import { CompareRuns } from "./compare_runs.tsx";
import { RecommendationsSection } from "./recommendations_section.tsx";
import { TrendsSection } from "./trends_section.tsx";

const RANGES = [
  { value: "30", label: "Last 30 days" },
  { value: "90", label: "Last 90 days" },
  { value: "180", label: "Last 6 months" },
  { value: "365", label: "Last 12 months" },
] as const;
type Range = typeof RANGES[number]["value"];

/** `/app/insights`: trends, recommendations, and run and instance comparisons. */
export function InsightsPage(): JSX.Element {
  const { api, orgs } = useApp();
  const org = orgs.current.value!;
  const posture = useMemo(() => createPostureApi(api), [api]);
  const [range, setRange] = useState<Range>("90");
  const [instance, setInstance] = useState("");
  const [trends, setTrends] = useState<Trends | null>(null);
  const [instances, setInstances] = useState<{ id: string; name: string }[] | null>(null);
  const [recommendations, setRecommendations] = useState<Recommendations | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    posture.trends(
      org.id,
      { days: Number(range), instanceIds: instance ? [instance] : [] },
      abort.signal,
    )
      .then((t) => {
        setTrends(t);
        if (!instance) setInstances(t.instances);
        setError(null);
      }, (cause) => !abort.signal.aborted && setError(errorMessage(cause)));
    posture.recommendations(org.id, abort.signal).then(setRecommendations, () => {});
    return () => abort.abort();
  }, [org.id, range, instance, version]);

  useLiveRefresh(org.id, () => setVersion((v) => v + 1));

  return (
    <>
      <PageHeader
        title="Insights"
        description="How your posture moves over time, what changed between two analyses, and how instances drift apart."
      />
      <div class="mb-4 grid gap-3 sm:grid-cols-2 lg:max-w-2xl">
        <Select label="Range" value={range} onValue={setRange} options={RANGES} />
        <Select
          label="Instances"
          value={instance}
          onValue={setInstance}
          options={[
            { value: "", label: "All instances" },
            ...(instances ?? []).map((i) => ({ value: i.id, label: i.name })),
          ]}
        />
      </div>
      {error && (
        <Alert tone="error" class="mb-4" title="Insights could not be loaded">{error}</Alert>
      )}
      {!trends || !instances
        ? (!error && <Loader label="Loading insights" class="py-24" />)
        : (
          <div class="min-w-0 space-y-6">
            {instances.length === 0 && (
              <Alert tone="info" title="Nothing to show yet">
                Connect an instance on the Instances page; trends appear after its analyses.
              </Alert>
            )}
            <TrendsSection trends={trends} />
            {recommendations && <RecommendationsSection data={recommendations} />}
            {instances.length > 0 && <CompareRuns api={posture} instances={instances} />}
            {instances.length > 0 && <CompareInstances api={posture} instances={instances} />}
          </div>
        )}
    </>
  );
}
