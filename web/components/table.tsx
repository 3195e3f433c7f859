import type { ComponentChildren, JSX } from "preact";
import { useMemo, useState } from "preact/hooks";
import { ArrowDown, ArrowUp, ArrowUpDown, ChevronLeft, ChevronRight } from "lucide";
import { cx } from "../lib/cx.ts";
import { EmptyState, type EmptyStateProps } from "./empty_state.tsx";
import { Icon } from "./icon.tsx";
import { Skeleton } from "./loader.tsx";
import { ScrollRegion } from "./scroll_region.tsx";
import { PHONE_QUERY, useMediaQuery } from "../lib/media.ts";

/** One column of a {@linkcode Table}. */
export interface Column<T> {
  /** Stable id, used for sorting state. */
  id: string;
  header: string;
  cell: (row: T) => ComponentChildren;
  /** Makes the column sortable by this value. */
  sortValue?: (row: T) => string | number | null;
  align?: "left" | "right";
  /** Hides the header text visually (e.g. an actions column); it stays readable. */
  hideHeader?: boolean;
  /**
   * In a stacked table on a phone, the row's heading: drawn first, without its
   * header. Otherwise a column is drawn as "header: value", and a column with
   * `hideHeader` (actions, a checkbox) on its own line at the end of the card.
   */
  primary?: boolean;
  class?: string;
}

/** Sort state: a column id and a direction. */
export interface SortState {
  columnId: string;
  direction: "asc" | "desc";
}

/** Props of {@linkcode Table}. */
export interface TableProps<T> {
  /** Caption read by screen readers (visually hidden unless `showCaption`). */
  caption: string;
  showCaption?: boolean;
  columns: ReadonlyArray<Column<T>>;
  rows: ReadonlyArray<T>;
  rowKey: (row: T) => string;
  /** Initial sort; the user can change it by activating a sortable header. */
  initialSort?: SortState;
  /** Rows per page; pagination controls appear when there are more. */
  pageSize?: number;
  loading?: boolean;
  /** What to show with no rows. */
  empty?: EmptyStateProps;
  /**
   * On a phone (narrower than 640 px) each row is drawn as a card of labelled
   * values, a list named by the caption, instead of a table that scrolls
   * sideways (the sort then stays as it is).
   */
  stackOnPhone?: boolean;
  class?: string;
}

/**
 * Sorts rows by a column's sort value (nulls last, text compared with the
 * locale's collation, numbers numerically); stable for equal values.
 *
 * @param rows the rows
 * @param columns the table's columns
 * @param sort the sort state, or null to keep the order
 */
export function sortRows<T>(
  rows: ReadonlyArray<T>,
  columns: ReadonlyArray<Column<T>>,
  sort: SortState | null,
): T[] {
  const column = sort && columns.find((c) => c.id === sort.columnId);
  if (!sort || !column?.sortValue) return [...rows];
  const value = column.sortValue;
  const factor = sort.direction === "asc" ? 1 : -1;
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  return rows
    .map((row, index) => ({ row, index, key: value(row) }))
    .sort((a, b) => {
      if (a.key === null || b.key === null) {
        return a.key === b.key ? a.index - b.index : a.key === null ? 1 : -1;
      }
      const order = typeof a.key === "number" && typeof b.key === "number"
        ? a.key - b.key
        : collator.compare(`${a.key}`, `${b.key}`);
      return order === 0 ? a.index - b.index : order * factor;
    })
    .map((entry) => entry.row);
}

/** Rows as cards: the primary column as the heading, the others as labelled values. */
function StackedRows<T>(
  props: {
    caption: string;
    columns: ReadonlyArray<Column<T>>;
    rows: ReadonlyArray<T>;
    rowKey: (row: T) => string;
    loading?: boolean;
  },
): JSX.Element {
  if (props.loading) {
    return (
      <div class="space-y-3 p-4">
        {[0, 1, 2].map((i) => <Skeleton key={i} class="h-14 w-full" />)}
      </div>
    );
  }
  const primary = props.columns.filter((c) => c.primary);
  const labelled = props.columns.filter((c) => !c.primary && !c.hideHeader);
  const trailing = props.columns.filter((c) => !c.primary && c.hideHeader);
  return (
    <ul aria-label={props.caption} class="divide-y divide-line">
      {props.rows.map((row) => (
        <li key={props.rowKey(row)} class="space-y-2 px-4 py-3 text-sm">
          {primary.map((column) => (
            <div key={column.id} class="min-w-0 break-words font-medium">{column.cell(row)}</div>
          ))}
          {labelled.length > 0 && (
            <dl class="grid grid-cols-[minmax(0,auto)_minmax(0,1fr)] items-baseline gap-x-3 gap-y-1.5">
              {labelled.map((column) => [
                <dt key={`${column.id}-term`} class="text-xs font-medium text-fg-muted">
                  {column.header}
                </dt>,
                <dd key={`${column.id}-value`} class="min-w-0 break-words [overflow-wrap:anywhere]">
                  {column.cell(row)}
                </dd>,
              ])}
            </dl>
          )}
          {trailing.map((column) => (
            <div key={column.id} class="flex flex-wrap items-center gap-2">
              {column.cell(row)}
            </div>
          ))}
        </li>
      ))}
    </ul>
  );
}

/**
 * A data table with sortable headers (buttons with `aria-sort`), client-side
 * pagination, loading skeleton rows and an empty state. Too wide for its
 * container, it scrolls horizontally inside a focusable region named by the
 * caption ({@linkcode ScrollRegion}); with `stackOnPhone`, a phone shows its
 * rows as cards instead.
 *
 * @example
 * <Table caption="Members" columns={columns} rows={members} rowKey={(m) => m.user_id} pageSize={20} />
 */
