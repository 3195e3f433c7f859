import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type AndGroup,
  DATE_GRANULARITIES,
  DATE_PART_COMPARATORS,
  DATE_PARTS,
  type EncodedQuery,
  formatEncodedQuery,
  type OrderBy,
  parseEncodedQuery,
  type QueryTerm,
  RELATED_COMPARATORS,
  RELATIVE_UNITS,
  type ScalarValue,
  type TermValue,
} from "./mod.ts";

const segment = fc.stringMatching(/^[a-z0-9_]{1,8}$/);
const fieldPath = fc.array(segment, { minLength: 1, maxLength: 3 });
// Literal text may contain "^" (escaped as "^^") but must not start with "=" or "_"
// (which would extend "<"/">"/"IN" into "<="/">="/"IN_HIERARCHY") nor with "javascript:".
const literalText = fc.string({ maxLength: 12 }).filter((s) =>
  !/^[=_]/.test(s) && !s.startsWith("javascript:")
);
const atFree = literalText.filter((s) => !s.includes("@"));
const listItem = fc.string({ minLength: 1, maxLength: 8 }).filter((s) =>
  !s.includes(",") && !/^[=_]/.test(s)
);
const dateText = fc.date({
  min: new Date("2000-01-01T00:00:00Z"),
  max: new Date("2099-12-31T00:00:00Z"),
  noInvalidDate: true,
}).map((d) => d.toISOString().slice(0, 10));

const script: fc.Arbitrary<ScalarValue> = fc.oneof(
  fc.record({
    fn: fc.constantFrom("daysAgo", "daysAgoStart", "daysAgoEnd"),
    args: fc.tuple(fc.integer({ min: -400, max: 400 })),
  }),
  fc.record({
    fn: fc.constantFrom(
      "beginningOfToday",
      "endOfToday",
      "beginningOfYesterday",
      "endOfYesterday",
      "beginningOfLast30Days",
      "beginningOfLast90Days",
      "beginningOfLast6Months",
      "getUserID",
    ),
    args: fc.constant([] as number[]),
  }),
  fc.record({
    fn: fc.constant("dateGenerate"),
    args: fc.tuple(dateText, fc.constantFrom("start", "end", "12:34:56")),
  }),
).map((call) => ({ kind: "script", call } as ScalarValue));

const scalar = (text: fc.Arbitrary<string>): fc.Arbitrary<ScalarValue> =>
  fc.oneof(text.map((value) => ({ kind: "literal", value } as ScalarValue)), script);

