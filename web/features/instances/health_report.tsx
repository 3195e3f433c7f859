import type { JSX } from "preact";
import { Alert } from "../../components/alert.tsx";
import { Badge } from "../../components/badge.tsx";
import type { HealthReport } from "./instances_api.ts";
import { ACCESS, STATUS } from "./instance_rules.ts";

/** A connection test's findings: status, latency, build, and each table's readability. */
export function HealthReportView(props: { report: HealthReport; stale?: boolean }): JSX.Element {
  const { report } = props;
  const status = STATUS[report.status];
  const unreadable = report.tables.filter((t) =>
    t.access === "not_readable" || t.access === "error"
  );
  const missing = report.tables.filter((t) => t.access === "not_found");
  return (
    <section
      class="space-y-3 rounded-md border border-line bg-surface-muted/40 p-3"
      aria-label="Connection test result"
      data-testid="health-report"
    >
      <div class="flex flex-wrap items-center gap-2">
        <Badge tone={status.tone}>{status.label}</Badge>
        {props.stale && (
          <span class="text-xs text-fg-muted">(for the settings before your edit)</span>
        )}
      </div>
      <dl class="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
        <div>
          <dt class="text-xs text-fg-muted">Reachable</dt>
          <dd>{report.reachable ? "Yes" : "No"}</dd>
        </div>
        <div>
          <dt class="text-xs text-fg-muted">Signed in</dt>
          <dd>{report.authenticated ? "Yes" : report.reachable ? "No" : "—"}</dd>
        </div>
        <div>
          <dt class="text-xs text-fg-muted">Latency</dt>
          <dd>{report.latency_ms === null ? "—" : `${report.latency_ms} ms`}</dd>
        </div>
        <div class="min-w-0">
          <dt class="text-xs text-fg-muted">Build</dt>
          <dd class="truncate" title={report.build_tag ?? undefined}>{report.build_tag ?? "—"}</dd>
        </div>
      </dl>
      {report.error && <Alert tone="error">{report.error.message}</Alert>}
      {report.tables.length > 0 && (
        <details class="text-sm" open={unreadable.length > 0}>
          <summary class="cursor-pointer text-fg-muted">
            {report.tables.length - unreadable.length - missing.length} of {report.tables.length}
            {" "}
            tables readable
            {unreadable.length > 0 && `, ${unreadable.length} not readable`}
            {missing.length > 0 && `, ${missing.length} not on this instance`}
          </summary>
          <ul class="mt-2 grid gap-1 sm:grid-cols-2">
            {report.tables.map((t) => (
              <li key={t.table} class="flex items-center justify-between gap-2">
                <code class="truncate text-xs">{t.table}</code>
                <Badge tone={ACCESS[t.access].tone}>{ACCESS[t.access].label}</Badge>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
