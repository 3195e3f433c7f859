import { Fragment, type JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Bell, BellOff, ExternalLink } from "lucide";
import { Icon } from "../../components/icon.tsx";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Drawer } from "../../components/drawer.tsx";
import { Textarea } from "../../components/input.tsx";
import { Loader } from "../../components/loader.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { MuteFields } from "./mute_fields.tsx";
import type { Member } from "../../lib/api_types.ts";
import {
  type AnalysisApi,
  type FindingDetail,
  type Framework,
  TRIAGE_LABELS,
  TRIAGE_STATES,
  type TriageState,
} from "./analysis_api.ts";
import {
  CopyButton,
  DeltaBadge,
  evidenceText,
  formatDateTime,
  SeverityBadge,
  StatusBadge,
  TriageBadge,
} from "./ui.tsx";

/** Props of {@linkcode FindingDrawer}. */
export interface FindingDrawerProps {
  findingId: string | null;
  api: AnalysisApi;
  /** Analysts and above may triage and mute. */
  canAct: boolean;
  members: readonly Member[];
  currentUserId: string;
  /** Framework names, by id (a mapping to an unknown framework shows its id). */
  frameworks: readonly Framework[];
  onClose: () => void;
  /** Something changed (triage, mute): the page reloads scores and lists. */
  onChanged: (message: string) => void;
  onError: (title: string, message: string) => void;
}

/** A remediation step with the instance pages it names (`sys_user.do?sys_id=…`) as links. */
function StepText({ text, instanceUrl }: { text: string; instanceUrl: string }): JSX.Element {
  if (!instanceUrl) return <>{text}</>;
  const parts = text.split(/(\b[a-z0-9_]+\.do\?[^\s)]+)/g);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1
          ? (
            <a
              key={i}
              href={`${instanceUrl}/${part.replace(/[.,;]$/, "")}`}
              target="_blank"
              rel="noopener noreferrer"
              class="break-all font-mono text-xs text-accent-text underline"
            >
              {part}
            </a>
          )
          : part
      )}
    </>
  );
}

function remediationText(detail: FindingDetail): string {
  const r = detail.check?.remediation;
  if (!r) return "";
  return [r.summary, ...r.steps.map((s, i) => `${i + 1}. ${s}`)].join("\n");
}

