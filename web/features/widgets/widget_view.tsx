/**
 * The one renderer of a widget's data (`GET /widgets/:id/data`): the Widgets
 * page's previews and the Dashboard page's tiles both draw with it, one view
 * per template, from the Dashboard's charts and posture pieces. Presentational:
 * data in, no fetching.
 *
 * With a `title` the widget is drawn in its own frame (a card, or a stat tile
 * for a single figure), as a dashboard tile; without one it is drawn bare,
 * inside the caller's card. `context` adds what only a dashboard knows.
 *
 * @module
 */
import type { ComponentChildren, JSX } from "preact";
import { Card } from "../../components/card.tsx";
import { Chart } from "../../components/chart.tsx";
import { trendSeries } from "../dashboard/dashboard_sections.tsx";
import {
  capitalize,
  findingsHref,
  formatWhen,
  ScoreValue,
  SEVERITY_ORDER,
  SeverityBadge,
  StatTile,
} from "../dashboard/posture_ui.tsx";

/** What a dashboard adds to a widget's data. */
export interface WidgetContext {
  /** Instance id → name, for the lines of a score trend. */
  instanceNames?: ReadonlyMap<string, string>;
  /**
   * Link checks and instances to their findings on the Analysis page (a check's
   * link opens `instanceId`'s findings, the instance the page is filtered to).
   */
  links?: { instanceId: string | null };
}

interface ViewProps {
  // deno-lint-ignore no-explicit-any -- each view reads its own template's data (docs/widgets.md)
  data: any;
  /** The chart's accessible name. */
  title: string;
  framed: boolean;
  context: WidgetContext;
}

/** A single figure: drawn as a stat tile when framed. */
interface Figure {
  label?: string;
  value: ComponentChildren;
  hint: string;
}

const Empty = (props: { text: string }) => <p class="text-sm text-fg-muted">{props.text}</p>;

const FIGURES: Record<string, (data: ViewProps["data"]) => Figure> = {
  score_gauge: (d) => ({
    label: capitalize(d.kind),
    value: <ScoreValue score={d.score} />,
    hint: `${d.passed} passed · ${d.failed} failed`,
  }),
  findings_count: (d) => ({
    value: <span class="font-semibold tabular-nums text-fg">{d.count}</span>,
    hint: d.count === d.total
      ? "Unmuted failing resources"
      : `of ${d.total} unmuted failing resources`,
  }),
};

function Trend(props: ViewProps): JSX.Element {
  const points = props.data.points as { at: string; instance_id: string; score: number | null }[];
  const ids = [...new Set(points.map((p) => p.instance_id))];
  const trend = trendSeries({
    runs: points.map((p) => ({ at: p.at, instance_id: p.instance_id, overall: p.score })),
    instances: ids.map((id, i) => ({
      id,
      name: props.context.instanceNames?.get(id) ?? `Instance ${i + 1}`,
    })),
  });
  if (trend.labels.length < 2) {
    return <Empty text="The trend appears after a second analysis of an instance." />;
  }
  return <Chart type="line" title={props.title} labels={trend.labels} series={trend.series} />;
}

function Severities(props: ViewProps): JSX.Element {
  const counts = props.data.by_severity as Record<string, number>;
  const severities = SEVERITY_ORDER.filter((s) => (counts[s] ?? 0) > 0);
  if (!severities.length) return <Empty text="No failing findings." />;
  return (
    <Chart
      type="doughnut"
      title={props.title}
      labels={severities.map(capitalize)}
      series={[{ label: "Findings", data: severities.map((s) => counts[s] ?? 0) }]}
    />
  );
}

const STATUS_TONES = { PASS: "success", FAIL: "danger", NOT_EVALUATED: "neutral" } as const;

function Readiness(props: ViewProps): JSX.Element {
  const frameworks = props.data.frameworks as {
    name: string;
    requirements: Record<string, number>;
  }[];
  if (!frameworks.length) return <Empty text="No framework has been evaluated yet." />;
  const statuses = [...new Set(frameworks.flatMap((f) => Object.keys(f.requirements)))].sort();
  return (
    <Chart
      type="bar"
      stacked
      horizontal
      // One bar per framework, plus room for the axis and the legend.
      height={Math.max(180, 36 * frameworks.length + 90)}
      title={props.title}
      labels={frameworks.map((f) => f.name)}
      series={statuses.map((s) => ({
        label: capitalize(s),
        tone: STATUS_TONES[s as keyof typeof STATUS_TONES] ?? (s === "MANUAL" ? "info" : "warning"),
        data: frameworks.map((f) => f.requirements[s] ?? 0),
      }))}
    />
  );
}

/** A link to findings when the context asks for links, else plain text. */
function MaybeLink(props: { href: string | null; class: string; children: ComponentChildren }) {
  return props.href
    ? (
      <a class={`${props.class} text-accent-text hover:underline`} href={props.href}>
        {props.children}
      </a>
    )
    : <span class={`${props.class} text-fg`}>{props.children}</span>;
}

