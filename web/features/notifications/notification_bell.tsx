import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Bell, CheckCheck, Settings } from "lucide";
import { useLocation } from "preact-iso";
import { Icon } from "../../components/icon.tsx";
import { Menu, type MenuItem } from "../../components/menu.tsx";
import { useApp } from "../../app/services.ts";
import { APP_BASE } from "../../app/route_registry.ts";
import { can } from "../../../shared/permissions/mod.ts";
import { bellLabel, createInboxApi, type Inbox } from "./inbox_api.ts";
import { watchInbox } from "./inbox_stream.ts";

/** How often the bell looks for new notifications when the live stream is not available. */
const POLL_MS = 60_000;

/**
 * The navbar's bell: the unread count, the latest notifications (selecting one
 * marks it read and opens its link) and "Mark all read". Live over the inbox's
 * event stream; it polls every minute only when the stream cannot be opened.
 */
export function NotificationBell({ orgId }: { orgId: string }): JSX.Element {
  const { api, navigate, config, session } = useAppWithNavigate();
  const { orgs } = useApp();
  const { route } = useLocation();
  const manage = can(orgs.current.value?.role ?? null, "notifications.manage");
  const inboxApi = createInboxApi(api);
  const [inbox, setInbox] = useState<Inbox | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = () =>
    inboxApi.list(orgId).then((data) => {
      setInbox(data);
      setError(null);
    }, (e: Error) => setError(e.message));

  useEffect(() =>
    watchInbox(
      {
        functionsUrl: config.functionsUrl,
        accessToken: () => session.accessToken(),
        poll: () => inboxApi.list(orgId),
        pollMs: POLL_MS,
      },
      orgId,
      (data) => {
        setInbox(data);
        setError(null);
      },
      setError,
    ), [orgId]);

  const unread = inbox?.unread ?? 0;
  const items: MenuItem[] = (inbox?.data ?? []).map((n) => ({
    id: n.id,
    label: `${n.read_at ? "" : "● "}${n.title}`,
    description: n.body,
    onSelect: () => {
      void inboxApi.markRead(orgId, n.id).then(load);
      if (n.link) navigate(n.link);
    },
  }));
  const groups: { heading?: string; items: MenuItem[] }[] = [{
    heading: error
      ? `Notifications could not be loaded: ${error}`
      : items.length === 0
      ? "No notifications yet. Alert rules under Settings send them here."
      : `${unread > 99 ? "99+" : unread} unread`,
    items,
  }];
  const footer: MenuItem[] = [];
  if (unread > 0) {
    footer.push({
      id: "read-all",
      label: "Mark all read",
      icon: CheckCheck,
      onSelect: () => void inboxApi.markAllRead(orgId).then(load),
    });
  }
  if (manage) {
    footer.push({
      id: "settings",
      label: "Notification settings",
      description: "Channels, alert rules and the delivery log",
      icon: Settings,
      onSelect: () => route(`${APP_BASE}/settings/notifications`),
    });
  }
  if (footer.length) groups.push({ items: footer });
  return (
    <Menu
      menuLabel="Notifications"
      triggerLabel={bellLabel(unread)}
      triggerClass="relative flex size-8 items-center justify-center rounded-md text-fg-muted hover:bg-surface-muted hover:text-fg"
      trigger={
        <>
          <Icon icon={Bell} class="size-5" />
          <span class="sr-only">{bellLabel(unread)}</span>
          {unread > 0 && (
            <span
              aria-hidden="true"
              class="absolute -right-0.5 -top-0.5 min-w-4 rounded-full bg-red-700 px-1 text-center text-[10px] font-semibold leading-4 text-white"
            >
              {unread > 99 ? "99+" : unread}
            </span>
          )}
        </>
      }
      groups={groups}
    />
  );
}

/** Opens an absolute link of the product in the same tab. */
function useAppWithNavigate() {
  const { api, config, session } = useApp();
  return {
    api,
    config,
    session,
    navigate: (link: string) => {
      const url = new URL(link, location.origin);
      if (url.origin === location.origin) location.assign(url.pathname + url.search);
    },
  };
}
