import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Badge, type BadgeTone } from "../../components/badge.tsx";
import { Card } from "../../components/card.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { formatDateTime } from "../../lib/format.ts";
import { typedClient } from "../../lib/typed_client.ts";
import type { ResponseOf } from "../../lib/typed_client.ts";
import { useApp } from "../../app/services.ts";

type SignIn = ResponseOf<"GET /audit/sign-ins">["data"][number];

const LABELS: Record<string, [string, BadgeTone]> = {
  login: ["Signed in", "success"],
  login_failed: ["Failed sign-in", "danger"],
  logout: ["Signed out", "neutral"],
  token_revoked: ["Session revoked", "warning"],
  user_updated_password: ["Password changed", "warning"],
  user_recovery_requested: ["Password reset asked", "warning"],
  user_modified: ["Account changed", "neutral"],
};

/** The last sign-in events of the organization's members (from the auth service's log). */
export function SignInsCard(props: { orgId: string }): JSX.Element {
  const { api } = useApp();
  const [events, setEvents] = useState<SignIn[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    typedClient(api)("GET /audit/sign-ins", { query: { org_id: props.orgId, limit: 20 } })
      .then((r) => setEvents(r.data), (c) => setError(errorMessage(c)));
  }, [props.orgId]);
  return (
    <Card>
      <section aria-labelledby="sign-ins-title" class="space-y-3">
        <h2 id="sign-ins-title" class="text-base font-semibold text-fg">Sign-in events</h2>
        {error && <Alert tone="error">{error}</Alert>}
        {events?.length === 0 && (
          <p class="text-sm text-fg-muted">No sign-ins by members in the last 30 days.</p>
        )}
        {events && events.length > 0 && (
          <ul aria-label="Sign-in events" data-testid="sign-ins" class="divide-y divide-line">
            {events.map((e, i) => {
              const [label, tone] = LABELS[e.action] ?? [e.action, "neutral" as BadgeTone];
              return (
                <li key={`${e.at}-${i}`} class="flex flex-wrap items-baseline gap-x-3 py-2 text-sm">
                  <Badge tone={tone}>{label}</Badge>
                  <span class="min-w-0 truncate text-fg">{e.email ?? e.user_id}</span>
                  <span class="ml-auto text-xs text-fg-muted">
                    {formatDateTime(e.at)} · {e.ip ?? "no address"}
                  </span>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </Card>
  );
}
