import assert from "node:assert/strict";
import {
  compileQuery,
  type FieldAccessor,
  type FieldType,
  formatEncodedQuery,
  parseEncodedQuery,
  type QueryResolver,
  resolveQueryDates,
} from "./mod.ts";

type Row = Record<string, string>;

const USERS: Record<string, Row> = {
  u1: { sys_id: "u1", name: "Ann Admin", active: "true", manager: "" },
  u2: { sys_id: "u2", name: "Bob Builder", active: "false", manager: "u1" },
};

const TYPES: Record<string, FieldType> = {
  sys_id: "string",
  number: "string",
  name: "string",
  active: "boolean",
  priority: "integer",
  opened_at: "datetime",
  closed_at: "datetime",
  caller: "reference",
  assigned_to: "reference",
  manager: "reference",
  short_description: "string",
};

/** Resolver over plain rows; `caller`/`assigned_to`/`manager` reference USERS. */
const resolver: QueryResolver<Row> = {
  field(path) {
    let type = TYPES[path[0]!];
    if (!type) return null;
    for (const seg of path.slice(1)) {
      if (type !== "reference") return null;
      type = TYPES[seg];
      if (!type) return null;
    }
    const walk = (row: Row): Row | undefined => {
      let cur: Row | undefined = row;
      for (const seg of path.slice(0, -1)) cur = cur ? USERS[cur[seg] ?? ""] : undefined;
      return cur;
    };
    const last = path[path.length - 1]!;
    const acc: FieldAccessor<Row> = {
      type,
      get: (row) => walk(row)?.[last] ?? "",
      display: (row) => USERS[walk(row)?.[last] ?? ""]?.name ?? "",
    };
    return acc;
  },
  text: (value) => (row) =>
    Object.values(row).some((v) => v.toLowerCase().includes(value.toLowerCase())),
};

const ROWS: Row[] = [
  {
    number: "INC1",
    active: "true",
    priority: "1",
    opened_at: "2024-03-09 10:00:00",
    closed_at: "",
    caller: "u1",
    assigned_to: "u1",
    short_description: "Email down",
  },
  {
    number: "INC2",
    active: "false",
    priority: "10",
    opened_at: "2024-03-01 08:00:00",
    closed_at: "2024-03-02 08:00:00",
    caller: "u2",
    assigned_to: "u1",
    short_description: "VPN ^ slow",
  },
  {
    number: "INC3",
    active: "true",
    priority: "2",
    opened_at: "2023-12-31 23:59:59",
    closed_at: "",
    caller: "",
    assigned_to: "",
    short_description: "",
  },
];

const NOW = new Date("2024-03-10T12:00:00Z");

function run(q: string, opts: { strict?: boolean; userId?: string } = {}): string[] {
  const c = compileQuery(parseEncodedQuery(q), resolver, {
    now: NOW,
    userId: opts.userId,
    invalidQueryReturnsNoRows: opts.strict,
  });
  const rows = ROWS.filter((r) => c.test(r));
  if (c.compare) rows.sort(c.compare);
  return rows.map((r) => r.number!);
}

