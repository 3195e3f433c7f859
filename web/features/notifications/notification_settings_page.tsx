import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";
import { can } from "../../../shared/permissions/mod.ts";
import type { Channel, Rule } from "./notification_catalog.ts";
import { createNotificationSettingsApi } from "./settings_api.ts";
import { ChannelsCard } from "./channels_card.tsx";
import { DeliveriesCard } from "./deliveries_card.tsx";
import { RulesCard } from "./rules_card.tsx";

/** A list loaded from the API: null while loading, or why it failed. */
function useList<T>(load: () => Promise<T[]>, deps: unknown[]) {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    let current = true;
    setItems(null);
    setError(null);
    load().then(
      (loaded) => current && setItems(loaded),
      (cause) => current && setError(errorMessage(cause)),
    );
    return () => {
      current = false;
    };
  }, [...deps, reloads]);
  return {
    items,
    error,
    reload: () => setReloads((n) => n + 1),
    update: (change: (items: T[]) => T[]) => setItems((prev) => (prev ? change(prev) : prev)),
  };
}

/**
 * `/app/settings/notifications`: the organization's alert channels and rules
 * (admins manage them, other members read them) and the delivery log (admins).
 */
export function NotificationSettingsPage(): JSX.Element {
  const { api, orgs, toasts } = useApp();
  const org = orgs.current.value!;
  const settingsApi = useMemo(() => createNotificationSettingsApi(api), [api]);
  const manage = can(org.role, "notifications.manage");
  const channels = useList<Channel>(() => settingsApi.channels(org.id), [org.id]);
  const rules = useList<Rule>(() => settingsApi.rules(org.id), [org.id]);
  // A deleted channel leaves the rules that named it (the API does the same).
  const channelDeleted = (id: string) =>
    rules.update((all) =>
      all.map((r) => ({ ...r, channel_ids: r.channel_ids.filter((c) => c !== id) }))
    );

  return (
    <>
      <PageHeader
        title="Notifications"
        description={`Where ${org.name} is alerted (channels), about what (rules), and what was sent.`}
      />
      <div class="space-y-6">
        {!manage && (
          <Alert tone="info" title="Read-only for your role">
            Admins and owners add and change channels and rules, send test alerts and see the
            delivery log.
          </Alert>
        )}
        <ChannelsCard
          orgId={org.id}
          api={settingsApi}
          toasts={toasts}
          channels={channels.items}
          loadError={channels.error}
          onReload={channels.reload}
          onChange={channels.update}
          onDeleted={channelDeleted}
          manage={manage}
        />
        <RulesCard
          orgId={org.id}
          api={settingsApi}
          toasts={toasts}
          rules={rules.items}
          channels={channels.items ?? []}
          loadError={rules.error}
          onReload={rules.reload}
          onChange={rules.update}
          manage={manage}
        />
        {manage && (
          <DeliveriesCard
            orgId={org.id}
            api={settingsApi}
            rules={rules.items ?? []}
            channels={channels.items ?? []}
          />
        )}
      </div>
    </>
  );
}
