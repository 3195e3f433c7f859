import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Crown } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { ConfirmDialog } from "../../components/confirm_dialog.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { Member, OwnershipOffer, Role } from "../../lib/api_types.ts";
import { formatDate } from "../../lib/format.ts";
import { useApp } from "../../app/services.ts";

/** Props of {@linkcode OwnershipCard}. */
export interface OwnershipCardProps {
  orgId: string;
  orgName: string;
  userId: string;
  role: Role;
  members: Member[];
  /** Roles changed: reload the team and the organization list. */
  onChanged: () => void;
}

/**
 * Ownership transfer: an owner offers ownership to a member, who accepts (and
 * the owner becomes admin) or declines. Shows the open offer to its recipient
 * and to owners; nothing to other members.
 */
export function OwnershipCard(props: OwnershipCardProps): JSX.Element | null {
  const { api, toasts } = useApp();
  const [offer, setOffer] = useState<OwnershipOffer | null | undefined>(undefined);
  const [target, setTarget] = useState<string>("");
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function load(): Promise<void> {
    try {
      setOffer(await api.organizations.ownershipOffer(props.orgId));
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }
  useEffect(() => void load(), [props.orgId, props.role]);

  async function act(work: () => Promise<unknown>, done: string): Promise<void> {
    setError(null);
    try {
      await work();
      toasts.success(done);
      await load();
      props.onChanged();
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }

  const isOwner = props.role === "owner";
  const forMe = offer && offer.to_user_id === props.userId;
  if (offer === undefined || (!isOwner && !forMe)) return null;
  const candidates = props.members.filter((m) => m.role !== "owner");
  const chosen = candidates.find((m) => m.user_id === target) ?? null;

  return (
    <Card
      title="Ownership"
      headingLevel={2}
      description="Owners manage billing and owners, and can delete the organization. Ownership moves only when the new owner accepts."
    >
      <div class="space-y-4">
        {error && <Alert tone="error">{error}</Alert>}
        {forMe && offer && (
          <Alert
            tone="info"
            title={`${offer.from_email} offered you ownership of ${props.orgName}`}
          >
            <p>
              If you accept, you become an owner and they become an admin. The offer expires{" "}
              {formatDate(offer.expires_at)}.
            </p>
            <div class="mt-3 flex flex-wrap gap-2">
              <Button
                size="sm"
                icon={Crown}
                onClick={() =>
                  void act(
                    () => api.organizations.acceptOwnership(props.orgId),
                    `You are now an owner of ${props.orgName}`,
                  )}
              >
                Accept ownership
              </Button>
              <Button
                size="sm"
                variant="secondary"
                onClick={() =>
                  void act(
                    () => api.organizations.cancelOwnershipOffer(props.orgId),
                    "Offer declined",
                  )}
              >
                Decline
              </Button>
            </div>
          </Alert>
        )}
        {isOwner && offer && !forMe && (
          <div class="flex flex-wrap items-center gap-3">
            <p class="text-sm text-fg">
              Ownership offered to{" "}
              <strong>{offer.to_email}</strong>, waiting for them to accept (until{" "}
              {formatDate(offer.expires_at)}).
            </p>
            <Button
              size="sm"
              variant="secondary"
              onClick={() =>
                void act(
                  () => api.organizations.cancelOwnershipOffer(props.orgId),
                  "Offer withdrawn",
                )}
            >
              Withdraw offer
            </Button>
          </div>
        )}
        {isOwner && !offer && (
          candidates.length === 0
            ? (
              <p class="text-sm text-fg-muted">
                Invite a teammate first: ownership can be offered to a member only.
              </p>
            )
            : (
              <div class="flex flex-wrap items-end gap-3">
                <Select
                  label="New owner"
                  class="w-72 max-w-full"
                  value={target}
                  onValue={setTarget}
                  options={[
                    { value: "", label: "Choose a member" },
                    ...candidates.map((m) => ({ value: m.user_id, label: m.email })),
                  ]}
                />
                <Button
                  variant="secondary"
                  icon={Crown}
                  disabled={!chosen}
                  onClick={() => setConfirming(true)}
                >
                  Offer ownership
                </Button>
              </div>
            )
        )}
      </div>
      <ConfirmDialog
        open={confirming}
        tone="primary"
        title="Offer ownership?"
        message={chosen && (
          <>
            <strong class="text-fg">{chosen.email}</strong>{" "}
            can accept on their Team page. When they do, they become an owner and you become an
            admin.
          </>
        )}
        confirmLabel="Offer ownership"
        onConfirm={async () => {
          if (!chosen) return;
          await api.organizations.offerOwnership(props.orgId, chosen.user_id);
          setConfirming(false);
          setTarget("");
          toasts.success(`Ownership offered to ${chosen.email}`);
          await load();
        }}
        onCancel={() => setConfirming(false)}
      />
    </Card>
  );
}
