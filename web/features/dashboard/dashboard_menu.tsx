/**
 * What a member can do with the dashboard shown: edit its layout (its owner,
 * or an admin for the organization's), make a personal dashboard, rename or
 * delete a personal one.
 *
 * @module
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { LayoutGrid, Pencil, Plus, Trash2 } from "lucide";
import { Button } from "../../components/button.tsx";
import { ConfirmDialog } from "../../components/confirm_dialog.tsx";
import { Input } from "../../components/input.tsx";
import { useApp } from "../../app/services.ts";
import { errorMessage } from "../../lib/api_error.ts";
import { typedClient } from "../../lib/typed_client.ts";
import type { BoardDashboard } from "./dashboard_board.tsx";

/** Props of {@linkcode DashboardMenu}. */
export interface DashboardMenuProps {
  orgId: string;
  current: BoardDashboard | null;
  onEdit: () => void;
  /** After a create, rename or delete: the dashboard to show (null: the first). */
  onChanged: (id: string | null) => void;
}

/** Edit layout, new, rename and delete. */
export function DashboardMenu(props: DashboardMenuProps): JSX.Element {
  const { api } = useApp();
  const call = typedClient(api);
  const [naming, setNaming] = useState<"new" | "rename" | null>(null);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const current = props.current;
  const personal = current?.scope === "personal";

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    setBusy(true);
    try {
      const res = naming === "rename" && current
        ? await call("PATCH /widgets/dashboards/:dashboardId", {
          params: { dashboardId: current.id },
          body: { version: current.version, name },
        })
        : await call("POST /widgets/dashboards", {
          body: { org_id: props.orgId, name, scope: "personal" },
        });
      setNaming(null);
      setError(null);
      props.onChanged(res.data.id);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }

  if (naming) {
    return (
      <form class="flex flex-wrap items-end gap-2" onSubmit={submit}>
        <Input
          label={naming === "new" ? "New dashboard's name" : "Dashboard name"}
          value={name}
          onValue={setName}
          required
          maxLength={100}
          error={error}
        />
        <Button type="submit" loading={busy}>{naming === "new" ? "Create" : "Rename"}</Button>
        <Button variant="ghost" onClick={() => setNaming(null)}>Cancel</Button>
      </form>
    );
  }
  return (
    <div class="flex flex-wrap items-end gap-2">
      {current?.editable && (
        <Button variant="secondary" icon={LayoutGrid} onClick={props.onEdit}>Edit layout</Button>
      )}
      <Button
        variant="ghost"
        icon={Plus}
        onClick={() => {
          setName("");
          setNaming("new");
        }}
      >
        New personal dashboard
      </Button>
      {personal && current && (
        <>
          <Button
            variant="ghost"
            icon={Pencil}
            onClick={() => {
              setName(current.name);
              setNaming("rename");
            }}
          >
            Rename
          </Button>
          <Button variant="ghost" icon={Trash2} onClick={() => setDeleting(true)}>Delete</Button>
          <ConfirmDialog
            open={deleting}
            title="Delete this dashboard?"
            message={`“${current.name}” and its layout go; the widgets on it stay.`}
            confirmLabel="Delete dashboard"
            onConfirm={async () => {
              await call("DELETE /widgets/dashboards/:dashboardId", {
                params: { dashboardId: current.id },
              });
              setDeleting(false);
              props.onChanged(null);
            }}
            onCancel={() => setDeleting(false)}
          />
        </>
      )}
    </div>
  );
}
