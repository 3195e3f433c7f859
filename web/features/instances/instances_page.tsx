import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import {
  CalendarClock,
  Ellipsis,
  ListChecks,
  Pencil,
  PlugZap,
  Plus,
  RefreshCw,
  Server,
  Trash,
} from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { ConfirmDialog } from "../../components/confirm_dialog.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { Icon } from "../../components/icon.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { Menu, type MenuItem } from "../../components/menu.tsx";
import { ProgressBar } from "../../components/progress_bar.tsx";
import { type Column, Table } from "../../components/table.tsx";
import { errorMessage, UserFacingError } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";
import { formatDateTime } from "../../lib/format.ts";
import { type Instance, instancesApi } from "./instances_api.ts";
import { createInstancesModel, createJobWatcher } from "./instances_model.ts";
import { InstanceFormModal } from "./instance_form_modal.tsx";
import { ScheduleModal } from "./schedule_modal.tsx";
import { SyncHistoryDrawer } from "./sync_history_drawer.tsx";
import {
  AUTH_TYPES,
  canManageInstances,
  canOperateInstances,
  formatCount,
  presetOf,
  problemMessage,
  RUN_STATUS,
  SCHEDULE_PRESETS,
  STATUS,
  timeAgo,
} from "./instance_rules.ts";

function scheduleText(instance: Instance, withNext = true): string {
  const s = instance.schedule;
  if (!s) return "Manual only";
  const preset = presetOf(s.cron);
  const label = preset === "custom"
    ? `cron ${s.cron}`
    : SCHEDULE_PRESETS.find((p) => p.id === preset)!.label;
  const next = withNext && s.next_sync_at ? `, next ${formatDateTime(String(s.next_sync_at))}` : "";
  return `${label} (${s.timezone})${next}`;
}