function Checks(props: ViewProps): JSX.Element {
  const checks = props.data.checks as {
    check_id: string;
    title: string;
    severity: string;
    affected_resources: number;
    recoverable_points: number;
  }[];
  if (!checks.length) return <Empty text="Nothing is failing. Well done." />;
  const links = props.context.links;
  return (
    <ol class="divide-y divide-line">
      {checks.map((r) => (
        <li key={r.check_id} class="flex flex-wrap items-center gap-x-3 gap-y-1 py-3">
          <SeverityBadge severity={r.severity} />
          <MaybeLink
            class="min-w-40 flex-1 font-medium"
            href={links ? findingsHref(links.instanceId, r.check_id) : null}
          >
            {r.title}
          </MaybeLink>
          <span class="text-sm tabular-nums text-fg-muted">
            +{r.recoverable_points} points · {r.affected_resources}{" "}
            {r.affected_resources === 1 ? "resource" : "resources"}
          </span>
        </li>
      ))}
    </ol>
  );
}

function Instances(props: ViewProps): JSX.Element {
  const rows = props.data.instances as {
    id: string;
    name: string;
    score: number | null;
    failing_findings: number;
    last_run_at: string | null;
  }[];
  if (!rows.length) {
    return (
      <div class={props.framed ? "px-5 py-4" : ""}>
        <Empty text="No instances to show." />
      </div>
    );
  }
  return (
    <ul class="divide-y divide-line">
      {rows.map((i) => (
        <li key={i.id} class={`flex items-center gap-4 py-3 ${props.framed ? "px-5" : ""}`}>
          <div class="min-w-0 flex-1">
            <MaybeLink class="font-medium" href={props.context.links ? findingsHref(i.id) : null}>
              {i.name}
            </MaybeLink>
            <p class="text-xs text-fg-muted">
              {i.failing_findings} failing · last analysis {formatWhen(i.last_run_at)}
            </p>
          </div>
          <ScoreValue class="text-xl" score={i.score} />
        </li>
      ))}
    </ul>
  );
}

function Syncs(props: ViewProps): JSX.Element {
  const rows = props.data.instances as {
    id: string;
    name: string;
    last_sync_at: string | null;
    last_sync_status: string | null;
    sync_failures_30d: number;
    run_failures_30d: number;
    healthy: boolean;
  }[];
  if (!rows.length) return <Empty text="Every sync is healthy." />;
  return (
    <ul class="space-y-3 text-sm">
      {rows.map((r) => (
        <li key={r.id}>
          <p
            class={r.healthy ? "font-medium text-fg" : "font-medium text-red-700 dark:text-red-300"}
          >
            {r.name} · {r.healthy ? "healthy" : "needs attention"}
          </p>
          <p class="text-xs text-fg-muted">
            Last sync {formatWhen(r.last_sync_at)}
            {r.last_sync_status && ` (${r.last_sync_status})`} · {r.sync_failures_30d} failed syncs,
            {" "}
            {r.run_failures_30d} failed analyses in 30 days
          </p>
        </li>
      ))}
    </ul>
  );
}

interface View {
  draw: (props: ViewProps) => JSX.Element;
  /** The framed card's description. */
  description?: string;
  /** The chart's name when drawn bare (the widget's name when framed). */
  chartTitle?: (data: ViewProps["data"]) => string;
  /** Edge to edge in its card (rows bring their own padding). */
  flush?: boolean;
}

const VIEWS: Record<string, View> = {
  score_trend: {
    draw: Trend,
    description: "Score of each instance after every analysis",
    chartTitle: (d) => `${capitalize(d.kind)} score trend`,
  },
  severity_breakdown: {
    draw: Severities,
    description: "Unmuted failing resources",
    chartTitle: () => "Failing findings by severity",
  },
  framework_readiness: {
    draw: Readiness,
    description: "Requirements by status over the selected instances",
    chartTitle: () => "Framework readiness",
  },
  top_failing_checks: {
    draw: Checks,
    description: "Failing checks ranked by the score they would recover",
  },
  instance_table: { draw: Instances, flush: true },
  sync_health: { draw: Syncs },
};

/** The templates this module can draw. */
export const VIEWABLE_TEMPLATES: readonly string[] = [
  ...Object.keys(FIGURES),
  ...Object.keys(VIEWS),
];

function BareFigure(props: Figure): JSX.Element {
  return (
    <div>
      {props.label && (
        <p class="text-xs font-medium uppercase tracking-wide text-fg-muted">{props.label}</p>
      )}
      <p class="mt-1 text-4xl">{props.value}</p>
      <p class="mt-1 text-sm text-fg-muted">{props.hint}</p>
    </div>
  );
}

/** Props of {@linkcode WidgetView}. */
export interface WidgetViewProps {
  /** The template id of the widget's data answer. */
  template: string;
  /** The `data` of the widget's data answer. */
  data: unknown;
  /** The widget's name: draws it framed, as a dashboard tile. */
  title?: string;
  context?: WidgetContext;
}

/** One widget's data, drawn as its template shows it. */
export function WidgetView(props: WidgetViewProps): JSX.Element {
  const { template, data, title } = props;
  const frame = (body: JSX.Element, view?: View) =>
    title === undefined
      ? body
      : (
        <Card class="h-full" title={title} description={view?.description} flush={view?.flush}>
          {body}
        </Card>
      );
  const figure = FIGURES[template];
  const view = VIEWS[template];
  if (data === null || typeof data !== "object") return frame(<Empty text="No data." />);
  if (figure) {
    const f = figure(data);
    return title === undefined ? <BareFigure {...f} /> : <StatTile {...f} label={title} />;
  }
  if (!view) return frame(<Empty text={`This app cannot draw the “${template}” template.`} />);
  const body = view.draw({
    data,
    title: title ?? view.chartTitle?.(data) ?? capitalize(template),
    framed: title !== undefined,
    context: props.context ?? {},
  });
  return frame(body, view);
}
