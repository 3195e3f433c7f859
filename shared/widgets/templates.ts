/**
 * Widget templates, as data (like the check catalog): each has a typed
 * configuration (zod, with defaults), the posture aggregate it reads
 * (`dashboard` or `trends`, with their Redis cache) and `read()`, which derives
 * the widget's data from that aggregate — no query of its own.
 *
 * @module
 */

import { z } from "zod";
import type { Dashboard, DashboardQuery, Trends, TrendsQuery } from "../posture/mod.ts";
import { MAX_TREND_DAYS } from "../posture/mod.ts";

const FRAMEWORK_ID = z.string().regex(/^[a-z0-9_]{1,60}$/);
const SEVERITY = z.enum(["critical", "high", "medium", "low", "info"]);

/** The aggregate a template reads, and the query it asks of it. */
export type WidgetSource =
  | { aggregate: "dashboard"; query: DashboardQuery }
  | { aggregate: "trends"; query: TrendsQuery };

/** Where a widget is read for: the organization and an optional instance filter. */
export interface WidgetScope {
  org_id: string;
  instance_ids?: string[];
}

/** One template: what it shows, its configuration and how it reads its data. */
export interface WidgetTemplate<S extends z.ZodObject = z.ZodObject> {
  id: string;
  title: string;
  description: string;
  /** The configuration (strict; every field has a default or is optional). */
  config: S;
  /** The aggregate query for a configuration and scope. */
  source(config: z.output<S>, scope: WidgetScope): WidgetSource;
  /** The widget's data from the aggregate. */
  read(config: z.output<S>, aggregate: Dashboard | Trends): unknown;
}

function define<S extends z.ZodObject>(t: WidgetTemplate<S>): WidgetTemplate<S> {
  return t;
}

function dashboardOf(config: { framework?: string }, scope: WidgetScope): WidgetSource {
  return {
    aggregate: "dashboard",
    query: {
      org_id: scope.org_id,
      instance_ids: scope.instance_ids,
      framework: config.framework,
    },
  };
}

const SCORES = ["overall", "security_center", "hardening", "behavioural"] as const;

const scoreGauge = define({
  id: "score_gauge",
  title: "Score gauge",
  description: "One posture score (0–100) with the checks passed and failed",
  config: z.object({
    score: z.enum(SCORES).default("overall"),
    framework: FRAMEWORK_ID.optional(),
  }).strict(),
  source: dashboardOf,
  read(config, aggregate) {
    const d = aggregate as Dashboard;
    const s = d[config.score];
    const passed = "passed" in s ? s.passed : s.compliant;
    const failed = "failed" in s ? s.failed : s.total - s.compliant;
    return { score: s.score, kind: config.score, passed, failed };
  },
});

const scoreTrend = define({
  id: "score_trend",
  title: "Score trend",
  description: "A score after each analysis run over a period",
  config: z.object({
    score: z.enum(["overall", "security_center", "framework"]).default("overall"),
    framework: FRAMEWORK_ID.optional(),
    days: z.number().int().min(1).max(MAX_TREND_DAYS).default(90),
  }).strict().refine((c) => c.score !== "framework" || c.framework, {
    message: "A framework trend needs a framework",
    path: ["framework"],
  }),
  source(config, scope) {
    return {
      aggregate: "trends",
      query: {
        org_id: scope.org_id,
        instance_ids: scope.instance_ids,
        framework: config.framework,
        days: config.days,
      },
    };
  },
  read(config, aggregate) {
    const t = aggregate as Trends;
    return {
      kind: config.score,
      from: t.from,
      to: t.to,
      points: t.runs.map((r) => ({ at: r.at, instance_id: r.instance_id, score: r[config.score] })),
    };
  },
});

const severityBreakdown = define({
  id: "severity_breakdown",
  title: "Severity breakdown",
  description: "Unmuted failing resources by check severity",
  config: z.object({ framework: FRAMEWORK_ID.optional() }).strict(),
  source: dashboardOf,
  read(_config, aggregate) {
    const d = aggregate as Dashboard;
    return { total: d.findings.total, by_severity: d.findings.by_severity };
  },
});

const frameworkReadiness = define({
  id: "framework_readiness",
  title: "Framework readiness",
  description: "Readiness score and requirements of each framework",
  config: z.object({
    /** Only these frameworks (every framework when absent). */
    frameworks: z.array(FRAMEWORK_ID).min(1).max(20).optional(),
  }).strict(),
  source: (_config, scope) => dashboardOf({}, scope),
  read(config, aggregate) {
    const d = aggregate as Dashboard;
    const wanted = config.frameworks ? new Set(config.frameworks) : null;
    return {
      frameworks: d.frameworks.filter((f) => !wanted || wanted.has(f.id)).map((f) => ({
        id: f.id,
        name: f.name,
        score: f.score,
        requirements: f.requirements,
        requirements_total: f.requirements_total,
      })),
    };
  },
});

