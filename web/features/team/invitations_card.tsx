import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { MailPlus, RefreshCw } from "lucide";
import { Badge, type BadgeTone } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { ConfirmDialog } from "../../components/confirm_dialog.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { type Column, Table } from "../../components/table.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { InvitableRole, Invitation } from "../../lib/api_types.ts";
import { formatDate } from "../../lib/format.ts";
import { useApp } from "../../app/services.ts";
import { InviteModal } from "./invite_modal.tsx";
import { ROLE_LABELS } from "./team_rules.ts";

const STATUS: Record<Invitation["status"], { label: string; tone: BadgeTone }> = {
  pending: { label: "Pending", tone: "info" },
  expired: { label: "Expired", tone: "warning" },
  accepted: { label: "Accepted", tone: "success" },
  revoked: { label: "Revoked", tone: "neutral" },
};

/** Roles an invitation can grant, most privileged first. */
export const INVITABLE_ROLES: InvitableRole[] = ["admin", "analyst", "auditor", "viewer"];

/** Props of {@linkcode InvitationsCard}. */
export interface InvitationsCardProps {
  orgId: string;
  orgName: string;
  /** The invite form is open (the page header's button opens it too). */
  inviting: boolean;
  onInvitingChange: (open: boolean) => void;
}

/** Invitations of the organization with their state; invite, resend and revoke (admins). */
export function InvitationsCard(props: InvitationsCardProps): JSX.Element {
  const { api, toasts } = useApp();
  const [rows, setRows] = useState<Invitation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);

  async function load(): Promise<void> {
    setError(null);
    try {
      setRows(await api.organizations.listInvitations(props.orgId));
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }
  useEffect(() => void load(), [props.orgId]);

  async function resend(invitation: Invitation): Promise<void> {
    setBusy(invitation.id);
    try {
      await api.organizations.resendInvitation(props.orgId, invitation.id);
      toasts.success(
        `Sent a new link to ${invitation.email}`,
        "The previous link no longer works.",
      );
      await load();
    } catch (cause) {
      toasts.error("Invitation not resent", errorMessage(cause));
    } finally {
      setBusy(null);
    }
  }

  const columns: Column<Invitation>[] = [
    {
      id: "email",
      primary: true,
      header: "Email",
      sortValue: (i) => i.email,
      cell: (i) => <span class="break-all font-medium text-fg">{i.email}</span>,
    },
    { id: "role", header: "Role", cell: (i) => ROLE_LABELS[i.role] },
    {
      id: "status",
      header: "Status",
      sortValue: (i) => i.status,
      cell: (i) => (
        <div class="space-y-0.5">
          <Badge tone={STATUS[i.status].tone}>{STATUS[i.status].label}</Badge>
          {i.status === "pending" && (
            <p class="text-xs text-fg-muted">Expires {formatDate(i.expires_at)}</p>
          )}
        </div>
      ),
    },
    {
      id: "sent",
      header: "Sent",
      sortValue: (i) => i.sent_at,
      cell: (i) => (
        <span class="whitespace-nowrap text-fg-muted">
          {formatDate(i.sent_at)}
          {i.invited_by_email && <span class="block text-xs">by {i.invited_by_email}</span>}
        </span>
      ),
    },
    {
      id: "actions",
      header: "Actions",
      hideHeader: true,
      align: "right",
      cell: (i) =>
        i.status === "pending" || i.status === "expired"
          ? (
            <div class="flex justify-end gap-1">
              <Button
                variant="ghost"
                size="sm"
                loading={busy === i.id}
                onClick={() => void resend(i)}
                aria-label={`Resend the invitation to ${i.email}`}
              >
                Resend
              </Button>
              <Button
                variant="ghost"
                size="sm"
                class="text-red-700 hover:text-red-800 dark:text-red-300 dark:hover:text-red-200"
                onClick={() => setRevoking(i)}
                aria-label={`Revoke the invitation to ${i.email}`}
              >
                Revoke
              </Button>
            </div>
          )
          : null,
    },
  ];

  return (
    <>
      <Card
        flush
        title="Invitations"
        description="People invited by email. A link works once; resending replaces it."
        actions={
          <Button
            size="sm"
            variant="secondary"
            icon={MailPlus}
            onClick={() => props.onInvitingChange(true)}
          >
            Invite
          </Button>
        }
      >
        {error
          ? (
            <EmptyState
              tone="error"
              title="We couldn't load the invitations"
              description={error}
              action={
                <Button icon={RefreshCw} variant="secondary" onClick={() => void load()}>
                  Try again
                </Button>
              }
            />
          )
          : (
            <Table
              stackOnPhone
              caption={`Invitations to ${props.orgName}`}
              columns={columns}
              rows={rows ?? []}
              rowKey={(i) => i.id}
              loading={rows === null}
              pageSize={10}
              empty={{
                icon: MailPlus,
                title: "No invitations yet",
                description: "Invite a teammate by email, whether or not they have an account.",
              }}
            />
          )}
      </Card>
      <InviteModal
        open={props.inviting}
        onClose={() => props.onInvitingChange(false)}
        roles={INVITABLE_ROLES}
        onInvite={async (email, role) => {
          const sent = await api.organizations.invite(props.orgId, { email, role });
          toasts.success(
            `Invitation sent to ${sent.email}`,
            `They join as ${ROLE_LABELS[role].toLowerCase()} when they open the link.`,
          );
          await load();
        }}
      />
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke invitation?"
        message={revoking && (
          <>
            The link sent to <strong class="text-fg">{revoking.email}</strong>{" "}
            stops working at once. You can invite them again later.
          </>
        )}
        confirmLabel="Revoke invitation"
        onConfirm={async () => {
          if (!revoking) return;
          await api.organizations.revokeInvitation(props.orgId, revoking.id);
          toasts.success(`Invitation to ${revoking.email} revoked`);
          setRevoking(null);
          await load();
        }}
        onCancel={() => setRevoking(null)}
      />
    </>
  );
}
