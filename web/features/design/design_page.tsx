import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Download, Plus, ShieldCheck, Trash2 } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Badge, type BadgeTone } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { Chart } from "../../components/chart.tsx";
import { ConfirmDialog } from "../../components/confirm_dialog.tsx";
import { Drawer } from "../../components/drawer.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { Input } from "../../components/input.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { Loader } from "../../components/loader.tsx";
import { Modal } from "../../components/modal.tsx";
import { ProgressBar } from "../../components/progress_bar.tsx";
import { Select } from "../../components/select.tsx";
import { type Column, Table } from "../../components/table.tsx";
import { useApp } from "../../app/services.ts";

interface SampleCheck {
  id: string;
  title: string;
  severity: "Critical" | "High" | "Medium" | "Low";
  failing: number;
}

const SEVERITY_TONE: Record<SampleCheck["severity"], BadgeTone> = {
  Critical: "danger",
  High: "danger",
  Medium: "warning",
  Low: "neutral",
};
const SEVERITY_RANK = { Critical: 4, High: 3, Medium: 2, Low: 1 };

const SAMPLE: SampleCheck[] = [
  ["ACC-001", "Admin accounts without login for 90+ days", "High", 7],
  ["ACC-002", "Shared or generic accounts with roles", "Medium", 4],
  ["SOD-001", "Approver and requester roles on one user", "Critical", 2],
  ["CHG-004", "Changes closed without approval", "High", 3],
  ["CFG-010", "High-security plugin disabled", "Critical", 1],
  ["ACL-007", "ACLs with no condition or script", "Medium", 15],
  ["PWD-002", "Local password policy below 12 characters", "Low", 1],
  ["INT-003", "Integration users with interactive login", "High", 5],
  ["AUD-001", "Audit history disabled on sys_user", "Medium", 0],
].map(([id, title, severity, failing]) => ({ id, title, severity, failing } as SampleCheck));

const columns: Column<SampleCheck>[] = [
  {
    id: "id",
    header: "Check",
    sortValue: (c) => c.id,
    cell: (c) => <code class="text-xs">{c.id}</code>,
  },
  { id: "title", header: "Title", sortValue: (c) => c.title, cell: (c) => c.title },
  {
    id: "severity",
    header: "Severity",
    sortValue: (c) => SEVERITY_RANK[c.severity],
    cell: (c) => <Badge tone={SEVERITY_TONE[c.severity]}>{c.severity}</Badge>,
  },
  {
    id: "failing",
    header: "Failing records",
    align: "right",
    sortValue: (c) => c.failing,
    cell: (c) => <span class="tabular-nums">{c.failing}</span>,
  },
];

/**
 * `/app/design-system` (dev stack only): every component of the library in
 * its states, with sample data, for review and for the accessibility scan.
 */