const topFailingChecks = define({
  id: "top_failing_checks",
  title: "Top failing checks",
  description: "The failing checks worth fixing first",
  config: z.object({
    limit: z.number().int().min(1).max(10).default(5),
    framework: FRAMEWORK_ID.optional(),
  }).strict(),
  source: dashboardOf,
  read(config, aggregate) {
    const d = aggregate as Dashboard;
    return {
      checks: d.top_risks.slice(0, config.limit).map((r) => ({
        check_id: r.check_id,
        title: r.title,
        severity: r.severity,
        affected_resources: r.affected_resources,
        recoverable_points: r.recoverable_points,
      })),
    };
  },
});

const instanceTable = define({
  id: "instance_table",
  title: "Instance table",
  description: "Each instance with its score and failing findings",
  config: z.object({
    sort: z.enum(["score", "failing", "name"]).default("score"),
    limit: z.number().int().min(1).max(100).default(20),
  }).strict(),
  source: (_config, scope) => dashboardOf({}, scope),
  read(config, aggregate) {
    const d = aggregate as Dashboard;
    const rows = d.instances.map((i) => ({
      id: i.id,
      name: i.name,
      score: i.overall?.score ?? null,
      failing_findings: i.failing_findings,
      last_run_at: i.run_finished_at,
    }));
    const by = {
      score: (a: typeof rows[0], b: typeof rows[0]) => (a.score ?? 101) - (b.score ?? 101),
      failing: (a: typeof rows[0], b: typeof rows[0]) => b.failing_findings - a.failing_findings,
      name: (a: typeof rows[0], b: typeof rows[0]) => a.name.localeCompare(b.name),
    }[config.sort];
    return { instances: rows.toSorted(by).slice(0, config.limit) };
  },
});

const findingsCount = define({
  id: "findings_count",
  title: "Findings count",
  description: "Unmuted failing resources matching a filter of severities and areas",
  config: z.object({
    severities: z.array(SEVERITY).min(1).max(5).optional(),
    areas: z.array(z.string().regex(/^[a-z0-9_]{1,60}$/)).min(1).max(20).optional(),
    framework: FRAMEWORK_ID.optional(),
  }).strict(),
  source: dashboardOf,
  read(config, aggregate) {
    const d = aggregate as Dashboard;
    const sum = (counts: Record<string, number>, keys?: string[]) =>
      Object.entries(counts).filter(([k]) => !keys || keys.includes(k))
        .reduce((n, [, v]) => n + v, 0);
    // Severity and area are separate tallies: with both filters the smaller bounds the count.
    const bySeverity = sum(d.findings.by_severity, config.severities);
    const byArea = sum(d.findings.by_area, config.areas);
    const count = config.severities && config.areas
      ? Math.min(bySeverity, byArea)
      : config.areas
      ? byArea
      : bySeverity;
    return { count, total: d.findings.total };
  },
});

const syncHealth = define({
  id: "sync_health",
  title: "Sync health",
  description: "Last sync and analysis of each instance, and recent failures",
  config: z.object({ only_failing: z.boolean().default(false) }).strict(),
  source: (_config, scope) => dashboardOf({}, scope),
  read(config, aggregate) {
    const d = aggregate as Dashboard;
    const rows = d.instances.map((i) => ({
      id: i.id,
      name: i.name,
      last_sync_at: i.health.last_sync_at,
      last_sync_status: i.health.last_sync_status,
      sync_failures_30d: i.health.sync_failures_30d,
      run_failures_30d: i.health.run_failures_30d,
      healthy: i.health.last_sync_status !== "failed" && i.health.sync_failures_30d === 0,
    }));
    return { instances: config.only_failing ? rows.filter((r) => !r.healthy) : rows };
  },
});

/** Every template, by id. */
export const WIDGET_TEMPLATES: Readonly<Record<string, WidgetTemplate>> = Object.fromEntries(
  [
    scoreGauge,
    scoreTrend,
    severityBreakdown,
    frameworkReadiness,
    topFailingChecks,
    instanceTable,
    findingsCount,
    syncHealth,
  ].map((t) => [t.id, t as unknown as WidgetTemplate]),
);

/** Template ids, for request schemas. */
export const TEMPLATE_IDS = Object.keys(WIDGET_TEMPLATES) as [string, ...string[]];
