/**
 * Embed management (admins): the organization's embeds (or one widget's) with
 * status, expiry, last use and pinned version; create (token shown once),
 * move to another version, revoke.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Code } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { ConfirmDialog } from "../../components/confirm_dialog.tsx";
import { type Column, Table } from "../../components/table.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";
import { formatWhen } from "../dashboard/posture_ui.tsx";
import { CreateEmbedModal } from "./create_embed_modal.tsx";
import { type EmbedGate, embedGate, loadBilling } from "./embed_gate.ts";
import { MoveEmbedModal } from "./move_embed_modal.tsx";
import type { EmbedItem, WidgetItem, WidgetsApi } from "./widgets_api.ts";

const STATUS_TONES = { active: "success", expired: "warning", revoked: "neutral" } as const;

/** The embeds card; with `widget`, that widget's embeds and a create button. */
export function EmbedsPanel(
  props: { api: WidgetsApi; orgId: string; widget?: WidgetItem },
): JSX.Element {
  const { api: appApi, toasts } = useApp();
  const [embeds, setEmbeds] = useState<EmbedItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [gate, setGate] = useState<EmbedGate | null>(null);
  const [creating, setCreating] = useState(false);
  const [moving, setMoving] = useState<EmbedItem | null>(null);
  const [revoking, setRevoking] = useState<EmbedItem | null>(null);
  const w = props.widget;

  async function load(): Promise<void> {
    try {
      const [all, billing] = await Promise.all([
        props.api.embeds(props.orgId),
        loadBilling(appApi, props.orgId),
      ]);
      setEmbeds(all);
      const live = all.filter((e) => e.status === "active").length;
      setGate(billing ? embedGate(billing, live) : null);
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }
  useEffect(() => void load(), [props.orgId, w?.id]);
  const replace = (e: EmbedItem) =>
    setEmbeds((prev) => prev?.map((x) => (x.id === e.id ? e : x)) ?? null);

  const columns: Column<EmbedItem>[] = [
    {
      id: "name",
      primary: true,
      header: "Embed",
      cell: (e) => (
        <div class="min-w-0">
          <p class="font-medium text-fg">{e.name}</p>
          <p class="truncate text-xs text-fg-muted">{e.widget_name} · {e.prefix.slice(0, 18)}…</p>
        </div>
      ),
    },
    {
      id: "status",
      header: "Status",
      cell: (e) => <Badge tone={STATUS_TONES[e.status]}>{e.status}</Badge>,
    },
    { id: "version", header: "Pinned version", align: "right", cell: (e) => e.version },
    {
      id: "expires",
      header: "Expires",
      cell: (e) => e.expires_at ? formatWhen(e.expires_at) : "Never",
    },
    {
      id: "used",
      header: "Last used",
      cell: (e) => e.last_used_at ? formatWhen(e.last_used_at) : "Never",
    },
    {
      id: "actions",
      header: "Actions",
      hideHeader: true,
      align: "right",
      cell: (e) =>
        e.status !== "revoked" && (
          <div class="flex justify-end gap-1">
            {w && (
              <Button
                size="sm"
                variant="ghost"
                onClick={() => setMoving(e)}
                aria-label={`Move ${e.name} to another version`}
              >
                Move
              </Button>
            )}
            <Button
              size="sm"
              variant="ghost"
              class="text-red-700 hover:text-red-800 dark:text-red-300 dark:hover:text-red-200"
              onClick={() => setRevoking(e)}
              aria-label={`Revoke ${e.name}`}
            >
              Revoke
            </Button>
          </div>
        ),
    },
  ];
  const rows = (embeds ?? []).filter((e) => !w || e.widget_id === w.id);
  return (
    <Card
      flush
      title={w ? "Embeds of this widget" : "Embeds"}
      description="Read-only views for pages outside the app; no sign-in. Each shows one pinned version."
      actions={w && (
        <Button icon={Code} disabled={gate !== null} onClick={() => setCreating(true)}>
          Embed
        </Button>
      )}
    >
      {gate && (
        <div class="px-4 pt-4">
          <Alert tone="warning" title="Embeds are not available">
            {gate.reason} {gate.upgradeTo && (
              <a class="font-medium underline" href="/app/billing">
                Upgrade to {gate.upgradeTo[0]!.toUpperCase() + gate.upgradeTo.slice(1)}
              </a>
            )}
          </Alert>
        </div>
      )}
      {error ? <p class="p-4 text-sm text-red-700 dark:text-red-300">{error}</p> : (
        <Table
          stackOnPhone
          caption={w ? `Embeds of ${w.name}` : "Embeds of the organization"}
          columns={columns}
          rows={rows}
          rowKey={(e) => e.id}
          loading={embeds === null}
          pageSize={20}
          empty={{
            icon: Code,
            title: "No embeds",
            description: w
              ? "Embed this widget to show it on a portal page, a wiki or a status site."
              : "Open a widget to embed it.",
          }}
        />
      )}
      {w && (
        <CreateEmbedModal
          open={creating}
          api={props.api}
          orgId={props.orgId}
          widget={w}
          onClose={() => setCreating(false)}
          onCreated={(e) => setEmbeds((prev) => [e, ...(prev ?? [])])}
        />
      )}
      <MoveEmbedModal
        embed={moving}
        latest={w?.current_version ?? 1}
        onClose={() => setMoving(null)}
        onMove={async (version) => {
          replace(await props.api.moveEmbed(props.orgId, moving!.id, version));
          toasts.success(`“${moving!.name}” now shows version ${version}`);
          setMoving(null);
        }}
      />
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke embed?"
        message={revoking && (
          <>
            <strong class="text-fg">{revoking.name}</strong>{" "}
            stops showing at once: every page that embeds it gets “gone” (410). This cannot be
            undone.
          </>
        )}
        confirmLabel="Revoke embed"
        onConfirm={async () => {
          replace(await props.api.revokeEmbed(props.orgId, revoking!.id));
          toasts.success(`“${revoking!.name}” is revoked`);
          setRevoking(null);
        }}
        onCancel={() => setRevoking(null)}
      />
    </Card>
  );
}
