import type { JSX } from "preact";
import { useMemo, useState } from "preact/hooks";
import { BellOff, ListChecks } from "lucide";
import { Button } from "../../components/button.tsx";
import { Input } from "../../components/input.tsx";
import { Loader } from "../../components/loader.tsx";
import { Modal } from "../../components/modal.tsx";
import { Select } from "../../components/select.tsx";
import { type Column, Table } from "../../components/table.tsx";
import type { Member } from "../../lib/api_types.ts";
import type { RunCheck } from "./analysis_api.ts";
import { MuteFields } from "./mute_fields.tsx";
import { AREA_TITLES } from "./summary_panel.tsx";
import { SeverityBadge, StatusBadge } from "./ui.tsx";
import { VERDICTS } from "./verdicts.ts";

/** What a mute of a check says. */
export interface CheckMute {
  check: RunCheck;
  orgWide: boolean;
  reason: string;
  ownerId: string;
  expires: string;
}

/** Props of {@linkcode ChecksPanel}. */
export interface ChecksPanelProps {
  checks: readonly RunCheck[];
  loading: boolean;
  canMute: boolean;
  canMuteOrgWide: boolean;
  members: readonly Member[];
  currentUserId: string;
  onMute: (mute: CheckMute) => Promise<void>;
  onShowFindings: (checkId: string) => void;
}

/** Every check's verdict in the run, with why a check was not evaluated, and muting a check. */
export function ChecksPanel(props: ChecksPanelProps): JSX.Element {
  const [status, setStatus] = useState("");
  const [query, setQuery] = useState("");
  const [muting, setMuting] = useState<RunCheck | null>(null);
  const [orgWide, setOrgWide] = useState("instance");
  const [reason, setReason] = useState("");
  const [owner, setOwner] = useState(props.currentUserId);
  const [expires, setExpires] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const rows = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return props.checks.filter((c) =>
      (!status || c.effective === status || (status === "DEFAULT_USED" && c.default_used)) &&
      words.every((w) => `${c.check_id} ${c.title}`.toLowerCase().includes(w))
    );
  }, [props.checks, status, query]);

  const columns: Column<RunCheck>[] = [
    { id: "status", header: "Verdict", cell: (c) => <StatusBadge status={c.effective} /> },
    {
      id: "check",
      primary: true,
      header: "Check",
      sortValue: (c) => c.title,
      cell: (c) => (
        <div class="min-w-0 max-w-xl">
          <p class="font-medium text-fg">{c.title}</p>
          <p class="text-xs text-fg-muted">
            {c.check_id} · {AREA_TITLES[c.area] ?? c.area}
          </p>
          {c.status === "NOT_EVALUATED" && c.reason && (
            <p class="mt-0.5 text-xs text-amber-800 dark:text-amber-200">
              Not evaluated: {c.reason}
            </p>
          )}
          {c.status === "NOT_APPLICABLE" && c.reason && (
            <p class="mt-0.5 text-xs text-fg-muted">Not applicable: {c.reason}</p>
          )}
          {c.default_used && (
            <p class="mt-0.5 text-xs text-fg-muted">
              Not set on the instance (platform default used)
            </p>
          )}
        </div>
      ),
    },
    { id: "severity", header: "Severity", cell: (c) => <SeverityBadge severity={c.severity} /> },
    {
      id: "failed",
      header: "Failing",
      align: "right",
      sortValue: (c) => c.failed,
      cell: (c) =>
        c.failed > 0
          ? (
            <button
              type="button"
              class="tabular-nums hover:underline"
              onClick={() => props.onShowFindings(c.check_id)}
            >
              {c.failed}
              <span class="sr-only">failing resources of {c.title}</span>
            </button>
          )
          : <span class="tabular-nums text-fg-muted">0</span>,
    },
    {
      id: "actions",
      header: "Actions",
      hideHeader: true,
      align: "right",
      cell: (c) =>
        props.canMute && c.effective !== "MUTED"
          ? (
            <Button
              variant="ghost"
              size="sm"
              icon={BellOff}
              onClick={() => setMuting(c)}
              aria-label={`Mute ${c.title}`}
            >
              Mute
            </Button>
          )
          : null,
    },
  ];

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    if (!muting) return;
    if (reason.trim().length < 3) {
      setError("Give a reason (at least 3 characters).");
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await props.onMute({
        check: muting,
        orgWide: orgWide === "org",
        reason: reason.trim(),
        ownerId: owner,
        expires,
      });
      setMuting(null);
      setReason("");
      setExpires("");
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : "The check was not muted.");
    } finally {
      setSaving(false);
    }
  }

  if (props.loading) return <Loader label="Loading the checks" />;
  return (
    <div class="space-y-4">
      <div class="grid gap-3 sm:grid-cols-3">
        <Input label="Search checks" type="search" value={query} onValue={setQuery} />
        <Select
          label="Verdict"
          value={status}
          options={[
            { value: "", label: "Every verdict" },
            ...Object.entries(VERDICTS).map(([value, v]) => ({ value, label: v.filterLabel })),
            { value: "DEFAULT_USED", label: "Not set on the instance (default used)" },
          ]}
          onValue={setStatus}
        />
      </div>
      <div class="rounded-lg border border-line bg-surface">
        <Table
          stackOnPhone
          caption="Checks of this run"
          columns={columns}
          rows={rows}
          rowKey={(c) => c.check_id}
          pageSize={50}
          empty={{
            icon: ListChecks,
            title: "No check matches",
            description: "Change the filters.",
          }}
        />
      </div>
      <Modal
        open={muting !== null}
        onClose={() => setMuting(null)}
        title="Mute a check"
        description={muting?.title}
        footer={
          <>
            <Button variant="ghost" onClick={() => setMuting(null)}>Cancel</Button>
            <Button type="submit" form="mute-check-form" loading={saving}>Mute check</Button>
          </>
        }
      >
        <form id="mute-check-form" class="space-y-3" onSubmit={submit}>
          <p class="text-sm text-fg-muted">
            Its findings stay visible but the check is left out of scores until the mute expires or
            is revoked.
          </p>
          <Select
            label="Where"
            value={orgWide}
            options={[
              { value: "instance", label: "On this instance" },
              ...(props.canMuteOrgWide
                ? [{ value: "org", label: "On every instance of the organization" }]
                : []),
            ]}
            onValue={setOrgWide}
          />
          <MuteFields
            reason={reason}
            owner={owner}
            expires={expires}
            error={error}
            members={props.members}
            onReason={setReason}
            onOwner={setOwner}
            onExpires={setExpires}
          />
        </form>
      </Modal>
    </div>
  );
}
