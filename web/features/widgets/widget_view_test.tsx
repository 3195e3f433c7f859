import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { VIEWABLE_TEMPLATES, WidgetView } from "./widget_view.tsx";

const CHECKS = {
  checks: [{
    check_id: "acl_public_write",
    title: "ACLs letting the public role write",
    severity: "critical",
    affected_resources: 2,
    recoverable_points: 1.5,
  }],
};
const INSTANCES = {
  instances: [{
    id: "i-1",
    name: "Staging",
    score: 54,
    failing_findings: 7,
    last_run_at: null,
  }],
};

Deno.test("a preview draws bare; a dashboard tile draws framed with its name as the heading", () => {
  const bare = renderToString(<WidgetView template="top_failing_checks" data={CHECKS} />);
  assert.doesNotMatch(bare, /<h[23]/);
  assert.match(bare, /ACLs letting the public role write/);
  assert.match(bare, /\+1.5 points · 2 resources/);
  const tile = renderToString(
    <WidgetView template="top_failing_checks" data={CHECKS} title="Fix these first" />,
  );
  assert.match(tile, /<h2[^>]*>Fix these first<\/h2>/);
  assert.match(tile, /ranked by the score they would recover/);
});

Deno.test("only the dashboard's context links checks and instances to their findings", () => {
  const plain = renderToString(<WidgetView template="top_failing_checks" data={CHECKS} />) +
    renderToString(<WidgetView template="instance_table" data={INSTANCES} />);
  assert.doesNotMatch(plain, /<a /);
  const linked = renderToString(
    <WidgetView
      template="top_failing_checks"
      data={CHECKS}
      title="Fix these first"
      context={{ links: { instanceId: "i-1" } }}
    />,
  );
  assert.match(
    linked,
    /href="\/app\/analysis\?tab=findings&amp;instance=i-1&amp;check=acl_public_write"/,
  );
  const instances = renderToString(
    <WidgetView
      template="instance_table"
      data={INSTANCES}
      context={{ links: { instanceId: null } }}
    />,
  );
  assert.match(
    instances,
    /<a [^>]*href="\/app\/analysis\?tab=findings&amp;instance=i-1"[^>]*>Staging<\/a>/,
  );
});

Deno.test("a single figure is a stat tile named after the widget on a dashboard", () => {
  const data = { score: 54, kind: "overall", passed: 179, failed: 159 };
  const bare = renderToString(<WidgetView template="score_gauge" data={data} />);
  assert.match(bare, />Overall</);
  assert.match(bare, /179 passed · 159 failed/);
  const tile = renderToString(
    <WidgetView template="score_gauge" data={data} title="Posture score" />,
  );
  assert.match(tile, />Posture score</);
  assert.doesNotMatch(tile, />Overall</);
  const count = renderToString(
    <WidgetView template="findings_count" data={{ count: 12, total: 240 }} title="Failing" />,
  );
  assert.match(count, /of 240 unmuted failing resources/);
});

Deno.test("every template has an empty state, and unknown templates or data say so", () => {
  const empty: Record<string, unknown> = {
    score_trend: { kind: "overall", points: [] },
    severity_breakdown: { total: 0, by_severity: {} },
    framework_readiness: { frameworks: [] },
    top_failing_checks: { checks: [] },
    instance_table: { instances: [] },
    sync_health: { instances: [] },
  };
  for (const [template, data] of Object.entries(empty)) {
    assert.ok(VIEWABLE_TEMPLATES.includes(template));
    const html = renderToString(<WidgetView template={template} data={data} title="W" />);
    assert.match(html, /<p class="text-sm text-fg-muted">[A-Z]/, template);
  }
  assert.match(
    renderToString(<WidgetView template="pie_of_the_month" data={{}} />),
    /cannot draw the “pie_of_the_month” template/,
  );
  assert.match(renderToString(<WidgetView template="score_gauge" data={null} />), /No data/);
});
