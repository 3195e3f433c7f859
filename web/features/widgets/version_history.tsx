/**
 * A widget's versions, newest first: who saved each and when, what changed
 * against the version before it (field: before → after), and rollback to any
 * older version (a new version, after a confirmation).
 *
 * @module
 */
import { Fragment, type JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { History } from "lucide";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { ConfirmDialog } from "../../components/confirm_dialog.tsx";
import { Skeleton } from "../../components/loader.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";
import { capitalize, formatWhen } from "../dashboard/posture_ui.tsx";
import type { WidgetItem, WidgetsApi, WidgetVersionItem } from "./widgets_api.ts";

/**
 * A configuration value as the diff shows it.
 *
 * @param value a field's value (absent: "default")
 */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return "(not set)";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "(none)";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function Diff(props: { version: WidgetVersionItem }): JSX.Element {
  const v = props.version;
  if (v.version === 1) return <p class="text-sm text-fg-muted">Created.</p>;
  if (!v.changes.length) {
    return <p class="text-sm text-fg-muted">No change to the configuration.</p>;
  }
  return (
    <dl
      class="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm"
      aria-label={`Changes in version ${v.version}`}
    >
      {v.changes.map((c) => (
        <Fragment key={c.field}>
          <dt class="font-medium text-fg">{capitalize(c.field)}</dt>
          <dd class="min-w-0 break-words">
            <del class="text-red-700 dark:text-red-300">{showValue(c.from)}</del>
            <span aria-hidden="true" class="mx-1 text-fg-muted">→</span>
            <span class="sr-only">changed to</span>
            <ins class="text-emerald-700 no-underline dark:text-emerald-300">{showValue(c.to)}</ins>
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}

/** The version history of a widget. */
export function VersionHistory(props: {
  api: WidgetsApi;
  widget: WidgetItem;
  canWrite: boolean;
  onRolledBack: (widget: WidgetItem) => void;
}): JSX.Element {
  const { api: appApi, orgs } = useApp();
  const [versions, setVersions] = useState<WidgetVersionItem[] | null>(null);
  const [emails, setEmails] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [target, setTarget] = useState<WidgetVersionItem | null>(null);
  const w = props.widget;

  useEffect(() => {
    props.api.versions(w.id).then(setVersions, (e) => setError(errorMessage(e)));
  }, [w.id, w.current_version]);
  useEffect(() => {
    // Who saved a version: members' emails; a former member shows as such.
    appApi.organizations.listAllMembers(orgs.current.value!.id).then(
      (members) => setEmails(Object.fromEntries(members.map((m) => [m.user_id, m.email]))),
      () => {},
    );
  }, [w.org_id]);

  return (
    <Card title="Version history" description="Every save is a new version; versions never change.">
      {error && <p class="text-sm text-red-700 dark:text-red-300">{error}</p>}
      {!versions && !error && <Skeleton class="h-24" />}
      <ol class="divide-y divide-line">
        {(versions ?? []).map((v) => (
          <li key={v.id} class="flex flex-wrap items-start gap-3 py-3">
            <div class="w-28 shrink-0">
              <p class="font-medium text-fg">Version {v.version}</p>
              {v.version === w.current_version && <Badge tone="success">Current</Badge>}
            </div>
            <div class="min-w-0 flex-1 space-y-1">
              <p class="text-xs text-fg-muted">
                {formatWhen(v.created_at)} ·{" "}
                {v.created_by ? emails[v.created_by] ?? "a former member" : "a former member"}
                {v.restored_from && ` · rolled back to version ${v.restored_from}`}
              </p>
              <Diff version={v} />
            </div>
            {props.canWrite && v.version !== w.current_version && (
              <Button
                size="sm"
                variant="secondary"
                icon={History}
                onClick={() => setTarget(v)}
                aria-label={`Roll back to version ${v.version}`}
              >
                Roll back
              </Button>
            )}
          </li>
        ))}
      </ol>
      <ConfirmDialog
        open={target !== null}
        tone="primary"
        title={`Roll back to version ${target?.version}?`}
        message={`A new version ${
          w.current_version + 1
        } is saved with version ${target?.version}'s configuration. History is kept; embeds stay on their pinned versions.`}
        confirmLabel="Roll back"
        onConfirm={async () => {
          const updated = await props.api.rollback(w.id, target!.version);
          setTarget(null);
          props.onRolledBack(updated);
        }}
        onCancel={() =>
          setTarget(null)}
      />
    </Card>
  );
}
