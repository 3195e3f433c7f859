/**
 * One widget: its configuration form with a live preview, save (a new
 * version), rename, delete, the version history and (admins) its embeds.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { ArrowLeft, Pencil, RefreshCw, Save, Trash2 } from "lucide";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { Icon } from "../../components/icon.tsx";
import { ConfirmDialog } from "../../components/confirm_dialog.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { Skeleton } from "../../components/loader.tsx";
import { ApiError, errorMessage } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";
import { can } from "../../../shared/permissions/mod.ts";
import { configErrors, ConfigForm } from "./config_form.tsx";
import { EmbedsPanel } from "./embeds_panel.tsx";
import { RenameModal } from "./rename_modal.tsx";
import { VersionHistory } from "./version_history.tsx";
import { WidgetPreview } from "./widget_preview.tsx";
import {
  createWidgetsApi,
  type WidgetConfig,
  type WidgetItem,
  type WidgetTemplateInfo,
} from "./widgets_api.ts";

/** The editor of one widget. */
export function WidgetEditor(props: { widgetId: string }): JSX.Element {
  const { api, orgs, toasts } = useApp();
  const org = orgs.current.value!;
  const { route } = useLocation();
  const widgetsApi = useMemo(() => createWidgetsApi(api), [api]);
  const [widget, setWidget] = useState<WidgetItem | null>(null);
  const [template, setTemplate] = useState<WidgetTemplateInfo | null>(null);
  const [draft, setDraft] = useState<WidgetConfig>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const write = can(org.role, "widgets.write");

  function show(w: WidgetItem): void {
    setWidget(w);
    setDraft(w.config);
    setErrors({});
  }
  async function load(): Promise<void> {
    setLoadError(null);
    try {
      const [w, templates] = await Promise.all([
        widgetsApi.list(org.id).then((all) => all.find((x) => x.id === props.widgetId)),
        widgetsApi.templates(),
      ]);
      if (!w) throw new Error("This widget does not exist (any more) in this organization.");
      setTemplate(templates.find((t) => t.id === w.template) ?? null);
      show(w);
    } catch (cause) {
      setLoadError(errorMessage(cause));
    }
  }
  useEffect(() => void load(), [props.widgetId, org.id]);

  async function save(): Promise<void> {
    setSaving(true);
    try {
      const w = await widgetsApi.update(props.widgetId, { config: draft });
      show(w);
      toasts.success(`Saved as version ${w.current_version}`);
    } catch (cause) {
      if (cause instanceof ApiError) setErrors(configErrors(cause.details));
      toasts.error(errorMessage(cause));
    } finally {
      setSaving(false);
    }
  }

  if (loadError) {
    return (
      <EmptyState
        tone="error"
        titleAs="h1"
        title="We couldn't open this widget"
        description={loadError}
        action={
          <div class="flex gap-2">
            <Button variant="secondary" icon={ArrowLeft} onClick={() => route("/app/widgets")}>
              All widgets
            </Button>
            <Button variant="secondary" icon={RefreshCw} onClick={() => void load()}>
              Try again
            </Button>
          </div>
        }
      />
    );
  }
  if (!widget) return <Skeleton class="h-64" />;
  const dirty = JSON.stringify(draft) !== JSON.stringify(widget.config);
  return (
    <>
      <a
        href="/app/widgets"
        class="mb-2 inline-flex items-center gap-1 text-sm text-fg-muted hover:underline"
      >
        <Icon icon={ArrowLeft} class="size-4" /> All widgets
      </a>
      <PageHeader
        title={widget.name}
        description={`${template?.title ?? widget.template} · version ${widget.current_version}`}
        actions={write && (
          <div class="flex gap-2">
            <Button variant="secondary" icon={Pencil} onClick={() => setRenaming(true)}>
              Rename
            </Button>
            <Button variant="danger" icon={Trash2} onClick={() => setDeleting(true)}>
              Delete
            </Button>
          </div>
        )}
      />
      <div class="space-y-6">
        <div class="grid gap-4 lg:grid-cols-2 *:min-w-0">
          <Card
            title="Configuration"
            description={template?.description}
            footer={write && (
              <div class="flex items-center justify-end gap-2">
                {dirty && (
                  <Button variant="ghost" onClick={() => show(widget)}>Discard changes</Button>
                )}
                <Button icon={Save} disabled={!dirty} loading={saving} onClick={() => void save()}>
                  Save as version {widget.current_version + 1}
                </Button>
              </div>
            )}
          >
            {template
              ? (
                <ConfigForm
                  schema={template.config_schema}
                  value={draft}
                  onValue={(v) => (setDraft(v), setErrors({}))}
                  errors={errors}
                  disabled={!write}
                />
              )
              : <p class="text-sm text-fg-muted">Unknown template “{widget.template}”.</p>}
          </Card>
          <Card title="Preview" description={dirty ? "Unsaved changes" : "The current version"}>
            <WidgetPreview
              label={`Preview of ${widget.name}`}
              load={() => widgetsApi.preview(org.id, widget.template, draft)}
              deps={[JSON.stringify(draft)]}
              delayMs={300}
            />
          </Card>
        </div>
        <VersionHistory
          api={widgetsApi}
          widget={widget}
          canWrite={write}
          onRolledBack={(
            w,
          ) => (show(w), toasts.success(`Rolled back: now version ${w.current_version}`))}
        />
        {can(org.role, "widgets.embed") && (
          <EmbedsPanel api={widgetsApi} orgId={org.id} widget={widget} />
        )}
      </div>
      <RenameModal
        open={renaming}
        name={widget.name}
        onClose={() => setRenaming(false)}
        onRename={async (name) => {
          show(await widgetsApi.update(widget.id, { name }));
          setRenaming(false);
          toasts.success(`Renamed to “${name}”`);
        }}
      />
      <ConfirmDialog
        open={deleting}
        title="Delete widget?"
        message={
          <>
            <strong class="text-fg">{widget.name}</strong>{" "}
            and all its versions are deleted. A widget with a live embed cannot be deleted until an
            admin revokes the embed.
          </>
        }
        confirmLabel="Delete widget"
        onConfirm={async () => {
          await widgetsApi.remove(widget.id);
          toasts.success(`“${widget.name}” deleted`);
          route("/app/widgets");
        }}
        onCancel={() => setDeleting(false)}
      />
    </>
  );
}