const conditionTerm: fc.Arbitrary<QueryTerm> = fc.oneof(
  fc.record({
    field: fieldPath,
    operator: fc.constantFrom(
      "=",
      "!=",
      "<",
      "<=",
      ">",
      ">=",
      "LIKE",
      "NOT LIKE",
      "STARTSWITH",
      "ENDSWITH",
      "DYNAMIC",
      "IN_HIERARCHY",
    ),
    value: scalar(literalText) as fc.Arbitrary<TermValue>,
  }),
  fc.record({
    field: fieldPath,
    operator: fc.constantFrom("IN", "NOT IN"),
    value: fc.array(listItem, { minLength: 1, maxLength: 4 }).map((values) =>
      ({ kind: "list", values }) as TermValue
    ),
  }),
  fc.record({
    field: fieldPath,
    operator: fc.constantFrom("ISEMPTY", "ISNOTEMPTY", "EMPTYSTRING", "ANYTHING"),
    value: fc.constant({ kind: "none" } as TermValue),
  }),
  fc.record({
    field: fieldPath,
    operator: fc.constant("BETWEEN"),
    value: fc.record({
      kind: fc.constant("range"),
      low: scalar(atFree),
      high: scalar(atFree),
    }) as fc.Arbitrary<TermValue>,
  }),
  fc.record({
    field: fieldPath,
    operator: fc.constantFrom("SAMEAS", "NSAMEAS"),
    value: fc.record({
      kind: fc.constant("field"),
      field: fieldPath,
      granularity: fc.option(fc.constantFrom(...DATE_GRANULARITIES), { nil: null }),
    }) as fc.Arbitrary<TermValue>,
  }),
  fc.record({
    field: fieldPath,
    operator: fc.constantFrom("GT_FIELD", "LT_FIELD", "GT_OR_EQUALS_FIELD", "LT_OR_EQUALS_FIELD"),
    value: fc.record({
      kind: fc.constant("field"),
      field: fieldPath,
      granularity: fc.constant(null),
    }) as fc.Arbitrary<TermValue>,
  }),
  fc.record({
    field: fieldPath,
    operator: fc.constantFrom("MORETHAN", "LESSTHAN"),
    value: fc.record({
      kind: fc.constant("field_offset"),
      field: fieldPath,
      unit: fc.constantFrom(...RELATIVE_UNITS),
      direction: fc.constantFrom("before", "after"),
      amount: fc.nat(1000),
    }) as fc.Arbitrary<TermValue>,
  }),
  fc.record({
    field: fieldPath,
    operator: fc.constantFrom("ON", "NOTON"),
    value: fc.record({
      kind: fc.constant("date_span"),
      label: atFree,
      start: scalar(atFree),
      end: scalar(atFree),
    }) as fc.Arbitrary<TermValue>,
  }),
  fc.record({
    field: fieldPath,
    operator: fc.constantFrom("RELATIVEGT", "RELATIVELT", "RELATIVEGE", "RELATIVELE", "RELATIVEEE"),
    value: fc.record({
      kind: fc.constant("relative"),
      unit: fc.constantFrom(...RELATIVE_UNITS),
      direction: fc.constantFrom("ago", "ahead"),
      amount: fc.nat(1000),
    }) as fc.Arbitrary<TermValue>,
  }),
  fc.record({
    field: fieldPath,
    operator: fc.constant("DATEPART"),
    value: fc.record({
      kind: fc.constant("date_part"),
      label: atFree,
      part: fc.constantFrom(...DATE_PARTS),
      partValue: fc.stringMatching(/^[a-z0-9]{1,9}$/),
      comparator: fc.constantFrom(...DATE_PART_COMPARATORS),
    }) as fc.Arbitrary<TermValue>,
  }),
).map((r) => ({ kind: "condition", ...r }) as QueryTerm);

const orderBy: fc.Arbitrary<OrderBy[]> = fc.array(
  fc.record({ field: fieldPath, direction: fc.constantFrom("asc" as const, "desc" as const) }),
  { maxLength: 3 },
);

const groupsOf = (term: fc.Arbitrary<QueryTerm>): fc.Arbitrary<AndGroup[]> =>
  fc.array(
    fc.record({
      clusters: fc.array(fc.record({ terms: fc.array(term, { minLength: 1, maxLength: 3 }) }), {
        minLength: 1,
        maxLength: 4,
      }),
    }),
    { maxLength: 3 },
  );

const innerQuery: fc.Arbitrary<EncodedQuery> = fc.record({
  groups: groupsOf(conditionTerm),
  orderBy: fc.constant([]),
});

const anyTerm: fc.Arbitrary<QueryTerm> = fc.oneof(
  { weight: 8, arbitrary: conditionTerm },
  { weight: 1, arbitrary: literalText.map((value) => ({ kind: "text", value }) as QueryTerm) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("related" as const),
      table: segment,
      field: segment,
      comparator: fc.constantFrom(...RELATED_COMPARATORS),
      count: fc.nat(50),
      query: innerQuery,
    }),
  },
);

const query: fc.Arbitrary<EncodedQuery> = fc.record({ groups: groupsOf(anyTerm), orderBy });

Deno.test("parseEncodedQuery(formatEncodedQuery(ast)) returns the same AST", () => {
  fc.assert(
    fc.property(query, (generated) => {
      const ast = JSON.parse(JSON.stringify(generated)); // plain prototypes for deepEqual
      const text = formatEncodedQuery(ast);
      assert.deepEqual(parseEncodedQuery(text), ast, text);
    }),
    { numRuns: 400 },
  );
});
