import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { LogOut, RefreshCw, UserPlus, UsersRound } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Badge, type BadgeTone } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { ConfirmDialog } from "../../components/confirm_dialog.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { ProgressBar } from "../../components/progress_bar.tsx";
import { Select } from "../../components/select.tsx";
import { type Column, Table } from "../../components/table.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { Member, OrgDetail, Role } from "../../lib/api_types.ts";
import { ROLES } from "../../lib/api_types.ts";
import { formatDate, initials } from "../../lib/format.ts";
import { useApp } from "../../app/services.ts";
import { InvitationsCard } from "./invitations_card.tsx";
import { OwnershipCard } from "./ownership_card.tsx";
import { createTeamModel } from "./team_model.ts";
import {
  canManageMembers,
  grantableRoles,
  leaveRefusal,
  removalRefusal,
  ROLE_DESCRIPTIONS,
  ROLE_LABELS,
  roleChangeRefusal,
} from "./team_rules.ts";

const ROLE_TONES: Record<Role, BadgeTone> = {
  owner: "brand",
  admin: "info",
  analyst: "success",
  auditor: "warning",
  viewer: "neutral",
};

/** A member's name for display: their display name, else their email. */
function memberName(member: Member): string {
  return member.display_name?.trim() || member.email;
}

