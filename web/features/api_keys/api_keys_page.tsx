import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { KeyRound, Plus, RefreshCw } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { ConfirmDialog } from "../../components/confirm_dialog.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { type Column, Table } from "../../components/table.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { formatDate } from "../../lib/format.ts";
import { useApp } from "../../app/services.ts";
import { can } from "../../../shared/permissions/mod.ts";
import { type ApiKeyItem, createApiKeysApi, statusBadge } from "./api_keys_model.ts";
import { CreateKeyModal } from "./create_key_modal.tsx";

function dateOrDash(iso: string | null): JSX.Element {
  return <span class="whitespace-nowrap text-fg-muted">{iso ? formatDate(iso) : "—"}</span>;
}

/** `/app/settings/api-keys`: the organization's API keys (admins create and revoke). */
export function ApiKeysPage(): JSX.Element {
  const { api, orgs, toasts } = useApp();
  const org = orgs.current.value!;
  const keysApi = useMemo(() => createApiKeysApi(api), [api]);
  const [keys, setKeys] = useState<ApiKeyItem[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKeyItem | null>(null);
  const manage = can(org.role, "api_keys.manage");
  const read = can(org.role, "api_keys.read");

  async function load(): Promise<void> {
    setLoadError(null);
    try {
      setKeys(await keysApi.list(org.id));
    } catch (cause) {
      setLoadError(errorMessage(cause));
    }
  }
  useEffect(() => {
    setKeys(null);
    if (read) void load();
  }, [org.id, read]);

  async function revoke(key: ApiKeyItem): Promise<void> {
    const updated = await keysApi.revoke(org.id, key.id);
    setKeys((prev) => prev?.map((k) => (k.id === updated.id ? updated : k)) ?? null);
    setRevoking(null);
    toasts.success(`“${key.name}” is revoked: it is refused from now on`);
  }

  const columns: Column<ApiKeyItem>[] = [
    {
      id: "name",
      primary: true,
      header: "Key",
      sortValue: (k) => k.name,
      cell: (k) => (
        <div class="min-w-0">
          <p class="font-medium text-fg">{k.name}</p>
          <p class="truncate font-mono text-xs text-fg-muted" title={k.prefix}>
            {k.prefix.slice(0, 17)}…
          </p>
        </div>
      ),
    },
    {
      id: "role",
      header: "Role",
      sortValue: (k) => k.role,
      cell: (k) => <Badge tone={k.role === "analyst" ? "brand" : "neutral"}>{k.role}</Badge>,
    },
    {
      id: "status",
      header: "Status",
      sortValue: (k) => k.status,
      cell: (k) => {
        const badge = statusBadge(k);
        return <Badge tone={badge.tone}>{badge.label}</Badge>;
      },
    },
    {
      id: "created",
      header: "Created",
      sortValue: (k) => k.created_at,
      cell: (k) => (
        <div class="text-fg-muted">
          {dateOrDash(k.created_at)}
          <p class="truncate text-xs">{k.created_by?.email ?? "a former member"}</p>
        </div>
      ),
    },
    { id: "expires", header: "Expires", cell: (k) => dateOrDash(k.expires_at) },
    {
      id: "used",
      header: "Last used",
      sortValue: (k) => k.last_used_at,
      cell: (k) => (
        <div class="text-fg-muted">
          {k.last_used_at ? dateOrDash(k.last_used_at) : "Never"}
          {k.last_used_address && <p class="text-xs">from {k.last_used_address}</p>}
        </div>
      ),
    },
    { id: "calls", header: "Calls today", align: "right", cell: (k) => k.calls_today },
    {
      id: "actions",
      header: "Actions",
      hideHeader: true,
      align: "right",
      cell: (k) =>
        manage && k.status !== "revoked" && (
          <Button
            variant="ghost"
            size="sm"
            class="text-red-700 hover:text-red-800 dark:text-red-300 dark:hover:text-red-200"
            onClick={() => setRevoking(k)}
            aria-label={`Revoke ${k.name}`}
          >
            Revoke
          </Button>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title="API keys"
        description={`Keys let scripts and integrations call the ComplianceIQ API for ${org.name}, with a viewer or analyst role of their own.`}
        actions={manage && (
          <Button icon={Plus} onClick={() => setCreating(true)}>
            Create key
          </Button>
        )}
      />
      <div class="space-y-6">
        {!read
          ? (
            <Alert tone="info" title="Only admins and owners manage API keys">
              Ask an admin of {org.name} if a script or integration needs access.
            </Alert>
          )
          : (
            <Card flush title="Keys" description="Send a key as “Authorization: Bearer …”.">
              {loadError
                ? (
                  <EmptyState
                    tone="error"
                    title="We couldn't load the API keys"
                    description={loadError}
                    action={
                      <Button
                        icon={RefreshCw}
                        variant="secondary"
                        onClick={() => void load()}
                      >
                        Try again
                      </Button>
                    }
                  />
                )
                : (
                  <Table
                    stackOnPhone
                    caption={`API keys of ${org.name}`}
                    columns={columns}
                    rows={keys ?? []}
                    rowKey={(k) => k.id}
                    loading={keys === null}
                    pageSize={20}
                    empty={{
                      icon: KeyRound,
                      title: "No API keys yet",
                      description:
                        "Create a key for a CI job, a SIEM export or a script that starts an analysis.",
                    }}
                  />
                )}
            </Card>
          )}
      </div>
      <CreateKeyModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreate={async (input) => {
          const created = await keysApi.create(org.id, input);
          setKeys((prev) => [created.api_key, ...(prev ?? [])]);
          return created;
        }}
      />
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke API key?"
        message={revoking && (
          <>
            <strong class="text-fg">{revoking.name}</strong>{" "}
            stops working on its next request, everywhere. This cannot be undone.
          </>
        )}
        confirmLabel="Revoke key"
        onConfirm={() => (revoking ? revoke(revoking) : undefined)}
        onCancel={() => setRevoking(null)}
      />
    </>
  );
}
