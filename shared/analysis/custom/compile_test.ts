// The compiled SQL of a custom check must select exactly the records the
// platform's semantics select (shared/servicenow/query's in-memory evaluator),
// on records full of awkward values: empty strings, numbers with spaces and
// exponents, malformed dates, dangling references. fast-check generates the
// queries; the same records live in Postgres and in memory.
import assert from "node:assert/strict";
import fc from "fast-check";
import { createTestAuth, createTestDatabase } from "../../../scripts/testing/mod.ts";
import { workerClaims } from "../../db/mod.ts";
import {
  compileQuery,
  type FieldAccessor,
  parseEncodedQuery,
  type QueryResolver,
} from "../../servicenow/query/mod.ts";
import { compileCustomQuery, CustomQueryError } from "./compile.ts";
import { displayField, fieldInfo } from "./dictionary.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());
const owner = await auth.createUser(tdb.db, { orgName: "Custom Check Tests" });
const orgId = owner.orgId!;
const [instance] = await tdb.db.sql<{ id: string }[]>`
  insert into public.instances (org_id, name, url, auth_type, credentials)
  values (${orgId}, 'acme', 'https://acme.service-now.com', 'basic', '{}'::jsonb) returning id`;
const instanceId = instance!.id;
const NOW = new Date("2026-06-01T00:00:00Z");

type Rec = Record<string, string>;

// A seeded generator, so the data set is the same in every run.
let seed = 42;
function rand(n: number): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
}
function pick<T>(items: readonly T[]): T {
  return items[rand(items.length)]!;
}
const sysId = (prefix: string, i: number) =>
  `${prefix}${String(i).padStart(4, "0")}`.padEnd(32, "0");

const POOLS = {
  user_name: ["", "admin", "alice", "bob", "Admin", "svc_backup", "alice.smith"],
  active: ["true", "false", "", "1", "0", "TRUE"],
  failed_attempts: ["", "0", "3", "5", "10", " 7 ", "1e1", "abc", "-2", "5.5"],
  last_login_time: [
    "",
    "2026-05-01 10:00:00",
    "2026-01-15 00:00:00",
    "2025-12-31 23:59:59",
    "2026-05-31 08:00:00",
    "2024-13-01 00:00:00",
    "garbage",
    "2026-03-01",
  ],
  last_login: ["", "2026-05-01", "2026-01-15", "2025-12-31"],
  sys_created_on: ["2025-06-01 00:00:00", "2026-01-01 12:00:00", "2026-05-01 09:30:00", ""],
  roles: ["", "admin", "itil,admin", "itil", "admin,security_admin", "x,,y"],
  email: ["", "a@x.com", "b@x.com", "A@x.com"],
  name: ["", "Ada Admin", "Bob Builder", "Carol"],
};

const roles: Rec[] = ["admin", "itil", "security_admin", "", "user_admin"].map((name, i) => ({
  sys_id: sysId("role", i),
  name,
  elevated_privilege: pick(["true", "false", ""]),
}));
const users: Rec[] = Array.from({ length: 60 }, (_, i) => ({
  sys_id: sysId("user", i),
  user_name: pick(POOLS.user_name),
  name: pick(POOLS.name),
  active: pick(POOLS.active),
  failed_attempts: pick(POOLS.failed_attempts),
  last_login_time: pick(POOLS.last_login_time),
  last_login: pick(POOLS.last_login),
  sys_created_on: pick(POOLS.sys_created_on),
  roles: pick(POOLS.roles),
  email: pick(POOLS.email),
  manager: "",
}));
for (const u of users) {
  u.manager = pick([
    "",
    "missing00000000000000000000000000",
    ...users.map((x) => x.sys_id!),
  ]);
}
const grants: Rec[] = Array.from({ length: 120 }, (_, i) => ({
  sys_id: sysId("grant", i),
  user: pick(["", ...users.map((u) => u.sys_id!)]),
  role: pick(["", ...roles.map((r) => r.sys_id!)]),
  inherited: pick(["true", "false", ""]),
  state: pick(["active", "inactive", ""]),
}));
const DATA: Record<string, Rec[]> = {
  sys_user: users,
  sys_user_role: roles,
  sys_user_has_role: grants,
};

for (const [table, records] of Object.entries(DATA)) {
  await tdb.db.sql`
    insert into public.snow_records (org_id, instance_id, table_name, sys_id, data)
    select ${orgId}, ${instanceId}, ${table}, r ->> 'sys_id', r
    from jsonb_array_elements(${tdb.db.sql.json(records)}) as r`;
}

