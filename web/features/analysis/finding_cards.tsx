/**
 * The findings list on a phone: one stacked card per finding (check, resource,
 * severity, status, triage, the record link), so nothing needs a sideways
 * scroll. Wider screens show the same findings as a table (`findings_panel.tsx`).
 *
 * @module
 */
import type { JSX } from "preact";
import { ChevronRight, ExternalLink } from "lucide";
import { Icon } from "../../components/icon.tsx";
import { Skeleton } from "../../components/loader.tsx";
import type { FindingItem } from "./analysis_api.ts";
import {
  DeltaBadge,
  evidenceSummary,
  formatDateTime,
  SeverityBadge,
  StatusBadge,
  TriageBadge,
} from "./ui.tsx";

/** A finding's verdict as shown: a muted failure reads "Muted". */
export function shownStatus(finding: FindingItem): string {
  return finding.muted && finding.status === "FAIL" ? "MUTED" : finding.status;
}

/** "Open in ServiceNow" for a finding whose record has a link. */
export function RecordLink({ finding }: { finding: FindingItem }): JSX.Element | null {
  if (!finding.record_url) return null;
  return (
    <a
      href={finding.record_url}
      target="_blank"
      rel="noopener noreferrer"
      class="inline-flex items-center gap-0.5 text-accent-text underline"
    >
      Open in ServiceNow
      <Icon icon={ExternalLink} class="size-3" />
      <span class="sr-only">: {finding.resource_key}</span>
    </a>
  );
}

/** The resource a finding is about: its table and what identifies the record. */
export function resourceText(finding: FindingItem): string {
  return `${finding.table_name} · ${evidenceSummary(finding.evidence) || finding.resource_key}`;
}

/** Props of {@linkcode FindingCards}. */
export interface FindingCardsProps {
  findings: readonly FindingItem[];
  loading: boolean;
  /** Whether findings can be selected for the bulk actions. */
  canAct: boolean;
  selected: ReadonlySet<string>;
  onToggle: (id: string, on: boolean) => void;
  onOpen: (finding: FindingItem) => void;
}

/** One labelled value of a card (a `dt`/`dd` pair whose term only screen readers hear). */
function Fact(props: { term: string; children: JSX.Element | null }): JSX.Element | null {
  if (!props.children) return null;
  return (
    <div class="flex items-center">
      <dt class="sr-only">{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

/**
 * The findings as a list of cards, each with a checkbox for the bulk actions
 * (when the user may act) and the check's title as the button that opens the
 * finding's drawer.
 */
export function FindingCards(props: FindingCardsProps): JSX.Element {
  if (props.loading) {
    return (
      <div class="space-y-3 p-3">
        <span class="sr-only" role="status">Loading findings…</span>
        {[0, 1, 2].map((i) => <Skeleton key={i} class="h-20 w-full" />)}
      </div>
    );
  }
  return (
    <ul aria-label="Findings" class="divide-y divide-line">
      {props.findings.map((finding) => (
        <li key={finding.id} class="flex gap-3 px-3 py-3" data-testid="finding-card">
          {props.canAct && (
            <input
              type="checkbox"
              class="mt-1 size-5 shrink-0"
              checked={props.selected.has(finding.id)}
              aria-label={`Select ${finding.check_title}: ${finding.resource_key}`}
              onChange={(event) =>
                props.onToggle(finding.id, (event.target as HTMLInputElement).checked)}
            />
          )}
          <div class="min-w-0 flex-1 space-y-1.5">
            <button
              type="button"
              class="flex w-full items-start justify-between gap-2 text-left font-medium text-fg hover:text-accent-text hover:underline"
              onClick={() =>
                props.onOpen(finding)}
            >
              <span class="min-w-0 break-words">{finding.check_title}</span>
              <Icon icon={ChevronRight} class="mt-0.5 size-4 shrink-0 text-fg-muted" />
            </button>
            <p
              class="break-words text-xs text-fg-muted [overflow-wrap:anywhere]"
              data-testid="finding-resource"
            >
              {resourceText(finding)}
            </p>
            <dl class="flex flex-wrap items-center gap-1">
              <Fact term="Severity">
                <SeverityBadge severity={finding.severity} />
              </Fact>
              <Fact term="Status">
                <StatusBadge status={shownStatus(finding)} />
              </Fact>
              <Fact term="Triage">
                <TriageBadge state={finding.triage_state} />
              </Fact>
              <Fact term="Change">
                {finding.delta ? <DeltaBadge delta={finding.delta} /> : null}
              </Fact>
            </dl>
            <p class="flex flex-wrap items-center gap-x-2 text-xs text-fg-muted">
              <span>First seen {formatDateTime(finding.first_seen_at)}</span>
              <RecordLink finding={finding} />
            </p>
          </div>
        </li>
      ))}
    </ul>
  );
}
