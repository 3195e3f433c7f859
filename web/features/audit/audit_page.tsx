import type { JSX } from "preact";
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { Download, ShieldAlert, ShieldCheck } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { Input } from "../../components/input.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { formatDateTime } from "../../lib/format.ts";
import { useApp } from "../../app/services.ts";
import {
  type AuditEntry,
  type AuditFilters,
  type AuditVerification,
  createAuditApi,
  filterQuery,
  NO_FILTERS,
} from "./audit_api.ts";
import { AuditDrawer } from "./audit_drawer.tsx";
import { AccessReviewCard, downloadCsv } from "./access_review.tsx";
import { SignInsCard } from "./sign_ins.tsx";

function VerificationBanner(props: { result: AuditVerification | null; error: string | null }) {
  if (props.error) return <Alert tone="error">Could not verify the chain: {props.error}</Alert>;
  const r = props.result;
  if (!r) return <Alert>Verifying the audit chain…</Alert>;
  if (!r.ok) {
    return (
      <Alert tone="error" title="The audit chain is broken">
        {r.reason} (checked {formatDateTime(r.checked_at)})
      </Alert>
    );
  }
  return (
    <Alert tone="success" title="The audit chain verifies">
      {r.entries} entries, each linked to the one before; head #{r.head_seq}
      {r.history_start
        ? `; history starts at #${r.history_start.seq} (${
          formatDateTime(r.history_start.starts_at)
        }), older entries purged under the plan's retention`
        : ""}
      {r.anchor
        ? `, last anchored ${formatDateTime(r.anchor.anchored_at)} at #${r.anchor.seq}`
        : ""}.
    </Alert>
  );
}

function EntryRow(props: { entry: AuditEntry; onOpen: () => void }): JSX.Element {
  const e = props.entry;
  return (
    <li class="border-t border-line first:border-t-0">
      <button
        type="button"
        class="flex w-full flex-wrap items-baseline gap-x-3 gap-y-1 px-3 py-2 text-left hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-ring"
        onClick={props.onOpen}
      >
        <code class="text-sm font-medium text-fg">{e.action}</code>
        {e.category === "security" && <Badge tone="warning">security</Badge>}
        <span class="text-xs text-fg-muted">{e.operation} {e.target_table}</span>
        <span class="ml-auto text-xs text-fg-muted">{formatDateTime(e.occurred_at)}</span>
        <span class="w-full truncate text-xs text-fg-muted">
          {e.actor_email ?? e.actor_id ?? e.actor_kind} · {e.ip ?? "no address"}
        </span>
      </button>
    </li>
  );
}

/** `/app/settings/audit`: the audit trail, its verification and the access review. */
export function AuditPage(): JSX.Element {
  const app = useApp();
  const org = app.orgs.current.value!;
  const audit = useMemo(() => createAuditApi(app.api), [app.api]);
  const [draft, setDraft] = useState<AuditFilters>(NO_FILTERS);
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [verification, setVerification] = useState<AuditVerification | null>(null);
  const [verifyError, setVerifyError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  useEffect(() => {
    audit.verify(org.id).then(setVerification, (c) => setVerifyError(errorMessage(c)));
  }, [org.id]);
  useEffect(() => {
    const abort = new AbortController();
    setEntries(null);
    audit.list(org.id, filters, undefined, abort.signal).then((page) => {
      setEntries(page.data);
      setCursor(page.next_cursor);
      setError(null);
    }, (c) => !abort.signal.aborted && setError(errorMessage(c)));
    return () => abort.abort();
  }, [org.id, filters]);

  const more = async () => {
    if (!cursor) return;
    try {
      const page = await audit.list(org.id, filters, cursor);
      setEntries([...(entries ?? []), ...page.data]);
      setCursor(page.next_cursor);
    } catch (c) {
      setError(errorMessage(c));
    }
  };
  const load = useCallback(() => audit.entry(org.id, open!), [open]);
  const set = (key: keyof AuditFilters) => (value: string) => setDraft({ ...draft, [key]: value });
  const exportCsv = () =>
    downloadCsv(app, "/audit/entries.csv", filterQuery(org.id, filters), "audit.csv");

  return (
    <div class="space-y-6">
      <PageHeader
        title="Audit log"
        description="Every change and security event in this organization: who, what, when and from where. Entries cannot be changed; each is linked to the one before by its hash."
        actions={
          <Button variant="secondary" icon={Download} onClick={exportCsv}>Export CSV</Button>
        }
      />
      <VerificationBanner result={verification} error={verifyError} />
      <Card>
        <form
          class="grid grid-cols-1 gap-3 sm:grid-cols-3"
          onSubmit={(event) => {
            event.preventDefault();
            setFilters(draft);
          }}
        >
          <Input label="Actor" hint="Email or id" value={draft.actor} onValue={set("actor")} />
          <Input
            label="Action"
            hint="e.g. members.* "
            value={draft.action}
            onValue={set("action")}
          />
          <Input
            label="Target"
            hint="Table, e.g. instances"
            value={draft.target_table}
            onValue={set("target_table")}
          />
          <Select
            label="Category"
            value={draft.category}
            options={[
              { value: "", label: "All" },
              { value: "security", label: "Security events" },
              { value: "change", label: "Changes" },
            ]}
            onValue={set("category")}
          />
          <Input
            label="From"
            type="text"
            placeholder="YYYY-MM-DD"
            pattern="\d{4}-\d{2}-\d{2}"
            value={draft.from}
            onValue={set("from")}
          />
          <Input
            label="To"
            type="text"
            placeholder="YYYY-MM-DD"
            pattern="\d{4}-\d{2}-\d{2}"
            value={draft.to}
            onValue={set("to")}
          />
          <div class="flex gap-2 sm:col-span-3">
            <Button type="submit">Apply filters</Button>
            <Button
              type="button"
              variant="ghost"
              onClick={() => (setDraft(NO_FILTERS), setFilters(NO_FILTERS))}
            >
              Clear
            </Button>
          </div>
        </form>
      </Card>
      {error && <Alert tone="error">{error}</Alert>}
      <Card>
        {entries === null && !error && <p class="p-3 text-sm text-fg-muted">Loading entries…</p>}
        {entries?.length === 0 && (
          <EmptyState
            titleAs="h2"
            icon={verification?.ok === false ? ShieldAlert : ShieldCheck}
            title="No entries match"
            description="Change or clear the filters to see more of the audit trail."
          />
        )}
        {entries && entries.length > 0 && (
          <ul aria-label="Audit entries" data-testid="audit-entries">
            {entries.map((e) => (
              <EntryRow
                key={e.id}
                entry={e}
                onOpen={() => setOpen(e.id)}
              />
            ))}
          </ul>
        )}
        {cursor && (
          <div class="p-3">
            <Button variant="secondary" onClick={more}>Show older entries</Button>
          </div>
        )}
      </Card>
      <SignInsCard orgId={org.id} />
      <AccessReviewCard orgId={org.id} />
      <AuditDrawer load={open ? load : null} onClose={() => setOpen(null)} />
    </div>
  );
}
