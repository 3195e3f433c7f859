import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { type Column, sortRows, Table } from "./table.tsx";

interface Row {
  id: string;
  name: string;
  count: number | null;
}

const COLUMNS: Column<Row>[] = [
  { id: "name", header: "Name", sortValue: (r) => r.name, cell: (r) => r.name },
  { id: "count", header: "Count", sortValue: (r) => r.count, cell: (r) => `${r.count}` },
];
const ROWS: Row[] = [
  { id: "1", name: "beta", count: 10 },
  { id: "2", name: "Alpha", count: null },
  { id: "3", name: "gamma 2", count: 2 },
  { id: "4", name: "gamma 10", count: 2 },
];

Deno.test("sortRows() sorts text naturally, numbers numerically, nulls last, ties stably", () => {
  assert.deepEqual(
    sortRows(ROWS, COLUMNS, { columnId: "name", direction: "asc" }).map((r) => r.id),
    ["2", "1", "3", "4"],
  );
  assert.deepEqual(
    sortRows(ROWS, COLUMNS, { columnId: "count", direction: "asc" }).map((r) => r.id),
    ["3", "4", "1", "2"],
  );
  assert.deepEqual(
    sortRows(ROWS, COLUMNS, { columnId: "count", direction: "desc" }).map((r) => r.id),
    ["1", "3", "4", "2"],
  );
});

Deno.test("<Table> marks the sorted column, paginates and shows an empty state", () => {
  const html = renderToString(
    <Table
      caption="Things"
      columns={COLUMNS}
      rows={ROWS}
      rowKey={(r) => r.id}
      pageSize={3}
      initialSort={{ columnId: "count", direction: "desc" }}
    />,
  );
  assert.match(html, /aria-sort="descending"/);
  assert.match(html, /Page 1 of 2/);
  assert.match(html, /1–3 of 4/);
  assert.equal((html.match(/<tr/g) ?? []).length, 4, "header row plus one page of three");

  const empty = renderToString(
    <Table
      caption="Things"
      columns={COLUMNS}
      rows={[]}
      rowKey={(r) => r.id}
      empty={{ title: "Nothing here yet" }}
    />,
  );
  assert.match(empty, /Nothing here yet/);
  assert.doesNotMatch(empty, /<table/);
});

/** Renders with `matchMedia` answering as a phone (or not) would. */
function renderAs(phone: boolean, node: preact.VNode): string {
  const original = globalThis.matchMedia;
  globalThis.matchMedia = ((query: string) => ({
    matches: phone && query.includes("max-width"),
    media: query,
    addEventListener() {},
    removeEventListener() {},
  })) as unknown as typeof globalThis.matchMedia;
  try {
    return renderToString(node);
  } finally {
    globalThis.matchMedia = original;
  }
}

Deno.test("<Table stackOnPhone> draws each row as a card of labelled values on a phone", () => {
  const columns: Column<Row>[] = [
    { id: "name", header: "Name", primary: true, cell: (r) => r.name },
    { id: "count", header: "Count", cell: (r) => `${r.count}` },
    { id: "actions", header: "Actions", hideHeader: true, cell: (r) => `Edit ${r.name}` },
  ];
  const table = (
    <Table
      caption="Things"
      columns={columns}
      rows={ROWS.slice(0, 2)}
      rowKey={(r) => r.id}
    />
  );
  const stacked = (
    <Table
      caption="Things"
      columns={columns}
      rows={ROWS.slice(0, 2)}
      rowKey={(r) => r.id}
      stackOnPhone
    />
  );
  const phone = renderAs(true, stacked);
  assert.doesNotMatch(phone, /<table/);
  assert.match(phone, /<ul aria-label="Things"/);
  assert.equal(phone.match(/<li /g)?.length, 2);
  assert.match(phone, /<dt[^>]*>Count<\/dt><dd[^>]*>10<\/dd>/);
  // The primary column heads the card, unlabelled; actions come last.
  assert.doesNotMatch(phone, /<dt[^>]*>Name</);
  assert.ok(phone.indexOf("beta") < phone.indexOf("Count"));
  assert.ok(phone.indexOf("Count") < phone.indexOf("Edit beta"));
  // Wider screens, and tables that did not ask for it, keep the table.
  assert.match(renderAs(false, stacked), /<table/);
  assert.match(renderAs(true, table), /<table/);
});