/** `/app/instances`: connected ServiceNow instances, their health, syncs and schedules. */
export function InstancesPage(): JSX.Element {
  const { api, orgs, session, toasts, config } = useApp();
  const org = orgs.current.value!;
  const role = orgs.role.value;
  const endpoints = useMemo(() => instancesApi(api), [api]);
  const model = useMemo(
    () =>
      createInstancesModel(endpoints, {
        orgId: org.id,
        watchJob: createJobWatcher({
          functionsUrl: config.functionsUrl,
          accessToken: () => session.accessToken(),
          poll: (jobId) => endpoints.job(jobId),
        }),
        onAccessChanged: () => void orgs.reload(),
      }),
    [org.id],
  );
  const [limit, setLimit] = useState<number | null>(null);
  const [editing, setEditing] = useState<Instance | null | "new">(null);
  const [scheduling, setScheduling] = useState<Instance | null>(null);
  const [history, setHistory] = useState<Instance | null>(null);
  const [deleting, setDeleting] = useState<Instance | null>(null);
  const [, setNow] = useState(0);

  useEffect(() => {
    void model.load();
    api.organizations.get(org.id).then((o) => setLimit(o.max_instances ?? null), () => {});
    // Keeps "3 minutes ago" honest.
    const timer = setInterval(() => setNow((n) => n + 1), 30_000);
    return () => {
      clearInterval(timer);
      model.dispose();
    };
  }, [model]);

  const manage = canManageInstances(role);
  const operate = canOperateInstances(role);
  const instances = model.instances.value;
  const status = model.status.value;
  const pending = model.pending.value;
  const progress = model.progress.value;
  const atLimit = limit !== null && instances.length >= limit;

  async function syncNow(instance: Instance, mode: "incremental" | "full"): Promise<void> {
    try {
      await model.syncNow(instance.id, mode);
      toasts.info(`${mode === "full" ? "Full sync" : "Sync"} of ${instance.name} started`);
    } catch (cause) {
      toasts.error("Sync not started", problemMessage(cause));
    }
  }

  async function test(instance: Instance): Promise<void> {
    try {
      const report = await model.testSaved(instance.id);
      const outcome = STATUS[report.status];
      if (report.status === "healthy") toasts.success(`${instance.name}: ${outcome.label}`);
      else {toasts.error(
          `${instance.name}: ${outcome.label}`,
          report.error?.message ?? outcome.hint,
        );}
    } catch (cause) {
      toasts.error("Connection not tested", errorMessage(cause));
    }
  }

  const columns: Column<Instance>[] = [
    {
      id: "instance",
      primary: true,
      header: "Instance",
      sortValue: (i) => i.name.toLowerCase(),
      cell: (i) => (
        <div class="min-w-0">
          <p class="truncate font-medium text-fg">{i.name}</p>
          <p class="truncate font-mono text-xs text-fg-muted">{i.url}</p>
          <p class="text-xs text-fg-subtle">
            {AUTH_TYPES.find((a) => a.value === i.auth_type)?.label}
          </p>
        </div>
      ),
    },
    {
      id: "health",
      header: "Health",
      sortValue: (i) => i.status,
      cell: (i) => (
        <div class="space-y-1">
          <span title={STATUS[i.status].hint}>
            <Badge tone={STATUS[i.status].tone}>{STATUS[i.status].label}</Badge>
          </span>
          <p class="text-xs text-fg-muted">
            {i.last_health_check_at ? `Tested ${timeAgo(i.last_health_check_at)}` : "Never tested"}
            {typeof i.last_health?.latency_ms === "number" && ` · ${i.last_health.latency_ms} ms`}
          </p>
          {i.build_tag && (
            <p class="max-w-56 truncate text-xs text-fg-subtle" title={i.build_tag}>
              {i.build_tag}
            </p>
          )}
        </div>
      ),
    },
    {
      id: "sync",
      header: "Last sync",
      sortValue: (i) => i.last_sync_at ?? "",
      cell: (i) => {
        const job = progress.get(i.id);
        if (i.active_sync) {
          return (
            <ProgressBar
              class="w-64"
              label={`Syncing ${i.name}`}
              hideLabel
              value={Math.round((job?.progress ?? 0) * 100)}
              max={100}
              valueText={job?.progress_message ||
                (i.active_sync.status === "queued" ? "Queued" : "Starting")}
            />
          );
        }
        if (!i.last_sync) return <span class="text-sm text-fg-muted">Never synced</span>;
        const run = i.last_sync;
        return (
          <div class="space-y-1">
            <Badge tone={RUN_STATUS[run.status].tone}>{RUN_STATUS[run.status].label}</Badge>
            <p class="text-xs text-fg-muted">
              {timeAgo(run.finished_at ?? run.created_at)} · {formatCount(run.records_fetched)}{" "}
              records read
              {run.tables_not_readable > 0 && ` · ${run.tables_not_readable} table(s) not readable`}
            </p>
          </div>
        );
      },
    },
    {
      id: "schedule",
      header: "Schedule",
      cell: (i) => <span class="text-sm text-fg-muted">{scheduleText(i)}</span>,
    },
    {
      id: "actions",
      header: "Actions",
      hideHeader: true,
      align: "right",
      cell: (i) => {
        const busy = pending.has(i.id);
        const items: MenuItem[] = [];
        if (operate) {
          items.push({
            id: "test",
            label: "Test connection",
            icon: PlugZap,
            onSelect: () => void test(i),
          });
          items.push({
            id: "full",
            label: "Full sync",
            description: "Read every record again and check for deletions",
            icon: RefreshCw,
            onSelect: () => void syncNow(i, "full"),
          });
        }
        items.push({
          id: "history",
          label: "Sync history",
          icon: ListChecks,
          onSelect: () => setHistory(i),
        });
        const admin: MenuItem[] = manage
          ? [
            { id: "edit", label: "Edit", icon: Pencil, onSelect: () => setEditing(i) },
            {
              id: "schedule",
              label: "Schedule",
              icon: CalendarClock,
              onSelect: () => setScheduling(i),
            },
            {
              id: "delete",
              label: "Delete",
              icon: Trash,
              tone: "danger",
              onSelect: () => setDeleting(i),
            },
          ]
          : [];
        return (
          <div class="flex items-center justify-end gap-2">
            {operate && (
              <Button
                size="sm"
                variant="secondary"
                icon={RefreshCw}
                loading={busy && !i.active_sync}
                disabled={Boolean(i.active_sync) || busy}
                onClick={() => void syncNow(i, "incremental")}
                class="whitespace-nowrap"
                aria-label={`Sync now: ${i.name}`}
              >
                Sync now
              </Button>
            )}
            <Menu
              trigger={<Icon icon={Ellipsis} class="size-4" />}
              triggerLabel={`More actions for ${i.name}`}
              triggerClass="inline-flex h-8 w-8 items-center justify-center rounded-md text-fg-muted hover:bg-surface-muted hover:text-fg"
              align="right"
              groups={admin.length ? [{ items }, { items: admin }] : [{ items }]}
            />
          </div>
        );
      },
    },
  ];

  return (
    <>
      <PageHeader
        title="Instances"
        description={`The ServiceNow instances ${org.name} checks, how they're doing, and when they last synced.`}
        actions={manage && (
          <Button
            icon={Plus}
            onClick={() => setEditing("new")}
            disabled={status !== "ready" || atLimit}
          >
            Add instance
          </Button>
        )}
      />
      <div class="space-y-6">
        {!manage && status === "ready" && (
          <Alert tone="info" title="Read-only for your role">
            {operate
              ? "You can start syncs and test connections. Admins and owners add, edit, schedule and delete instances."
              : "Admins and owners manage instances; analysts can start syncs."}
          </Alert>
        )}
        {manage && atLimit && (
          <Alert tone="warning" title="Instance limit reached">
            Your plan allows {limit} instance{limit === 1 ? "" : "s"}. Remove one or{" "}
            <a class="font-medium underline" href="/app/billing">upgrade the plan</a>{" "}
            to add another.
          </Alert>
        )}
        <Card
          flush
          title="Connected instances"
          description="Credentials are encrypted and never shown."
        >
          {status === "error"
            ? (
              <EmptyState
                tone="error"
                title="We couldn't load the instances"
                description={model.error.value}
                action={
                  <Button
                    icon={RefreshCw}
                    variant="secondary"
                    onClick={() => void model.load()}
                  >
                    Try again
                  </Button>
                }
              />
            )
            : (
              <Table
                stackOnPhone
                caption={`ServiceNow instances of ${org.name}`}
                columns={columns}
                rows={instances}
                rowKey={(i) => i.id}
                loading={status === "loading"}
                initialSort={{ columnId: "instance", direction: "asc" }}
                empty={{
                  icon: Server,
                  title: "No instances yet",
                  description: manage
                    ? "Connect a ServiceNow instance to start checking it."
                    : "An admin or owner can connect a ServiceNow instance.",
                }}
              />
            )}
        </Card>
      </div>
      <InstanceFormModal
        key={editing === null ? "closed" : editing === "new" ? "new" : editing.id}
        open={editing !== null}
        editing={editing === "new" ? null : editing}
        onClose={() => setEditing(null)}
        onTest={(url, credentials) => {
          if (editing && editing !== "new") {
            return model.testSaved(editing.id, {
              ...(url !== editing.url ? { url } : {}),
              ...(credentials ? { credentials } : {}),
            });
          }
          if (!credentials) {
            return Promise.reject(
              new UserFacingError("credentials_required", "Enter the credentials first."),
            );
          }
          return model.testNew(url, credentials);
        }}
        onSave={async ({ name, url, credentials }) => {
          if (editing && editing !== "new") {
            const patch = {
              ...(name !== editing.name ? { name } : {}),
              ...(url !== editing.url ? { url } : {}),
              ...(credentials ? { credentials } : {}),
            };
            if (Object.keys(patch).length === 0) return;
            const saved = await model.update(editing.id, patch);
            toasts.success(`${saved.name} saved`);
            if (url !== editing.url || credentials) void model.testSaved(saved.id).catch(() => {});
          } else {
            if (!credentials) {
              throw new UserFacingError(
                "credentials_required",
                "Enter the credentials.",
              );
            }
            const saved = await model.add({ name, url, credentials });
            toasts.success(
              `${saved.name} added`,
              saved.active_sync
                ? "Its first sync has started; the analysis follows when it finishes."
                : "Start a sync to read its data.",
            );
          }
        }}
      />
      <ScheduleModal
        instance={scheduling}
        onClose={() => setScheduling(null)}
        onSave={async (schedule) => {
          const saved = await model.setSchedule(scheduling!.id, schedule);
          toasts.success(
            schedule
              ? `${saved.name} syncs ${scheduleText(saved, false).toLowerCase()}`
              : `${saved.name} syncs manually only`,
          );
        }}
      />
      <SyncHistoryDrawer instance={history} api={endpoints} onClose={() => setHistory(null)} />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.name ?? "instance"}?`}
        message={
          <>
            ComplianceIQ disconnects <strong class="text-fg">{deleting?.name}</strong>{" "}
            and deletes its synced records, sync history and schedule. The instance itself is not
            touched.
          </>
        }
        confirmLabel="Delete instance"
        onConfirm={async () => {
          const target = deleting!;
          try {
            await model.remove(target.id);
            toasts.success(`${target.name} deleted`);
          } catch (cause) {
            toasts.error("Instance not deleted", errorMessage(cause));
          }
          setDeleting(null);
        }}
        onCancel={() => setDeleting(null)}
      />
    </>
  );
}