/** One finding: why it matters, evidence, remediation, history, triage and mute. */
export function FindingDrawer(props: FindingDrawerProps): JSX.Element {
  const [detail, setDetail] = useState<FindingDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [state, setState] = useState<TriageState>("open");
  const [note, setNote] = useState("");
  const [saving, setSaving] = useState(false);
  const [muting, setMuting] = useState(false);
  const [reason, setReason] = useState("");
  const [owner, setOwner] = useState(props.currentUserId);
  const [expires, setExpires] = useState("");
  const [muteError, setMuteError] = useState<string | null>(null);

  async function load(id: string): Promise<void> {
    setError(null);
    try {
      const d = await props.api.finding(id);
      setDetail(d);
      setState(d.triage.state);
      setNote(d.triage.note ?? "");
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }

  useEffect(() => {
    setDetail(null);
    setMuting(false);
    setReason("");
    setExpires("");
    setMuteError(null);
    if (props.findingId) void load(props.findingId);
  }, [props.findingId]);

  async function saveTriage(event: Event): Promise<void> {
    event.preventDefault();
    if (!detail) return;
    setSaving(true);
    try {
      await props.api.triage(detail.id, state, note);
      props.onChanged(`Triage set to ${TRIAGE_LABELS[state].toLowerCase()}`);
      await load(detail.id);
    } catch (cause) {
      props.onError("Triage not saved", errorMessage(cause));
    } finally {
      setSaving(false);
    }
  }

  async function mute(event: Event): Promise<void> {
    event.preventDefault();
    if (!detail) return;
    if (reason.trim().length < 3) {
      setMuteError("Give a reason (at least 3 characters): auditors will read it.");
      return;
    }
    setSaving(true);
    setMuteError(null);
    try {
      await props.api.suppress({ scope: "finding", finding_id: detail.id }, {
        reason: reason.trim(),
        owner_id: owner,
        ...(expires ? { expires_at: new Date(`${expires}T23:59:59`).toISOString() } : {}),
      });
      props.onChanged("Finding muted");
      setMuting(false);
      await load(detail.id);
    } catch (cause) {
      setMuteError(errorMessage(cause));
    } finally {
      setSaving(false);
    }
  }

  async function unmute(id: string): Promise<void> {
    if (!detail) return;
    setSaving(true);
    try {
      await props.api.revoke(id);
      props.onChanged("Mute revoked: the finding counts again");
      await load(detail.id);
    } catch (cause) {
      props.onError("Mute not revoked", errorMessage(cause));
    } finally {
      setSaving(false);
    }
  }

  const active = detail?.suppressions.filter((s) => s.active) ?? [];
  const muteOfFinding = active.find((s) => s.scope === "finding");
  const code = detail?.check?.remediation.code ?? [];

  return (
    <Drawer open={props.findingId !== null} onClose={props.onClose} title="Finding" size="lg">
      {error && <Alert tone="error" class="m-4">{error}</Alert>}
      {!detail && !error && <Loader label="Loading the finding" />}
      {detail && (
        <div class="space-y-6 px-4 py-4 text-sm">
          <section class="space-y-2">
            <div class="flex flex-wrap items-center gap-1.5">
              {detail.check && <SeverityBadge severity={detail.check.severity} />}
              <StatusBadge
                status={detail.status === "open" ? (active.length ? "MUTED" : "FAIL") : "PASS"}
              />
              <TriageBadge state={detail.triage.state} />
            </div>
            <h3 class="text-base font-semibold text-fg" data-testid="finding-title">
              {detail.check?.title ?? detail.check_id}
            </h3>
            <dl class="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
              <dt class="text-fg-muted">Resource</dt>
              <dd class="break-all font-mono">
                {detail.record_url
                  ? (
                    <a
                      href={detail.record_url}
                      target="_blank"
                      rel="noopener noreferrer"
                      class="inline-flex items-center gap-1 text-accent-text underline"
                    >
                      {detail.resource_key}
                      <Icon icon={ExternalLink} class="size-3.5 shrink-0" />
                      <span class="sr-only">(open the record in ServiceNow)</span>
                    </a>
                  )
                  : detail.resource_key}
              </dd>
              <dt class="text-fg-muted">Table</dt>
              <dd>{detail.table_name}</dd>
              <dt class="text-fg-muted">First seen</dt>
              <dd>{formatDateTime(detail.first_seen_at)}</dd>
              <dt class="text-fg-muted">Last seen</dt>
              <dd>{formatDateTime(detail.last_seen_at)}</dd>
              {detail.reopened_count > 0 && (
                <>
                  <dt class="text-fg-muted">Reopened</dt>
                  <dd>{detail.reopened_count} time{detail.reopened_count === 1 ? "" : "s"}</dd>
                </>
              )}
            </dl>
          </section>

          {detail.check && (
            <section class="space-y-1">
              <h4 class="font-semibold">Why it matters</h4>
              <p class="text-fg-muted">{detail.check.risk}</p>
              <p class="text-fg-muted">{detail.check.description}</p>
              {detail.check.frameworks.length > 0 && (
                <p class="text-xs text-fg-muted">
                  Maps to {detail.check.frameworks.map((m) =>
                    `${
                      props.frameworks.find((f) => f.id === m.framework)?.name ?? m.framework
                    } ${m.requirement}`
                  ).join(", ")}
                </p>
              )}
            </section>
          )}

          <section class="space-y-1">
            <h4 class="font-semibold">Evidence</h4>
            <dl class="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 rounded-md border border-line bg-surface-muted p-3 text-xs">
              {Object.entries(detail.evidence).map(([k, v]) => (
                <Fragment key={k}>
                  <dt class="font-medium text-fg-muted">{k}</dt>
                  <dd class="break-all font-mono">{evidenceText(v)}</dd>
                </Fragment>
              ))}
            </dl>
          </section>

          {detail.check && (
            <section class="space-y-2">
              <div class="flex items-center justify-between gap-2">
                <h4 class="font-semibold">Remediation</h4>
                <CopyButton text={remediationText(detail)} label="Copy steps" />
              </div>
              <p>{detail.check.remediation.summary}</p>
              {detail.check.remediation.steps.length > 0 && (
                <ol class="ml-4 list-decimal space-y-1 text-fg-muted">
                  {detail.check.remediation.steps.map((s) => (
                    <li key={s}>
                      <StepText text={s} instanceUrl={detail.instance_url} />
                    </li>
                  ))}
                </ol>
              )}
              {detail.record_url && (
                <a
                  href={detail.record_url}
                  target="_blank"
                  rel="noopener noreferrer"
                  class="inline-flex items-center gap-1 text-sm font-medium text-accent-text underline"
                >
                  <Icon icon={ExternalLink} class="size-4" />
                  Open the record in ServiceNow
                </a>
              )}
              {code.map((c, i) => (
                <div key={i} class="space-y-1">
                  <div class="flex items-center justify-between">
                    <span class="text-xs text-fg-muted">Background script ({c.language})</span>
                    <CopyButton text={c.code} label="Copy script" />
                  </div>
                  <pre class="max-h-48 overflow-auto rounded-md bg-surface-sunken p-2 text-xs"><code>{c.code}</code></pre>
                </div>
              ))}
            </section>
          )}

          <section class="space-y-2">
            <h4 class="font-semibold">History</h4>
            <ol class="space-y-1 text-xs">
              {detail.history.map((h) => (
                <li key={h.run_id} class="flex items-center gap-2">
                  <span class="w-36 text-fg-muted">{formatDateTime(h.evaluated_at)}</span>
                  <StatusBadge status={h.status} />
                  <DeltaBadge delta={h.delta} />
                </li>
              ))}
            </ol>
            {detail.events.length > 0 && (
              <ol class="space-y-1 border-t border-line pt-2 text-xs text-fg-muted">
                {detail.events.map((e) => (
                  <li key={e.id}>
                    {formatDateTime(e.created_at)} · {e.actor_email ?? "ComplianceIQ"}{" "}
                    {e.kind === "triage"
                      ? `set triage to ${
                        TRIAGE_LABELS[(e.to_state ?? "open") as TriageState] ?? e.to_state
                      }`
                      : e.kind === "suppressed"
                      ? "muted it"
                      : e.kind === "unsuppressed"
                      ? "revoked a mute"
                      : "saw it fail again after it was resolved"}
                    {e.note ? `: “${e.note}”` : ""}
                  </li>
                ))}
              </ol>
            )}
          </section>

          <section class="space-y-2">
            <h4 class="font-semibold">Triage</h4>
            {props.canAct
              ? (
                <form class="space-y-2" onSubmit={saveTriage}>
                  <Select
                    label="Triage state"
                    value={state}
                    options={TRIAGE_STATES.map((t) => ({ value: t, label: TRIAGE_LABELS[t] }))}
                    onValue={setState}
                  />
                  <Textarea label="Note" optional value={note} onValue={setNote} rows={2} />
                  <Button type="submit" size="sm" loading={saving}>Save triage</Button>
                </form>
              )
              : <p class="text-fg-muted">Analysts, admins and owners can triage findings.</p>}
          </section>

          <section class="space-y-2">
            <h4 class="font-semibold">Mute</h4>
            {active.length > 0 && (
              <ul class="space-y-2">
                {active.map((s) => (
                  <li key={s.id} class="rounded-md border border-line p-2 text-xs">
                    <p>
                      Muted {s.scope === "finding"
                        ? "finding"
                        : s.scope === "check_instance"
                        ? "check on this instance"
                        : "check organization-wide"} by {s.owner_email ?? "a former member"}
                      {s.expires_at ? ` until ${formatDateTime(s.expires_at)}` : ", no expiry"}: “{s
                        .reason}”
                    </p>
                    {props.canAct && (
                      <Button
                        size="sm"
                        variant="ghost"
                        icon={Bell}
                        class="mt-1"
                        disabled={saving}
                        onClick={() => void unmute(s.id)}
                      >
                        Revoke mute
                      </Button>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {props.canAct && !muteOfFinding && !muting && (
              <Button
                size="sm"
                variant="secondary"
                icon={BellOff}
                onClick={() => setMuting(true)}
              >
                Mute this finding
              </Button>
            )}
            {muting && (
              <form class="space-y-2 rounded-md border border-line p-3" onSubmit={mute}>
                <p class="text-xs text-fg-muted">
                  A muted finding stays visible but is left out of scores until the mute expires or
                  is revoked.
                </p>
                <MuteFields
                  reason={reason}
                  owner={owner}
                  expires={expires}
                  error={muteError}
                  members={props.members}
                  onReason={setReason}
                  onOwner={setOwner}
                  onExpires={setExpires}
                />
                <div class="flex gap-2">
                  <Button type="submit" size="sm" loading={saving}>Mute finding</Button>
                  <Button size="sm" variant="ghost" onClick={() => setMuting(false)}>Cancel</Button>
                </div>
              </form>
            )}
          </section>
        </div>
      )}
    </Drawer>
  );
}