/** The in-memory view of the same records, with the dictionary's types. */
function resolver(table: string): QueryResolver<Rec> {
  const byId = (t: string, id: string) => DATA[t]?.find((r) => r.sys_id === id);
  const display = (t: string, id: string): string => {
    const rec = byId(t, id);
    if (!rec) return "";
    const show = displayField(t)!;
    const info = fieldInfo(t, show);
    const v = rec[show] ?? "";
    return info?.reference ? display(info.reference, v) : v;
  };
  return {
    field(path) {
      let t = table;
      const hops: string[][] = [];
      for (let i = 0; i < path.length - 1; i++) {
        const info = fieldInfo(t, path[i]!);
        if (!info?.reference) return null;
        hops.push([path[i]!, info.reference]);
        t = info.reference;
      }
      const last = path[path.length - 1]!;
      const info = fieldInfo(t, last);
      if (!info) return null;
      const walk = (r: Rec): Rec | undefined => {
        let cur: Rec | undefined = r;
        for (const [f, target] of hops) cur = cur ? byId(target!, cur[f!] ?? "") : undefined;
        return cur;
      };
      const accessor: FieldAccessor<Rec> = {
        type: info.type,
        get: (r) => walk(r)?.[last] ?? "",
        display: (r) => {
          const v = walk(r)?.[last] ?? "";
          return info.reference ? display(info.reference, v) : v;
        },
      };
      return accessor;
    },
    related(relTable, field, query) {
      const inner = compileQuery(query, resolver(relTable), { now: NOW });
      return (row) =>
        (DATA[relTable] ?? []).filter((r) => r[field] === row.sys_id && inner.test(r)).length;
    },
  };
}

async function viaSql(table: string, query: string): Promise<string[]> {
  const compiled = compileCustomQuery(query, { table, now: NOW });
  const rows = await tdb.db.asTenant(
    workerClaims(orgId),
    (tx) => tx.unsafe(compiled.sql, [instanceId, compiled.parameters, NOW] as never[]),
  );
  return rows.map((r) => r.sys_id as string).sort();
}

function inMemory(table: string, query: string): string[] {
  const compiled = compileQuery(parseEncodedQuery(query), resolver(table), { now: NOW });
  return DATA[table]!.filter((r) => compiled.test(r)).map((r) => r.sys_id!).sort();
}

const scalar = (values: readonly string[]) => fc.constantFrom(...values);
const dateLiteral = scalar([
  "2026-05-01 10:00:00",
  "2026-01-15",
  "2025-12-31 23:59:59",
  "2026-03-01 00:00:00",
]);

