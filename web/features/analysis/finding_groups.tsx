import type { JSX } from "preact";
import { cx } from "../../lib/cx.ts";
import type { FindingGroups } from "./analysis_api.ts";
import { SeverityBadge } from "./ui.tsx";

/**
 * The run's findings by check: how many resources each check affects, and the
 * total. Picking a check shows its findings; "All checks" shows them all.
 */
export function FindingGroupsList(
  props: {
    groups: FindingGroups | null;
    /** The check shown, or "" for all. */
    selected: string;
    onSelect: (checkId: string) => void;
  },
): JSX.Element {
  const groups = props.groups?.data ?? [];
  const item = (
    checkId: string,
    label: JSX.Element | string,
    count: number,
    extra?: JSX.Element,
  ) => (
    <li key={checkId || "all"}>
      <button
        type="button"
        aria-current={props.selected === checkId ? "true" : undefined}
        class={cx(
          "flex w-full items-start gap-2 rounded-md px-2.5 py-2 text-left text-sm",
          props.selected === checkId
            ? "bg-accent/10 font-medium text-accent-text"
            : "text-fg hover:bg-surface-muted",
        )}
        onClick={() => props.onSelect(checkId)}
      >
        <span class="min-w-0 flex-1">
          <span class="block">{label}</span>
          {extra}
        </span>
        <span class="shrink-0 rounded-full bg-surface-sunken px-2 py-0.5 text-xs font-semibold tabular-nums text-fg">
          {count}
          <span class="sr-only">affected resources</span>
        </span>
      </button>
    </li>
  );
  return (
    <nav aria-label="Findings by check" class="rounded-lg border border-line bg-surface p-2">
      <p class="px-2.5 pb-2 pt-1 text-xs text-fg-muted" data-testid="findings-total">
        {props.groups
          ? props.groups.capped
            ? `More than ${
              props.groups.total.toLocaleString("en")
            } findings match: the checks below count the first ${
              props.groups.total.toLocaleString("en")
            }`
            : `${props.groups.total} finding${
              props.groups.total === 1 ? "" : "s"
            } in ${groups.length} check${groups.length === 1 ? "" : "s"}`
          : "Counting findings…"}
      </p>
      <ul class="max-h-[28rem] space-y-0.5 overflow-y-auto lg:max-h-[40rem]">
        {item("", "All checks", props.groups?.total ?? 0)}
        {groups.map((g) =>
          item(
            g.check_id,
            g.check_title,
            g.count,
            <span class="mt-1 flex flex-wrap items-center gap-1.5 text-xs text-fg-muted">
              <SeverityBadge severity={g.severity} />
              {g.muted > 0 && <span>{g.muted} muted</span>}
            </span>,
          )
        )}
      </ul>
    </nav>
  );
}
