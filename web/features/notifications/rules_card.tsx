import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { ListChecks, Pencil, Plus, Trash2 } from "lucide";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { ConfirmDialog } from "../../components/confirm_dialog.tsx";
import { type Column, Table } from "../../components/table.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { ToastModel } from "../../lib/toast.ts";
import {
  type Channel,
  inAppLabel,
  type Rule,
  ruleCondition,
  ruleEventNames,
} from "./notification_catalog.ts";
import type { CreateRuleBody, NotificationSettingsApi } from "./settings_api.ts";
import { RuleFormModal } from "./rule_form_modal.tsx";
import { EnabledSwitch, LoadError } from "./settings_parts.tsx";

/** Props of {@linkcode RulesCard}. */
export interface RulesCardProps {
  orgId: string;
  api: NotificationSettingsApi;
  toasts: ToastModel;
  /** The rules; null while loading. */
  rules: Rule[] | null;
  channels: Channel[];
  loadError: string | null;
  onReload: () => void;
  onChange: (update: (rules: Rule[]) => Rule[]) => void;
  manage: boolean;
}

function throttleLabel(minutes: number): string {
  if (minutes === 0) return "Off";
  if (minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}

/** The alert rules: the list, and for admins add, edit, enable and delete. */
export function RulesCard(props: RulesCardProps): JSX.Element {
  const { api, orgId, toasts, onChange } = props;
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  const [deleting, setDeleting] = useState<Rule | null>(null);
  const names = new Map(props.channels.map((c) => [c.id, c.name]));
  const replace = (saved: Rule) =>
    onChange((all) => all.map((r) => (r.id === saved.id ? saved : r)));

  async function save(body: CreateRuleBody): Promise<void> {
    if (editing === "new") {
      const created = await api.createRule(orgId, body);
      onChange((all) => [...all, created]);
      toasts.success(`Rule “${created.name}” added`);
    } else if (editing) {
      replace(await api.updateRule(orgId, editing.id, body));
      toasts.success("Rule saved");
    }
    setEditing(null);
  }
  async function setEnabled(rule: Rule, enabled: boolean): Promise<void> {
    try {
      replace(await api.updateRule(orgId, rule.id, { enabled }));
    } catch (cause) {
      toasts.error(`“${rule.name}” was not changed`, errorMessage(cause));
      throw cause;
    }
  }

  const columns: Column<Rule>[] = [
    {
      id: "name",
      primary: true,
      header: "Rule",
      sortValue: (r) => r.name,
      cell: (r) => (
        <div class="min-w-0">
          <p class="min-w-40 font-medium text-fg">{r.name}</p>
          <p class="text-xs text-fg-muted">{ruleCondition(r)}</p>
        </div>
      ),
    },
    {
      id: "channels",
      header: "Channels",
      cell: (r) =>
        r.channel_ids.length === 0
          ? <span class="text-fg-muted">None</span>
          : (
            <p class="max-w-64 text-sm">
              {r.channel_ids.map((id) => names.get(id) ?? "a removed channel").join(", ")}
            </p>
          ),
    },
    { id: "in_app", header: "In the app", cell: (r) => inAppLabel(r.in_app_role) },
    {
      id: "throttle",
      header: "Throttle",
      sortValue: (r) => r.throttle_minutes,
      cell: (r) => <span class="whitespace-nowrap">{throttleLabel(r.throttle_minutes)}</span>,
    },
    {
      id: "enabled",
      header: "Enabled",
      cell: (r) => (
        <EnabledSwitch
          name={r.name}
          enabled={r.enabled}
          canChange={props.manage}
          onChange={(on) => setEnabled(r, on)}
        />
      ),
    },
  ];
  if (props.manage) {
    columns.push({
      id: "actions",
      header: "Actions",
      hideHeader: true,
      align: "right",
      cell: (r) => (
        <div class="flex justify-end gap-1">
          <Button
            variant="ghost"
            size="sm"
            icon={Pencil}
            onClick={() => setEditing(r)}
            aria-label={`Edit ${r.name}`}
          >
            Edit
          </Button>
          <Button
            variant="ghost"
            size="sm"
            icon={Trash2}
            class="text-red-700 hover:text-red-800 dark:text-red-300 dark:hover:text-red-200"
            onClick={() => setDeleting(r)}
            aria-label={`Delete ${r.name}`}
          >
            Delete
          </Button>
        </div>
      ),
    });
  }

  return (
    <Card
      flush
      title="Alert rules"
      description="What to alert on. Each rule sends one alert per cause, at most once per throttle window."
      actions={props.manage && (
        <Button size="sm" icon={Plus} onClick={() => setEditing("new")}>Add rule</Button>
      )}
    >
      {props.loadError
        ? <LoadError what="rules" message={props.loadError} onRetry={props.onReload} />
        : (
          <Table
            stackOnPhone
            caption="Alert rules"
            columns={columns}
            rows={props.rules ?? []}
            rowKey={(r) => r.id}
            loading={props.rules === null}
            pageSize={20}
            empty={{
              icon: ListChecks,
              title: "No alert rules yet",
              description: props.manage
                ? `Add a rule to be alerted on: ${ruleEventNames()}.`
                : `An admin can add rules that alert on: ${ruleEventNames()}.`,
            }}
          />
        )}
      <RuleFormModal
        open={editing !== null}
        rule={editing === "new" ? null : editing}
        channels={props.channels}
        onClose={() => setEditing(null)}
        onSave={save}
      />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete rule?"
        message={deleting && (
          <>
            <strong class="text-fg">{deleting.name}</strong>{" "}
            stops alerting. Its past deliveries stay in the log.
          </>
        )}
        confirmLabel="Delete rule"
        onConfirm={async () => {
          await api.deleteRule(orgId, deleting!.id);
          onChange((all) => all.filter((r) => r.id !== deleting!.id));
          toasts.success(`Rule “${deleting!.name}” deleted`);
          setDeleting(null);
        }}
        onCancel={() => setDeleting(null)}
      />
    </Card>
  );
}