/** `/app/team`: members and their roles, invitations, ownership, removing and leaving. */
export function TeamPage(): JSX.Element {
  const { api, orgs, session, toasts } = useApp();
  const { route } = useLocation();
  const org = orgs.current.value!;
  const userId = session.user.value!.id;
  const team = useMemo(
    () =>
      createTeamModel(api, {
        orgId: org.id,
        userId,
        role: orgs.role,
        onAccessChanged: () => void orgs.reload(),
      }),
    [org.id, userId],
  );
  const [detail, setDetail] = useState<OrgDetail | null>(null);
  const [inviting, setInviting] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [leaving, setLeaving] = useState(false);
  const [, setTick] = useState(0);

  useEffect(() => {
    void team.load();
    api.organizations.get(org.id).then(setDetail, () => setDetail(null));
  }, [team]);

  const actor = team.actor.value;
  const manage = canManageMembers(actor.role);
  const members = team.members.value;
  const status = team.status.value;
  const pending = team.pending.value;

  async function changeRole(member: Member, role: Role): Promise<void> {
    const refusal = roleChangeRefusal(actor, { userId: member.user_id, role: member.role }, role);
    if (refusal) {
      toasts.error("Role not changed", refusal);
      setTick((n) => n + 1);
      return;
    }
    try {
      await team.changeRole(member.user_id, role);
      toasts.success(`${memberName(member)} is now ${ROLE_LABELS[role].toLowerCase()}`);
    } catch (cause) {
      toasts.error("Role not changed", errorMessage(cause));
    }
  }

  async function remove(member: Member): Promise<void> {
    await team.remove(member.user_id);
    setRemoving(null);
    toasts.success(`${memberName(member)} was removed from ${org.name}`);
  }

  async function leave(): Promise<void> {
    await team.leave();
    setLeaving(false);
    toasts.success(`You left ${org.name}`);
    await orgs.reload();
    route("/app", true);
  }

  const columns: Column<Member>[] = [
    {
      id: "member",
      primary: true,
      header: "Member",
      sortValue: (m) => (memberName(m)).toLowerCase(),
      cell: (m) => (
        <div class="flex items-center gap-3">
          <span
            class="flex size-8 shrink-0 items-center justify-center rounded-full bg-surface-sunken text-xs font-semibold text-fg-muted"
            aria-hidden="true"
          >
            {initials(memberName(m))}
          </span>
          <div class="min-w-0">
            <p class="truncate font-medium text-fg">
              {memberName(m)}
              {m.user_id === userId && (
                <span class="ml-1.5 text-xs font-normal text-fg-muted">(you)</span>
              )}
            </p>
            {memberName(m) !== m.email && <p class="truncate text-xs text-fg-muted">{m.email}</p>}
          </div>
        </div>
      ),
    },
    {
      id: "role",
      header: "Role",
      sortValue: (m) => ROLES.indexOf(m.role),
      cell: (m) => {
        const editable = manage && (actor.role === "owner" || m.role !== "owner");
        if (!editable) {
          return (
            <Badge tone={ROLE_TONES[m.role]}>
              {ROLE_LABELS[m.role]}
            </Badge>
          );
        }
        const roles = grantableRoles(actor.role);
        return (
          <Select
            label={`Role of ${memberName(m)}`}
            hideLabel
            size="sm"
            class="w-32"
            value={m.role}
            disabled={pending.has(m.user_id)}
            options={(roles.includes(m.role) ? roles : [m.role, ...roles]).map((r) => ({
              value: r,
              label: ROLE_LABELS[r],
            }))}
            onValue={(role) => void changeRole(m, role)}
          />
        );
      },
    },
    {
      id: "joined",
      header: "Joined",
      sortValue: (m) => m.joined_at,
      cell: (m) => <span class="whitespace-nowrap text-fg-muted">{formatDate(m.joined_at)}</span>,
    },
    {
      id: "actions",
      header: "Actions",
      hideHeader: true,
      align: "right",
      cell: (m) => {
        if (m.user_id === userId) {
          if (leaveRefusal(actor)) return null;
          return (
            <Button variant="ghost" size="sm" icon={LogOut} onClick={() => setLeaving(true)}>
              Leave
            </Button>
          );
        }
        if (removalRefusal(actor, { userId: m.user_id, role: m.role })) return null;
        return (
          <Button
            variant="ghost"
            size="sm"
            class="text-red-700 hover:text-red-800 dark:text-red-300 dark:hover:text-red-200"
            disabled={pending.has(m.user_id)}
            onClick={() => setRemoving(m)}
            aria-label={`Remove ${memberName(m)}`}
          >
            Remove
          </Button>
        );
      },
    },
  ];

  const seatsUsed = members.length;
  const maxUsers = detail?.max_users ?? null;
  const leaveBlocked = leaveRefusal(actor);

  return (
    <>
      <PageHeader
        title="Team"
        description={`Who can see and change ${org.name}'s compliance data, and what each person may do.`}
        actions={manage && (
          <Button
            icon={UserPlus}
            onClick={() => setInviting(true)}
            disabled={status !== "ready"}
          >
            Invite member
          </Button>
        )}
      />
      <div class="space-y-6">
        {!manage && status === "ready" && (
          <Alert
            tone="info"
            title={`You're ${/^[aeiou]/.test(actor.role) ? "an" : "a"} ${
              ROLE_LABELS[actor.role].toLowerCase()
            } here`}
          >
            Only admins and owners can invite members or change roles. Ask one of them if something
            needs to change.
          </Alert>
        )}
        <Card
          flush
          title="Members"
          description="Roles grant access in this organization only."
          actions={maxUsers !== null && status === "ready" && (
            <ProgressBar
              class="w-48"
              label="Seats used"
              value={seatsUsed}
              max={maxUsers}
              valueText={`${seatsUsed} of ${maxUsers}`}
              tone={seatsUsed >= maxUsers ? "warning" : "brand"}
            />
          )}
        >
          {status === "error"
            ? (
              <EmptyState
                tone="error"
                title="We couldn't load the members"
                description={team.error.value}
                action={
                  <Button
                    icon={RefreshCw}
                    variant="secondary"
                    onClick={() => void team.load()}
                  >
                    Try again
                  </Button>
                }
              />
            )
            : (
              <Table
                stackOnPhone
                caption={`Members of ${org.name}`}
                columns={columns}
                rows={members}
                rowKey={(m) => m.user_id}
                loading={status === "loading"}
                initialSort={{ columnId: "role", direction: "desc" }}
                pageSize={20}
                empty={{
                  icon: UsersRound,
                  title: "No members to show",
                  description: "Invite a teammate by email to give them access.",
                }}
              />
            )}
        </Card>
        {manage && (
          <InvitationsCard
            orgId={org.id}
            orgName={org.name}
            inviting={inviting}
            onInvitingChange={setInviting}
          />
        )}
        {status === "ready" && (
          <OwnershipCard
            orgId={org.id}
            orgName={org.name}
            userId={userId}
            role={actor.role}
            members={members}
            onChanged={() => {
              void team.load();
              void orgs.reload();
            }}
          />
        )}
        <Card title="Roles" headingLevel={2} description="What each role may do in ComplianceIQ.">
          <dl class="grid gap-x-6 gap-y-3 sm:grid-cols-2">
            {[...ROLES].reverse().map((role) => (
              <div key={role} class="flex items-start gap-3">
                <dt class="w-20 shrink-0">
                  <Badge tone={ROLE_TONES[role]}>{ROLE_LABELS[role]}</Badge>
                </dt>
                <dd class="text-sm text-fg-muted">{ROLE_DESCRIPTIONS[role]}</dd>
              </div>
            ))}
          </dl>
        </Card>
        <Card
          title="Leave organization"
          description={`You will lose access to ${org.name} immediately. An admin can invite you back.`}
        >
          <div class="flex flex-wrap items-center gap-3">
            <Button
              variant="secondary"
              icon={LogOut}
              onClick={() => setLeaving(true)}
              disabled={status !== "ready" || Boolean(leaveBlocked)}
            >
              Leave {org.name}
            </Button>
            {leaveBlocked && <p class="text-sm text-fg-muted">{leaveBlocked}</p>}
          </div>
        </Card>
      </div>
      <ConfirmDialog
        open={removing !== null}
        title="Remove member?"
        message={removing && (
          <>
            <strong class="text-fg">{memberName(removing)}</strong> will lose access to {org.name}
            {" "}
            right away. Their past activity stays in the audit log.
          </>
        )}
        confirmLabel="Remove member"
        onConfirm={() => removing ? remove(removing) : undefined}
        onCancel={() => setRemoving(null)}
      />
      <ConfirmDialog
        open={leaving}
        title={`Leave ${org.name}?`}
        message="You will lose access to its instances, findings and reports. An admin or owner can invite you back later."
        confirmLabel="Leave organization"
        onConfirm={leave}
        onCancel={() => setLeaving(false)}
      />
    </>
  );
}