export function DesignPage(): JSX.Element {
  const { toasts } = useApp();
  const [modal, setModal] = useState(false);
  const [drawer, setDrawer] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [framework, setFramework] = useState("soc2");
  const [name, setName] = useState("");

  return (
    <>
      <PageHeader
        title="Design system"
        description="The components ComplianceIQ is built from, shown with sample data. Visible on the local dev stack only."
      />
      <div class="space-y-6">
        <Card title="Buttons and badges">
          <div class="flex flex-wrap items-center gap-2">
            <Button icon={Plus}>Primary</Button>
            <Button variant="secondary" icon={Download}>Secondary</Button>
            <Button variant="ghost">Ghost</Button>
            <Button variant="danger" icon={Trash2}>Danger</Button>
            <Button loading>Saving</Button>
            <Button disabled>Disabled</Button>
          </div>
          <div class="mt-4 flex flex-wrap gap-2">
            {(["neutral", "brand", "success", "warning", "danger", "info"] as const).map((tone) => (
              <Badge key={tone} tone={tone}>{tone}</Badge>
            ))}
          </div>
        </Card>
        <Card title="Form controls">
          <div class="grid gap-5 sm:grid-cols-3">
            <Input
              label="Instance name"
              value={name}
              onValue={setName}
              hint="As it appears in reports."
            />
            <Input
              label="Instance URL"
              value="https://acme"
              error="Enter a full URL, e.g. https://acme.service-now.com."
            />
            <Select
              label="Framework"
              value={framework}
              onValue={setFramework}
              options={[
                { value: "sox_itgc", label: "SOX ITGC" },
                { value: "soc2", label: "SOC 2" },
                { value: "iso27001", label: "ISO 27001" },
              ]}
            />
          </div>
        </Card>
        <Card title="Feedback">
          <div class="space-y-4">
            <Alert tone="info">
              Sync runs every night at 02:00 in your organization's time zone.
            </Alert>
            <Alert tone="success" title="Instance connected">The first sync has started.</Alert>
            <Alert tone="warning">Credentials expire in 6 days.</Alert>
            <Alert tone="error" title="Sync failed">
              The instance answered 401: check the integration user's password.
            </Alert>
            <ProgressBar
              label="Syncing sys_user"
              value={6400}
              max={10000}
              valueText="6,400 of 10,000 records"
            />
            <ProgressBar label="Waiting for the instance" />
            <div class="flex flex-wrap gap-2">
              <Button
                variant="secondary"
                onClick={() => toasts.success("Report exported", "SOX ITGC Q3.pdf is ready.")}
              >
                Success toast
              </Button>
              <Button
                variant="secondary"
                onClick={() => toasts.error("Export failed", "The run is still in progress.")}
              >
                Error toast
              </Button>
            </div>
            <Loader label="Loading findings (example)" inline />
          </div>
        </Card>
        <Card title="Table" description="Sortable headers, pagination and an empty state." flush>
          <Table
            caption="Sample checks"
            columns={columns}
            rows={SAMPLE}
            rowKey={(c) => c.id}
            initialSort={{ columnId: "severity", direction: "desc" }}
            pageSize={5}
          />
        </Card>
        <div class="grid gap-6 lg:grid-cols-2">
          <Card title="Open findings over time">
            <Chart
              type="line"
              title="Open findings over the last 8 weeks"
              labels={["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8"]}
              series={[{ label: "Open findings", data: [48, 44, 45, 39, 33, 30, 26, 22] }]}
            />
          </Card>
          <Card title="Findings by severity">
            <Chart
              type="doughnut"
              title="Open findings by severity"
              labels={["Critical", "High", "Medium", "Low"]}
              series={[{ label: "Findings", data: [3, 15, 19, 1] }]}
            />
          </Card>
        </div>
        <Card
          title="Overlays"
          description="Focus moves into each overlay, stays there, and returns on close."
        >
          <div class="flex flex-wrap gap-2">
            <Button variant="secondary" onClick={() => setModal(true)}>Open modal</Button>
            <Button variant="secondary" onClick={() => setDrawer(true)}>Open drawer</Button>
            <Button variant="danger" onClick={() => setConfirm(true)}>Delete instance…</Button>
          </div>
        </Card>
        <Card title="Empty state">
          <EmptyState
            icon={ShieldCheck}
            title="No instances yet"
            description="Connect a ServiceNow instance to run your first checks."
            action={<Button icon={Plus}>Connect instance</Button>}
          />
        </Card>
      </div>
      <Modal
        open={modal}
        onClose={() => setModal(false)}
        title="Schedule a sync"
        description="Choose when ComplianceIQ syncs this instance."
        footer={
          <>
            <Button variant="secondary" onClick={() => setModal(false)}>Cancel</Button>
            <Button onClick={() => setModal(false)}>Save schedule</Button>
          </>
        }
      >
        <Input label="Time of day" value="02:00" />
      </Modal>
      <Drawer open={drawer} onClose={() => setDrawer(false)} title="Finding details">
        <div class="space-y-3 p-4 text-sm">
          <Badge tone="danger">High</Badge>
          <p class="font-medium">Admin accounts without login for 90+ days</p>
          <p class="text-fg-muted">
            Seven users with the admin role have not signed in for more than 90 days. Remove the
            role or deactivate the accounts.
          </p>
          <Button variant="secondary" onClick={() => setDrawer(false)}>Close details</Button>
        </div>
      </Drawer>
      <ConfirmDialog
        open={confirm}
        title="Delete instance?"
        message="Its synced data and findings will be deleted. Reports already exported are not affected."
        confirmLabel="Delete instance"
        onConfirm={() => {
          setConfirm(false);
          toasts.success("Instance deleted");
        }}
        onCancel={() => setConfirm(false)}
      />
    </>
  );
}
