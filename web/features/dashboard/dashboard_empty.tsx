import type { JSX } from "preact";
import { Server } from "lucide";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { EmptyState } from "../../components/empty_state.tsx";

/** What the integration user needs on the ServiceNow side (docs/dashboard.md says why). */
export const INTEGRATION_ROLES: ReadonlyArray<{ role: string; why: string }> = [
  { role: "snc_read_only", why: "reads records and never changes anything" },
  {
    role: "a read-only auditor role (e.g. x_ciq_auditor)",
    why:
      "with read ACLs on sys_security_acl, sys_properties, sys_audit and the other sys_* tables only admins read by default",
  },
  {
    role: "snc_platform_rest_api_access",
    why: "only when the Table API's REST_Endpoint ACL is active on your instance",
  },
];

/**
 * The dashboard of an organization with no instance yet: what to do first,
 * and what the integration user needs.
 *
 * @param props whether the user may add instances (admin or owner)
 */
export function DashboardEmpty(props: { canAdd: boolean }): JSX.Element {
  return (
    <Card>
      <EmptyState
        icon={Server}
        titleAs="h2"
        title="Connect your first ServiceNow instance"
        description={
          <div class="space-y-3 text-left">
            <p>
              ComplianceIQ syncs your instance's security data, runs 355 checks against it and shows
              here your scores, framework readiness and what to fix first.
            </p>
            <ol class="list-decimal space-y-1 pl-5">
              <li>
                In ServiceNow, create an integration user with <em>Web service access only</em>{" "}
                and these roles — never admin:
                <ul class="mt-1 list-disc space-y-1 pl-5">
                  {INTEGRATION_ROLES.map((r) => (
                    <li key={r.role}>
                      <code class="rounded bg-surface-muted px-1 text-fg">{r.role}</code> — {r.why}
                    </li>
                  ))}
                </ul>
              </li>
              <li>Add the instance with that user's credentials (Basic or OAuth).</li>
              <li>
                The first sync and analysis start by themselves; this page fills in when they
                finish.
              </li>
            </ol>
          </div>
        }
        action={props.canAdd
          ? <Button href="/app/instances">Add an instance</Button>
          : <p class="text-sm text-fg-muted">Ask an admin of your organization to add one.</p>}
      />
    </Card>
  );
}