/** Condition terms on sys_user, one generator per field family. */
const userTerm = fc.oneof(
  fc.tuple(
    scalar(["user_name", "email", "name", "manager.user_name", "manager.manager.name"]),
    scalar(["=", "!=", "LIKE", "NOT LIKE", "STARTSWITH", "ENDSWITH", "<", ">=", "IN", "NOT IN"]),
    scalar(["admin", "alice", "Admin", "a", "", "x.com", "svc_backup,alice"]),
  ).map(([f, op, v]) => `${f}${op}${v}`),
  fc.tuple(
    scalar(["user_name", "email", "manager", "roles", "manager.email"]),
    scalar(["ISEMPTY", "ISNOTEMPTY", "EMPTYSTRING", "ANYTHING"]),
  )
    .map(([f, op]) => `${f}${op}`),
  fc.tuple(scalar(["active", "manager.active"]), scalar(["=", "!="]), scalar(["true", "false"]))
    .map(([f, op, v]) => `${f}${op}${v}`),
  fc.tuple(scalar(["active"]), scalar(["INtrue,false", "INtrue", "NOT INfalse"])).map(([f, v]) =>
    `${f}${v}`
  ),
  fc.tuple(
    scalar(["failed_attempts", "manager.failed_attempts"]),
    scalar(["=", "!=", "<", "<=", ">", ">="]),
    scalar(["5", "0", "10", "7", "-1", "5.5"]),
  )
    .map(([f, op, v]) => `${f}${op}${v}`),
  fc.tuple(scalar(["3@10", "0@5", "5@100"])).map(([v]) => `failed_attemptsBETWEEN${v}`),
  fc.constantFrom("failed_attemptsIN5,10,3", "failed_attemptsNOT IN0,7"),
  fc.tuple(
    scalar(["last_login_time", "last_login", "manager.last_login_time"]),
    scalar(["=", "!=", "<", ">", ">=", "<="]),
    dateLiteral,
  )
    .map(([f, op, v]) => `${f}${op}${v}`),
  fc.tuple(
    scalar(["last_login_time", "last_login"]),
    scalar(["RELATIVEGT", "RELATIVELT", "RELATIVEGE", "RELATIVEEE"]),
    scalar(["day", "month", "year", "dayofweek", "hour"]),
    scalar(["ago", "ahead"]),
    scalar(["1", "30", "90"]),
  )
    .map(([f, op, unit, dir, n]) => `${f}${op}@${unit}@${dir}@${n}`),
  fc.constantFrom(
    "last_login_timeONMay 2026@javascript:gs.dateGenerate('2026-05-01','start')@javascript:gs.dateGenerate('2026-05-31','end')",
    "last_login_timeNOTONToday@javascript:gs.beginningOfToday()@javascript:gs.endOfToday()",
    "last_login_time<javascript:gs.daysAgoStart(90)",
    "last_login_time>javascript:gs.beginningOfLast30Days()",
    "last_login_timeBETWEENjavascript:gs.dateGenerate('2026-01-01','00:00:00')@javascript:gs.dateGenerate('2026-05-01','12:00:00')",
    "last_login_timeDATEPARTFriday@javascript:gs.datePart('dayofweek','friday','EQ')",
    "last_login_timeDATEPARTMay@javascript:gs.datePart('month','5','GE')",
    "last_login_timeDATEPARTx@javascript:gs.datePart('year','x','NE')",
    "last_login_timeSAMEASsys_created_on@month",
    "last_login_timeNSAMEASsys_created_on@year",
    "last_login_timeGT_FIELDsys_created_on",
    "last_login_timeMORETHANsys_created_on@day@after@30",
    "last_login_timeMORETHANsys_created_on@month@before@1",
    "last_login_timeLESSTHANsys_created_on@week@after@20",
    "last_login_timeLESSTHANsys_created_on@day@before@400",
    "user_nameSAMEASemail",
    "managerNSAMEASsys_id",
    "roles=admin",
    "roles!=itil",
    "rolesINsecurity_admin,itil",
    "rolesLIKEadmin",
    "managerLIKEAda",
    "managerSTARTSWITHBob",
    "RLQUERYsys_user_has_role.user,>=1,state=active^role.name=admin^ENDRLQUERY",
    "RLQUERYsys_user_has_role.user,=0^ENDRLQUERY",
    "RLQUERYsys_user_has_role.user,>1,inherited=false^ORrole.elevated_privilege=true^ENDRLQUERY",
  ),
);

/** Terms on sys_user_has_role, with dot-walks into sys_user and sys_user_role. */
const grantTerm = fc.oneof(
  fc.tuple(
    scalar(["state", "role.name", "user.user_name", "user.manager.user_name"]),
    scalar(["=", "!=", "IN", "LIKE", "ISEMPTY", "ISNOTEMPTY"]),
    scalar(["active", "admin", "alice", ""]),
  )
    .map(([f, op, v]) => op.startsWith("IS") ? `${f}${op}` : `${f}${op}${v}`),
  fc.tuple(
    scalar(["inherited", "user.active", "role.elevated_privilege"]),
    scalar(["=", "!="]),
    scalar(["true", "false"]),
  )
    .map(([f, op, v]) => `${f}${op}${v}`),
  fc.constantFrom(
    "roleLIKEadmin",
    "roleSTARTSWITHsecurity",
    "userLIKEAda",
    "user.failed_attempts>=5",
    "user.last_login_time<javascript:gs.daysAgo(30)",
  ),
);