Deno.test("compileQuery() applies the platform's operator semantics", async (t) => {
  const cases: [string, string[]][] = [
    ["", ["INC1", "INC2", "INC3"]],
    ["active=true", ["INC1", "INC3"]],
    ["active=1", ["INC1", "INC3"]],
    ["priority>2", ["INC2"]], // integers compare numerically ("10" > "2")
    ["priorityIN1,10", ["INC1", "INC2"]],
    ["priorityNOT IN1", ["INC2", "INC3"]],
    ["caller.active=false", ["INC2"]],
    ["callerISEMPTY", ["INC3"]],
    ["caller!=u1", ["INC2", "INC3"]], // negations include empty values
    ["callerLIKEBuild", ["INC2"]], // references match their display value
    ["short_descriptionLIKE^^", ["INC2"]],
    ["short_descriptionSTARTSWITHEmail", ["INC1"]],
    ["short_descriptionNOT LIKEEmail", ["INC2", "INC3"]],
    ["closed_atISNOTEMPTY", ["INC2"]],
    ["callerSAMEASassigned_to", ["INC1"]],
    ["callerNSAMEASassigned_to", ["INC2", "INC3"]],
    ["opened_at>javascript:gs.daysAgoStart(1)", ["INC1"]],
    ["opened_atRELATIVELT@day@ago@7", ["INC2", "INC3"]],
    ["opened_atRELATIVEEE@day@ago@1", ["INC1"]],
    ["opened_atONToday@javascript:gs.beginningOfYesterday()@javascript:gs.endOfYesterday()", [
      "INC1",
    ]],
    [
      "opened_atBETWEENjavascript:gs.dateGenerate('2024-03-01','start')@javascript:gs.dateGenerate('2024-03-05','end')",
      [
        "INC2",
      ],
    ],
    ["closed_atMORETHANopened_at@hour@after@12", ["INC2"]],
    ["opened_atDATEPARTSaturday@javascript:gs.datePart('dayofweek','saturday','EQ')", ["INC1"]],
    ["opened_atDATEPARTMarch@javascript:gs.datePart('month','march','EQ')", ["INC1", "INC2"]],
    ["active=true^priority=2^ORpriority=1", ["INC1", "INC3"]],
    ["priority=1^NQpriority=2", ["INC1", "INC3"]],
    ["active=true^ORDERBYDESCpriority", ["INC3", "INC1"]],
    ["ORDERBYcaller", ["INC3", "INC1", "INC2"]],
    ["123TEXTQUERY321=vpn", ["INC2"]],
    ["callerDYNAMIC90d1921e5f510100a9ad2572f2b477fe", []],
    ["caller=javascript:gs.getUserID()", ["INC3"]], // no user: "=" with "" matches empty values
    ["caller=", ["INC3"]],
    ["priorityANYTHING", ["INC1", "INC2", "INC3"]],
  ];
  for (const [q, expected] of cases) {
    await t.step(q || "(empty)", () => assert.deepEqual(run(q), expected));
  }
  await t.step("gs.getUserID() and the Me filter use the caller", () => {
    assert.deepEqual(run("caller=javascript:gs.getUserID()", { userId: "u2" }), ["INC2"]);
    assert.deepEqual(run("callerDYNAMIC90d1921e5f510100a9ad2572f2b477fe", { userId: "u1" }), [
      "INC1",
    ]);
  });
});

Deno.test("compileQuery() ignores unknown fields unless the strict property is set", () => {
  assert.deepEqual(run("no_such_field=1^active=true"), ["INC1", "INC3"]);
  assert.deepEqual(run("no_such_field=1"), ["INC1", "INC2", "INC3"]);
  assert.deepEqual(run("no_such_field=1^ORactive=false"), ["INC2"]);
  assert.deepEqual(run("active=true^ORDERBYnope"), ["INC1", "INC3"]);
  assert.deepEqual(run("no_such_field=1^active=true", { strict: true }), []);
  const c = compileQuery(parseEncodedQuery("caller.bogus=1^x=2"), resolver, { now: NOW });
  assert.deepEqual([...c.ignoredFields].sort(), ["caller.bogus", "x"]);
});

Deno.test("resolveQueryDates() replaces relative values with UTC datetimes", () => {
  const q = parseEncodedQuery(
    "a>javascript:gs.daysAgoStart(90)^b<javascript:gs.beginningOfLast6Months()^cRELATIVEGT@hour@ago@1" +
      "^dRELATIVEEE@month@ago@1^eONToday@javascript:gs.beginningOfToday()@javascript:gs.endOfToday()" +
      "^f=javascript:gs.getUserID()^g<javascript:gs.daysAgo(2)^h>javascript:gs.beginningOfLast30Days()",
  );
  assert.equal(
    formatEncodedQuery(resolveQueryDates(q, { now: NOW, userId: "abc" })),
    "a>2023-12-11 00:00:00^b<2023-09-10 00:00:00^c>2024-03-10 11:00:00" +
      "^dBETWEEN2024-02-01 00:00:00@2024-02-29 23:59:59^eONToday@2024-03-10 00:00:00@2024-03-10 23:59:59" +
      "^f=abc^g<2024-03-08 12:00:00^h>2024-02-09 00:00:00",
  );
});
