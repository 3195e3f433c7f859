import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Building2, ChevronsUpDown, Plus } from "lucide";
import { Icon } from "../../components/icon.tsx";
import { Menu } from "../../components/menu.tsx";
import { useApp } from "../../app/services.ts";
import { ROLE_LABELS } from "../team/team_rules.ts";
import { CreateOrgModal } from "./create_org_modal.tsx";

/** The organization picker in the navbar: lists the user's organizations with their role. */
export function OrgSwitcher(): JSX.Element | null {
  const { orgs, toasts } = useApp();
  const [creating, setCreating] = useState(false);
  const current = orgs.current.value;
  if (!current) return null;
  return (
    <>
      <Menu
        triggerLabel={`Organization: ${current.name}. Switch organization`}
        triggerClass="flex max-w-56 items-center gap-2 rounded-md border border-line bg-surface px-2.5 py-1.5 text-sm font-medium text-fg shadow-xs hover:bg-surface-muted"
        trigger={
          <>
            <Icon icon={Building2} class="size-4 text-fg-muted" />
            <span class="truncate" data-testid="current-org">{current.name}</span>
            <Icon icon={ChevronsUpDown} class="size-3.5 text-fg-muted" />
          </>
        }
        groups={[
          {
            heading: "Your organizations",
            items: orgs.orgs.value.map((org) => ({
              id: org.id,
              label: org.name,
              description: `${ROLE_LABELS[org.role]} · ${org.slug}`,
              checked: org.id === current.id,
              onSelect: () => {
                if (org.id === current.id) return;
                orgs.select(org.id);
                toasts.info(`Switched to ${org.name}`);
              },
            })),
          },
          {
            items: [{
              id: "create",
              label: "Create organization",
              icon: Plus,
              onSelect: () => setCreating(true),
            }],
          },
        ]}
      />
      <CreateOrgModal open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
