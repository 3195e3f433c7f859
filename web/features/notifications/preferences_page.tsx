import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Card } from "../../components/card.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";
import {
  createPreferencesApi,
  EVENT_LABELS,
  type PreferenceEvent,
  type Preferences,
  type PreferencesPatch,
} from "./preferences_api.ts";

const DIGESTS = [
  { value: "off", label: "Send each email at once" },
  { value: "daily", label: "One daily digest" },
  { value: "weekly", label: "One weekly digest (Mondays)" },
] as const;

/** `/app/settings/notifications/preferences`: what the signed-in member is told, and how. */
export function PreferencesPage(): JSX.Element {
  const { api, orgs, toasts } = useApp();
  const org = orgs.current.value!;
  const prefsApi = useMemo(() => createPreferencesApi(api), [api]);
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setPrefs(null);
    prefsApi.get(org.id).then(setPrefs, (e) => setError(errorMessage(e)));
  }, [org.id]);

  async function save(patch: PreferencesPatch, done: string) {
    setError(null);
    try {
      setPrefs(await prefsApi.save(org.id, patch));
      toasts.success(done);
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }

  return (
    <div class="space-y-6">
      <PageHeader
        title="My notifications"
        description={`What you are told about in ${org.name}, and how. Alert rules decide what happens; this decides what reaches you.`}
      />
      {error && <Alert tone="error">{error}</Alert>}
      {!prefs && !error && <p class="text-sm text-fg-muted">Loading your preferences…</p>}
      {prefs && (
        <>
          <EventsCard prefs={prefs} onSave={save} />
          <EmailCard prefs={prefs} onSave={save} />
        </>
      )}
    </div>
  );
}

type Save = (patch: PreferencesPatch, done: string) => Promise<void>;

function EventsCard({ prefs, onSave }: { prefs: Preferences; onSave: Save }): JSX.Element {
  const events = Object.keys(EVENT_LABELS) as PreferenceEvent[];
  const toggle = (event: PreferenceEvent, channel: "in_app" | "email", on: boolean) =>
    onSave(
      { events: { ...prefs.events, [event]: { ...prefs.events[event], [channel]: on } } },
      `${EVENT_LABELS[event]}: ${channel === "in_app" ? "in-app" : "email"} ${on ? "on" : "off"}`,
    );
  return (
    <Card
      title="Events"
      headingLevel={2}
      description="For each alert a rule sends you: in the bell, by email to your own address, or both."
    >
      <table class="w-full text-sm">
        <thead>
          <tr class="text-left text-fg-muted">
            <th scope="col" class="py-2 font-medium">Event</th>
            <th scope="col" class="py-2 font-medium">In-app</th>
            <th scope="col" class="py-2 font-medium">Email</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event} class="border-t border-line">
              <th scope="row" class="py-2 pr-4 text-left font-normal">{EVENT_LABELS[event]}</th>
              {(["in_app", "email"] as const).map((channel) => (
                <td key={channel} class="py-2">
                  <input
                    type="checkbox"
                    class="size-4"
                    aria-label={`${EVENT_LABELS[event]} ${
                      channel === "in_app" ? "in-app" : "by email"
                    }`}
                    checked={prefs.events[event][channel]}
                    onChange={(e) => void toggle(event, channel, e.currentTarget.checked)}
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

function EmailCard({ prefs, onSave }: { prefs: Preferences; onSave: Save }): JSX.Element {
  return (
    <Card
      title="Email"
      headingLevel={2}
      description="Every email has an unsubscribe link that works without signing in."
    >
      <div class="space-y-4">
        <Select
          label="Delivery"
          value={prefs.digest}
          options={DIGESTS}
          onValue={(digest) => void onSave({ digest }, "Email delivery saved")}
        />
        <label class="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            class="size-4"
            checked={!prefs.email_off}
            onChange={(e) =>
              void onSave(
                { email_off: !e.currentTarget.checked },
                e.currentTarget.checked ? "Emails are on" : "Emails are off",
              )}
          />
          Send me emails from this organization
        </label>
      </div>
    </Card>
  );
}
