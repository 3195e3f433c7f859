// The Grafana dashboards and Prometheus alert rules, checked against what the
// product exports: every expression parses as PromQL (Prometheus's own
// grammar), every metric it reads exists in the registry, every metric is
// documented in docs/operations.md, and every alert says how bad and where to look.
import assert from "node:assert/strict";
import { parser } from "@prometheus-io/lezer-promql";
import { parse } from "yaml";
import { metricsRegistry } from "../shared/metrics/mod.ts";

const ROOT = new URL("../", import.meta.url);

/** Metric names a query may use: each registered metric, with a histogram's series. */
const exported = new Set(
  (await metricsRegistry.getMetricsAsJSON()).flatMap((m) =>
    String(m.type) === "histogram"
      ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`]
      : [m.name]
  ),
);

function assertPromQl(expr: string, where: string): void {
  const tree = parser.parse(expr);
  let error = -1;
  tree.iterate({
    enter(node) {
      if (node.type.isError && error < 0) error = node.from;
    },
  });
  assert.equal(error, -1, `${where}: not PromQL near "${expr.slice(error, error + 30)}"`);
  for (const [name] of expr.matchAll(/\bciq_[a-z0-9_]+/g)) {
    assert.ok(exported.has(name), `${where}: ${name} is not exported on /metrics`);
  }
}

Deno.test("the PromQL check can fail", () => {
  assert.throws(() => assertPromQl("sum(rate(ciq_http_requests_total[5m])", "unbalanced"));
  assert.throws(() => assertPromQl("rate(ciq_no_such_metric[5m])", "unknown metric"));
});

const dashboardFiles = [...Deno.readDirSync(new URL("ops/grafana/", ROOT))]
  .map((e) => e.name)
  .filter((n) => n.endsWith(".json"))
  .sort();

Deno.test("Grafana dashboards: service health, requests, database, cache and queues", () => {
  assert.deepEqual(dashboardFiles, [
    "cache.json",
    "database.json",
    "queues.json",
    "requests.json",
    "service-health.json",
  ]);
  const uids = new Set<string>();
  for (const file of dashboardFiles) {
    const dashboard = JSON.parse(Deno.readTextFileSync(new URL(`ops/grafana/${file}`, ROOT)));
    assert.ok(!uids.has(dashboard.uid), `${file}: unique uid`);
    uids.add(dashboard.uid);
    assert.ok(dashboard.title && dashboard.panels.length > 0, file);
    const ids = dashboard.panels.map((p: { id: number }) => p.id);
    assert.equal(new Set(ids).size, ids.length, `${file}: unique panel ids`);
    for (const panel of dashboard.panels) {
      assert.ok(panel.gridPos && panel.targets.length > 0, `${file}: ${panel.title}`);
      for (const target of panel.targets) assertPromQl(target.expr, `${file}: ${panel.title}`);
    }
  }
});

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: { severity?: string };
  annotations?: { summary?: string; runbook?: string };
}

Deno.test("alert rules cover the SLO, parse, and say how bad and where to look", () => {
  const rules = parse(Deno.readTextFileSync(new URL("ops/prometheus/alerts.yml", ROOT))) as {
    groups: { name: string; rules: Rule[] }[];
  };
  const all = rules.groups.flatMap((g) => g.rules);
  const recorded = new Set(all.flatMap((r) => r.record ? [r.record] : []));
  for (const rule of all) {
    const where = rule.alert ?? rule.record!;
    assertPromQl(rule.expr, where);
    for (const [name] of rule.expr.matchAll(/\bciq:[a-z0-9_:]+/g)) {
      assert.ok(recorded.has(name), `${where}: recording rule ${name} is defined`);
    }
    if (!rule.alert) continue;
    assert.ok(["page", "ticket", "info"].includes(rule.labels?.severity ?? ""), where);
    assert.ok(rule.annotations?.summary, `${where}: summary`);
    assert.match(rule.annotations?.runbook ?? "", /^docs\/operations\.md#/, where);
  }
  const alerts = all.flatMap((r) => r.alert ? [r.alert] : []);
  for (const slo of ["ErrorBudgetFastBurn", "ErrorBudgetSlowBurn", "LatencyP95AboveSLO"]) {
    assert.ok(alerts.includes(slo), slo);
  }
});

Deno.test("every exported metric is documented in docs/operations.md", async () => {
  const docs = await Deno.readTextFile(new URL("docs/operations.md", ROOT));
  for (const metric of await metricsRegistry.getMetricsAsJSON()) {
    assert.ok(docs.includes(`\`${metric.name}\``), `${metric.name} is documented`);
  }
});
