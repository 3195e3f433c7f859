/**
 * The Dashboard page's widgets: the organization's dashboard or one of the
 * member's personal dashboards, and "Edit layout" (add, remove, move, resize;
 * save or cancel). A save names the version it started from; when someone
 * saved in between, the page says so and reloads.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Loader } from "../../components/loader.tsx";
import { Select } from "../../components/select.tsx";
import { useApp } from "../../app/services.ts";
import { allPages } from "../../lib/all_pages.ts";
import { ApiError, errorMessage } from "../../lib/api_error.ts";
import { browserStore } from "../../lib/storage.ts";
import { type ResponseOf, typedClient } from "../../lib/typed_client.ts";
import { DashboardGrid } from "./dashboard_grid.tsx";
import { DashboardMenu } from "./dashboard_menu.tsx";
import { add, type Tile } from "./layout_edit.ts";
import type { TileContext } from "./widget_tile.tsx";

/** A dashboard as the API serves it. */
export type BoardDashboard = ResponseOf<"GET /widgets/dashboards">["data"][number];
type Widget = ResponseOf<"GET /widgets">["data"][number];

// The dashboard last shown in each organization is shown again next time.
const store = browserStore();
const shownKey = (orgId: string) => `ciq.dashboard.${orgId}`;

/** The dashboards and widgets of the organization, and the one shown. */
export function DashboardBoard(props: { orgId: string; context: TileContext }): JSX.Element {
  const { api } = useApp();
  const call = useMemo(() => typedClient(api), [api]);
  const [dashboards, setDashboards] = useState<BoardDashboard[] | null>(null);
  const [widgets, setWidgets] = useState<Widget[]>([]);
  const [selected, setSelectedState] = useState(() => store.getItem(shownKey(props.orgId)) ?? "");
  const setSelected = (update: string | ((s: string) => string)) =>
    setSelectedState((s) => {
      const next = typeof update === "function" ? update(s) : update;
      store.setItem(shownKey(props.orgId), next);
      return next;
    });
  const [draft, setDraft] = useState<Tile[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    const query = { org_id: props.orgId };
    // Dashboards first: the first visit creates the default dashboard and its
    // widgets, which the widget list must then include (read in parallel on
    // another connection, it would not see them yet).
    (async () => {
      const d = await call("GET /widgets/dashboards", { query });
      const w = await allPages((cursor) =>
        call("GET /widgets", { query: { ...query, limit: 200, cursor } })
      );
      setDashboards(d.data);
      setWidgets(w);
      setSelected((s) => d.data.some((x) => x.id === s) ? s : d.data[0]?.id ?? "");
    })().catch((cause) => setError(errorMessage(cause)));
  }, [props.orgId, reload]);

  if (!dashboards) {
    return error
      ? <Alert tone="error" title="The dashboards could not be loaded">{error}</Alert>
      : <Loader label="Loading the dashboard's widgets" class="py-12" />;
  }
  const current = dashboards.find((d) => d.id === selected) ?? dashboards[0];
  const names = new Map(widgets.map((w) => [w.id, w.name]));
  const tiles = draft ?? current?.layout ?? [];
  const addable = widgets.filter((w) => !tiles.some((t) => t.widget_id === w.id));

  async function save(): Promise<void> {
    if (!current || !draft) return;
    setSaving(true);
    try {
      const res = await call("PATCH /widgets/dashboards/:dashboardId", {
        params: { dashboardId: current.id },
        body: { version: current.version, layout: draft },
      });
      setDashboards(dashboards!.map((d) => d.id === current.id ? res.data : d));
      setDraft(null);
      setError(null);
    } catch (cause) {
      setError(errorMessage(cause));
      if (cause instanceof ApiError && cause.status === 409) {
        setDraft(null);
        setReload((n) => n + 1);
      }
    } finally {
      setSaving(false);
    }
  }

  return (
    <div class="space-y-4">
      <div class="flex flex-wrap items-end gap-3">
        <Select
          label="Showing"
          value={current?.id ?? ""}
          onValue={(id) => {
            setSelected(id);
            setDraft(null);
          }}
          options={dashboards.map((d) => ({
            value: d.id,
            label: d.scope === "organization" ? `${d.name} (organization)` : d.name,
          }))}
          disabled={draft !== null}
        />
        {draft === null && (
          <DashboardMenu
            orgId={props.orgId}
            current={current ?? null}
            onEdit={() => setDraft(current?.layout ?? [])}
            onChanged={(id) => {
              if (id) setSelected(id);
              setReload((n) => n + 1);
            }}
          />
        )}
        {draft !== null && (
          <EditToolbar
            addable={addable}
            saving={saving}
            onAdd={(id) => setDraft(add(draft, id))}
            onSave={save}
            onCancel={() => setDraft(null)}
          />
        )}
      </div>
      {error && <Alert tone="error" title="The dashboard was not saved">{error}</Alert>}
      {tiles.length === 0
        ? (
          <Alert tone="info" title="No widgets on this dashboard">
            {current?.editable
              ? "Choose “Edit layout” and add widgets of the organization."
              : "An admin can add widgets to it."}
          </Alert>
        )
        : (
          <DashboardGrid
            tiles={tiles}
            names={names}
            context={props.context}
            editing={draft !== null}
            onChange={setDraft}
          />
        )}
    </div>
  );
}

/** Edit mode's bar: add a widget, save, cancel. */
function EditToolbar(props: {
  addable: Widget[];
  saving: boolean;
  onAdd: (widgetId: string) => void;
  onSave: () => void;
  onCancel: () => void;
}): JSX.Element {
  const [adding, setAdding] = useState("");
  return (
    <div class="flex flex-wrap items-end gap-2">
      <Select
        label="Add a widget"
        value={adding}
        onValue={setAdding}
        options={[
          { value: "", label: props.addable.length ? "Choose a widget" : "Every widget is here" },
          ...props.addable.map((w) => ({ value: w.id, label: w.name })),
        ]}
      />
      <Button
        variant="secondary"
        disabled={!adding}
        onClick={() => {
          props.onAdd(adding);
          setAdding("");
        }}
      >
        Add
      </Button>
      <Button loading={props.saving} onClick={props.onSave}>Save layout</Button>
      <Button variant="ghost" onClick={props.onCancel}>Cancel</Button>
    </div>
  );
}