export function Table<T>(props: TableProps<T>): JSX.Element {
  const [sort, setSort] = useState<SortState | null>(props.initialSort ?? null);
  const [page, setPage] = useState(0);
  const phone = useMediaQuery(PHONE_QUERY);
  const stacked = props.stackOnPhone === true && phone;
  const sorted = useMemo(() => sortRows(props.rows, props.columns, sort), [
    props.rows,
    props.columns,
    sort,
  ]);
  const pageSize = props.pageSize ?? Number.POSITIVE_INFINITY;
  const pageCount = Math.max(1, Math.ceil(sorted.length / pageSize));
  const current = Math.min(page, pageCount - 1);
  const visible = Number.isFinite(pageSize)
    ? sorted.slice(current * pageSize, current * pageSize + pageSize)
    : sorted;

  function toggle(columnId: string): void {
    setSort((prev) =>
      prev?.columnId === columnId
        ? { columnId, direction: prev.direction === "asc" ? "desc" : "asc" }
        : { columnId, direction: "asc" }
    );
    setPage(0);
  }

  if (!props.loading && props.rows.length === 0 && props.empty) {
    return <EmptyState {...props.empty} />;
  }

  return (
    <div class={props.class}>
      {stacked
        ? (
          <StackedRows
            caption={props.caption}
            columns={props.columns}
            rows={visible}
            rowKey={props.rowKey}
            loading={props.loading}
          />
        )
        : (
          <ScrollRegion label={props.caption}>
            <table class="w-full border-collapse text-left text-sm">
              <caption
                class={props.showCaption ? "px-4 py-2 text-left text-sm text-fg-muted" : "sr-only"}
              >
                {props.caption}
                {sort && !props.showCaption
                  ? `, sorted by ${props.columns.find((c) => c.id === sort.columnId)?.header} ${
                    sort.direction === "asc" ? "ascending" : "descending"
                  }`
                  : ""}
              </caption>
              <thead class="border-b border-line bg-surface-muted">
                <tr>
                  {props.columns.map((column) => {
                    const active = sort?.columnId === column.id;
                    const ariaSort = active
                      ? (sort.direction === "asc" ? "ascending" : "descending")
                      : undefined;
                    return (
                      <th
                        key={column.id}
                        scope="col"
                        aria-sort={column.sortValue ? ariaSort ?? "none" : undefined}
                        class={cx(
                          "whitespace-nowrap px-4 py-2.5 text-xs font-semibold uppercase tracking-wide text-fg-muted",
                          column.align === "right" && "text-right",
                          column.class,
                        )}
                      >
                        {column.sortValue
                          ? (
                            <button
                              type="button"
                              onClick={() => toggle(column.id)}
                              class={cx(
                                "-mx-1 inline-flex items-center gap-1 rounded px-1 uppercase hover:text-fg",
                                active && "text-fg",
                              )}
                            >
                              {column.header}
                              <Icon
                                icon={active
                                  ? (sort.direction === "asc" ? ArrowUp : ArrowDown)
                                  : ArrowUpDown}
                                class={cx("size-3.5", !active && "opacity-60")}
                              />
                            </button>
                          )
                          : (
                            <span class={column.hideHeader ? "sr-only" : undefined}>
                              {column.header}
                            </span>
                          )}
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody class="divide-y divide-line">
                {props.loading
                  ? Array.from({ length: 3 }, (_, i) => (
                    <tr key={`skeleton-${i}`}>
                      {props.columns.map((column) => (
                        <td key={column.id} class="px-4 py-3">
                          <Skeleton class="h-4 w-3/4" />
                        </td>
                      ))}
                    </tr>
                  ))
                  : visible.map((row) => (
                    <tr key={props.rowKey(row)} class="hover:bg-surface-muted/60">
                      {props.columns.map((column) => (
                        <td
                          key={column.id}
                          class={cx(
                            "px-4 py-3 align-middle",
                            column.align === "right" && "text-right",
                            column.class,
                          )}
                        >
                          {column.cell(row)}
                        </td>
                      ))}
                    </tr>
                  ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      {props.loading && (
        <span class="sr-only" role="status">Loading {props.caption.toLowerCase()}…</span>
      )}
      {!props.loading && pageCount > 1 && (
        <nav
          aria-label={`${props.caption} pages`}
          class="flex items-center justify-between gap-3 border-t border-line px-4 py-2.5 text-sm text-fg-muted"
        >
          <span aria-live="polite">
            {current * pageSize + 1}–{Math.min(sorted.length, (current + 1) * pageSize)} of{" "}
            {sorted.length}
          </span>
          <div class="flex items-center gap-1">
            <button
              type="button"
              class="inline-flex items-center gap-1 rounded-md px-2 py-1 hover:bg-surface-muted hover:text-fg disabled:opacity-50 disabled:hover:bg-transparent"
              onClick={() => setPage(current - 1)}
              disabled={current === 0}
            >
              <Icon icon={ChevronLeft} /> Previous
            </button>
            <span class="px-2 tabular-nums">
              Page {current + 1} of {pageCount}
            </span>
            <button
              type="button"
              class="inline-flex items-center gap-1 rounded-md px-2 py-1 hover:bg-surface-muted hover:text-fg disabled:opacity-50 disabled:hover:bg-transparent"
              onClick={() => setPage(current + 1)}
              disabled={current >= pageCount - 1}
            >
              Next <Icon icon={ChevronRight} />
            </button>
          </div>
        </nav>
      )}
    </div>
  );
}
