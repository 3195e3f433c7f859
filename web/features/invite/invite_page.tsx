import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Loader } from "../../components/loader.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { InvitationPreview } from "../../lib/api_types.ts";
import { formatDate } from "../../lib/format.ts";
import { browserStore } from "../../lib/storage.ts";
import { useApp } from "../../app/services.ts";
import { AuthLayout } from "../auth/auth_layout.tsx";
import { ROLE_LABELS } from "../team/team_rules.ts";
import { pendingInvitation } from "./pending_invitation.ts";

/**
 * `/invite#token=…`: where an invitation email leads. Shows what the link is
 * for, then lets the invitee accept with the invited address: signed in
 * already, by signing in, or by creating an account (both offered to everyone,
 * so the page tells no one whether the address has an account).
 */
export function InvitePage(): JSX.Element {
  const { api, session, orgs } = useApp();
  const { route, query } = useLocation();
  const pending = useMemo(() => pendingInvitation(browserStore()), []);
  const [token, setToken] = useState<string | null>(null);
  const [preview, setPreview] = useState<InvitationPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // The secret travels in the fragment; keep it, then take it out of the address bar.
    if (pending.takeFromHash(location.hash)) history.replaceState(null, "", "/invite");
    const found = pending.get();
    setToken(found);
    if (!found) return;
    api.organizations.lookupInvitation(found).then(setPreview, (cause) => {
      setError(errorMessage(cause));
      pending.clear();
    });
  }, []);

  async function accept(): Promise<void> {
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      const joined = await api.organizations.acceptInvitation(token);
      pending.clear();
      await orgs.load(session.user.value!.id);
      orgs.select(joined.org_id);
      route("/app", true);
    } catch (cause) {
      setError(errorMessage(cause));
      setBusy(false);
    }
  }

  // Arriving from signing up through this invitation: join without another click.
  const signedInAs = session.user.value?.email?.toLowerCase() ?? null;
  const ready = preview?.status === "pending" && signedInAs === preview.email;
  useEffect(() => {
    if (ready && query.accept === "1" && !busy && !error) void accept();
  }, [ready]);

  if (!token) {
    return (
      <AuthLayout title="No invitation here" subtitle="Open the link from your invitation email.">
        <Button href="/login" class="w-full">Go to sign in</Button>
      </AuthLayout>
    );
  }
  if (error && !preview) {
    return (
      <AuthLayout title="This invitation can't be used" subtitle={error}>
        <Button href="/" variant="secondary" class="w-full">Go to the home page</Button>
      </AuthLayout>
    );
  }
  if (!preview || session.status.value === "loading") {
    return <Loader label="Opening your invitation" class="min-h-screen" />;
  }

  const email = encodeURIComponent(preview.email);
  return (
    <AuthLayout
      title={`Join ${preview.organization_name}`}
      subtitle={`${preview.invited_by} invited ${preview.email} to join as ${
        ROLE_LABELS[preview.role].toLowerCase()
      }.`}
    >
      <div class="space-y-4">
        {error && <Alert tone="error">{error}</Alert>}
        {preview.status === "expired" && (
          <Alert tone="warning" title="This invitation has expired">
            It expired {formatDate(preview.expires_at)}. Ask {preview.invited_by} to send it again.
          </Alert>
        )}
        {preview.status === "accepted" && (
          <Alert tone="info" title="This invitation has already been used">
            If you accepted it, the organization is in your list.
          </Alert>
        )}
        {preview.status === "pending" && signedInAs === preview.email && (
          <Button
            size="lg"
            class="w-full"
            loading={busy}
            onClick={() => void accept()}
          >
            Accept and open {preview.organization_name}
          </Button>
        )}
        {preview.status === "pending" && signedInAs && signedInAs !== preview.email && (
          <>
            <Alert tone="warning" title="You're signed in with another address">
              You're signed in as {signedInAs}, but this invitation is for{" "}
              {preview.email}. Sign out, then sign in or create an account with {preview.email}.
            </Alert>
            <Button variant="secondary" class="w-full" onClick={() => void session.signOut()}>
              Sign out
            </Button>
          </>
        )}
        {preview.status === "pending" && !signedInAs && (
          <>
            <Button
              size="lg"
              class="w-full"
              href={`/signup?invitation=1&email=${email}&next=${
                encodeURIComponent("/invite?accept=1")
              }`}
            >
              Create an account
            </Button>
            <Button
              variant="secondary"
              size="lg"
              class="w-full"
              href={`/login?email=${email}&next=/invite`}
            >
              I have an account: sign in
            </Button>
            <p class="text-xs text-fg-muted">
              The link works once and expires {formatDate(preview.expires_at)}.
            </p>
          </>
        )}
        {preview.status !== "pending" && (
          <Button href="/app" variant="secondary" class="w-full">Go to ComplianceIQ</Button>
        )}
      </div>
    </AuthLayout>
  );
}