function queryOf(term: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.array(
    fc.array(fc.array(term, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
    {
      minLength: 1,
      maxLength: 2,
    },
  ).map((groups) =>
    groups.map((clusters) => clusters.map((terms) => terms.join("^OR")).join("^")).join("^NQ")
  );
}

Deno.test("compileCustomQuery() selects exactly what the platform's semantics select", async (t) => {
  await t.step(
    "on sys_user (types, relative dates, field comparisons, related lists)",
    async () => {
      await fc.assert(
        fc.asyncProperty(queryOf(userTerm), async (query) => {
          assert.deepEqual(await viaSql("sys_user", query), inMemory("sys_user", query), query);
        }),
        { numRuns: 250, seed: 20261121 },
      );
    },
  );
  await t.step("on sys_user_has_role (dot-walks, reference display values)", async () => {
    await fc.assert(
      fc.asyncProperty(queryOf(grantTerm), async (query) => {
        assert.deepEqual(
          await viaSql("sys_user_has_role", query),
          inMemory("sys_user_has_role", query),
          query,
        );
      }),
      { numRuns: 120, seed: 7 },
    );
  });
});

Deno.test("compileCustomQuery() keeps every name and value out of the SQL text", () => {
  const hostile = "x'); drop table public.snow_records; --";
  const compiled = compileCustomQuery(`user_name=${hostile}^ORemailLIKE${hostile}`, {
    table: "sys_user",
    now: NOW,
    evidenceFields: ["user_name", "manager.email"],
  });
  assert.ok(!compiled.sql.includes("drop table"));
  assert.ok(!compiled.sql.includes("user_name"), "field names travel in $2");
  assert.ok(!compiled.sql.includes("sys_user'"), "table names travel in $2");
  assert.ok(compiled.parameters.v.includes(hostile));
  assert.deepEqual(compiled.tables, ["sys_user"]);
  assert.deepEqual(compiled.evidenceFields, ["user_name", "manager.email"]);
});

Deno.test("compileCustomQuery() copies the evidence fields of each matching record", async () => {
  const compiled = compileCustomQuery("user_name=admin", {
    table: "sys_user",
    now: NOW,
    evidenceFields: ["user_name", "manager.user_name"],
  });
  const rows = await tdb.db.asTenant(
    workerClaims(orgId),
    (tx) => tx.unsafe(compiled.sql, [instanceId, compiled.parameters, NOW] as never[]),
  );
  const expected = users.filter((u) => u.user_name === "admin");
  assert.equal(rows.length, expected.length);
  for (const row of rows) {
    const user = users.find((u) => u.sys_id === row.sys_id)!;
    const manager = users.find((u) => u.sys_id === user.manager);
    assert.equal(row.status, "FAIL");
    assert.equal(row.table_name, "sys_user");
    assert.deepEqual(row.evidence, {
      user_name: "admin",
      "manager.user_name": manager?.user_name ?? "",
    });
  }
});

Deno.test("compileCustomQuery() refuses what a check cannot evaluate faithfully", async (t) => {
  const refuses = (query: string, pattern: RegExp, table = "sys_user") =>
    assert.throws(() => compileCustomQuery(query, { table, now: NOW }), (error: unknown) => {
      assert.ok(error instanceof CustomQueryError);
      assert.match(error.message, pattern);
      return true;
    });
  await t.step("a parse error names the position", () => {
    refuses("active=true^nameFOOx", /unknown operator "FOO" \(at character 17\)/);
  });
  await t.step("an operator the field type does not support", () => {
    refuses("activeLIKEtr", /active is a boolean field: operator LIKE does not apply/);
    refuses("failed_attemptsSTARTSWITH1", /integer field/);
    refuses("user_nameRELATIVEGT@day@ago@3", /string field: operator RELATIVEGT/);
  });
  await t.step("values of the wrong type", () => {
    refuses("failed_attempts>five", /failed_attempts is a number: "five" is not one/);
    refuses("last_login_time<yesterday", /is a date/);
    refuses("active=yes", /true or false/);
  });
  await t.step("dot-walks through something that is not a known reference", () => {
    refuses("user_name.active=true", /cannot dot-walk through "user_name"/);
    refuses("u_custom.name=x", /cannot dot-walk through "u_custom"/);
  });
  await t.step("session-dependent filters and keyword search", () => {
    refuses("managerDYNAMIC90d1921e5f510100a9ad2572f2b477fe", /depend on the user running/);
    refuses("123TEXTQUERY321=admin", /keyword search/);
    refuses("sys_created_by=javascript:gs.getUserName()", /not allowed/);
  });
  await t.step("limits", () => {
    refuses("", /no condition/);
    refuses(
      Array.from({ length: 51 }, (_, i) => `user_name=u${i}`).join("^"),
      /more than 50 conditions/,
    );
    refuses(`user_name=${"x".repeat(4001)}`, /longer than 4000/);
    refuses(
      "manager.manager.manager.manager.active=true",
      /follows more than 3 references/,
    );
    refuses("active=true", /not a table name/, "Sys User");
  });
});

Deno.test("compileCustomQuery() warns about fields that are unknown or not synced", () => {
  const compiled = compileCustomQuery("u_region=emea^active=true", {
    table: "sys_user",
    now: NOW,
    syncedFields: { sys_user: ["active", "user_name"] },
  });
  assert.deepEqual(compiled.warnings, [
    "sys_user.name is not synced, so it is always empty on synced records",
    "sys_user.u_region is not synced, so it is always empty on synced records",
    "u_region is not a known field of sys_user; it is compared as text",
  ]);
  assert.deepEqual(compiled.fields, { sys_user: ["active", "name", "u_region"] });
});
