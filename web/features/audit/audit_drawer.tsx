import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Badge } from "../../components/badge.tsx";
import { Drawer } from "../../components/drawer.tsx";
import { Skeleton } from "../../components/loader.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { formatDateTime } from "../../lib/format.ts";
import type { AuditEntryDetail } from "./audit_api.ts";

const show = (value: unknown) =>
  value === null || value === undefined
    ? "—"
    : typeof value === "string"
    ? value
    : JSON.stringify(value, null, 1);

function Meta(props: { label: string; value: string | null }): JSX.Element {
  return (
    <div class="min-w-0">
      <dt class="text-xs text-fg-muted">{props.label}</dt>
      <dd class="break-words text-sm text-fg">{props.value ?? "—"}</dd>
    </div>
  );
}

/** The detail of one audit entry: who, where, and the fields before and after. */
export function AuditDrawer(
  props: { load: (() => Promise<AuditEntryDetail>) | null; onClose: () => void },
): JSX.Element {
  const [entry, setEntry] = useState<AuditEntryDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setEntry(null);
    setError(null);
    props.load?.().then(setEntry, (cause) => setError(errorMessage(cause)));
  }, [props.load]);
  return (
    <Drawer open={props.load !== null} onClose={props.onClose} title="Audit entry" size="lg">
      {error && <Alert tone="error" class="m-4">{error}</Alert>}
      {!entry && !error && <Skeleton class="m-4 h-40" />}
      {entry && (
        <div class="space-y-5 px-4 pb-4" data-testid="audit-detail">
          <div class="flex flex-wrap items-center gap-2">
            <code class="text-sm font-semibold">{entry.action}</code>
            <Badge tone={entry.category === "security" ? "warning" : "neutral"}>
              {entry.category}
            </Badge>
            <Badge>{entry.operation}</Badge>
          </div>
          <dl class="grid grid-cols-1 gap-3 sm:grid-cols-2">
            <Meta label="When" value={formatDateTime(entry.occurred_at)} />
            <Meta
              label="Who"
              value={`${entry.actor_email ?? entry.actor_id ?? "—"} (${entry.actor_kind})`}
            />
            <Meta label="Target" value={`${entry.target_table} ${entry.target_id ?? ""}`} />
            <Meta label="Address" value={entry.ip} />
            <Meta label="Request" value={entry.request_id} />
            <Meta label="Route" value={entry.route} />
            <Meta label="Client" value={entry.user_agent} />
            <Meta label="Entry" value={`#${entry.seq} · ${entry.hash.slice(0, 16)}…`} />
          </dl>
          <section aria-labelledby="audit-diff-title">
            <h3 id="audit-diff-title" class="mb-2 text-sm font-semibold text-fg">What changed</h3>
            {entry.changes.length === 0
              ? <p class="text-sm text-fg-muted">No field values are recorded for this entry.</p>
              : (
                <div class="overflow-x-auto">
                  <table class="w-full text-left text-xs">
                    <caption class="sr-only">Fields before and after</caption>
                    <thead>
                      <tr class="text-fg-muted">
                        <th scope="col" class="py-1 pr-2 font-medium">Field</th>
                        <th scope="col" class="py-1 pr-2 font-medium">Before</th>
                        <th scope="col" class="py-1 font-medium">After</th>
                      </tr>
                    </thead>
                    <tbody>
                      {entry.changes.map((c) => (
                        <tr key={c.field} class="border-t border-line align-top">
                          <th scope="row" class="py-1 pr-2 font-mono font-normal">{c.field}</th>
                          <td class="whitespace-pre-wrap break-all py-1 pr-2 text-red-800 dark:text-red-300">
                            {show(c.before)}
                          </td>
                          <td class="whitespace-pre-wrap break-all py-1 text-green-800 dark:text-green-300">
                            {show(c.after)}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
          </section>
        </div>
      )}
    </Drawer>
  );
}
