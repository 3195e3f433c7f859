/**
 * Checks of their own for service and integration accounts
 * (docs/servicenow/controls.md#a2 and #a10): the interactive-login checks leave
 * these accounts out, so their use and their credentials are judged here — by
 * last API use instead of last interactive login, and by the age of their
 * password instead of an interactive password policy.
 *
 * @module
 */

import { behavioural, REF } from "../_define.ts";
import type { Check } from "../types.ts";
import {
  daysBefore,
  f,
  hasField,
  intParam,
  isServiceAccount,
  isTrue,
  lowerName,
  records,
  SERVICE_ACCOUNT_FIELDS,
} from "./_sql.ts";

/**
 * When the account's password was last set: `last_password_change`, or the
 * account's creation when the field is empty (never changed since).
 */
const CREDENTIAL_SET = `public.sn_datetime(coalesce(nullif(${
  f("u", "last_password_change")
}, ''), u.data ->> 'sys_created_on'))`;

/** Service and integration account checks. */
export const SERVICE_ACCOUNT_CHECKS: readonly Check[] = [
  behavioural({
    id: "identity_integration_account_unused",
    title: "Integration accounts with no recent API use",
    area: "identity",
    severity: "medium",
    riskScore: 5.3,
    description:
      "Active service or integration accounts (web_service_access_only or internal_integration_user) whose last API use — the later of last_login_time (an authenticated API session) and their latest transaction in syslog_transaction — is older than the window, or that were never used.",
    risk:
      "An integration nobody runs any more keeps working credentials stored in another system; a leak there goes unnoticed because no owner watches the account (AC-2(3)).",
    remediation: {
      summary: "Deactivate integration accounts that are no longer used and revoke their secrets.",
      steps: [
        "Confirm with the integration's owner that it was retired (check the calling system's schedule first).",
        "Clear Active and select Locked out; revoke its OAuth tokens and remove its roles.",
      ],
    },
    references: [REF.scanSecurity],
    resourceType: "sys_user",
    parameters: [{
      name: "days",
      kind: "integer",
      description:
        "An integration account with no API use for more than this many days (or never) is unused.",
      default: 90,
      min: 1,
      max: 3650,
      orgSetting: "dormant_account_days",
    }],
    controls: ["A2"],
    tables: {
      sys_user: ["user_name", "active", "last_login_time", ...SERVICE_ACCOUNT_FIELDS],
      syslog_transaction: ["sys_created_by", "sys_created_on"],
    },
    sql: `
with service as (
  select u.sys_id, u.data from ${records("sys_user")} u
  where ${isTrue("u", "active")} and ${isServiceAccount("u")} and ${
      hasField("u", "last_login_time")
    }
),
calls as (
  select ${lowerName("t.data ->> 'sys_created_by'")} as user_name, count(*) as transactions,
         max(public.sn_datetime(t.data ->> 'sys_created_on')) as last_call
  from ${records("syslog_transaction")} t
  where ${lowerName("t.data ->> 'sys_created_by'")} in (select ${
      lowerName("s.data ->> 'user_name'")
    } from service s)
  group by 1
)
select s.sys_id as resource_key, 'sys_user' as table_name, s.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', s.data ->> 'user_name', 'last_login_time', s.data ->> 'last_login_time',
                          'last_transaction', to_char(c.last_call at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
                          'transactions', coalesce(c.transactions, 0),
                          'transaction_log_from', (select min(t.data ->> 'sys_created_on') from ${
      records("syslog_transaction")
    } t)) as evidence
from service s
left join calls c on c.user_name = ${lowerName("s.data ->> 'user_name'")}
where coalesce(greatest(public.sn_datetime(s.data ->> 'last_login_time'), c.last_call), '-infinity'::timestamptz)
      < ${daysBefore(intParam("days"))}
order by s.sys_id`,
  }),
  behavioural({
    id: "identity_integration_credential_stale",
    title: "Integration account passwords not changed within the rotation period",
    area: "identity",
    severity: "medium",
    riskScore: 5.4,
    description:
      "Active service or integration accounts (web_service_access_only or internal_integration_user) whose password was last changed (last_password_change; the account's creation when it was never changed) more than the rotation period ago.",
    risk:
      "Integration passwords are stored in other systems and shared by their operators; one that never rotates stays valid after every leak and every staff change (IA-5(1), PCI DSS 8.3.9).",
    remediation: {
      summary:
        "Rotate the account's password (or move it to OAuth client credentials) and set up regular rotation.",
      steps: [
        "Generate a new password, update it in the calling system's credential store, then set it on the user.",
        "Prefer OAuth client credentials with short token lifespans; record the rotation date in the integration's runbook.",
      ],
    },
    references: [REF.scanSecurity],
    resourceType: "sys_user",
    parameters: [{
      name: "days",
      kind: "integer",
      description: "A password older than this many days fails.",
      default: 365,
      min: 1,
      max: 3650,
    }],
    controls: ["A10"],
    tables: {
      sys_user: [
        "user_name",
        "active",
        "last_password_change",
        "sys_created_on",
        ...SERVICE_ACCOUNT_FIELDS,
      ],
    },
    evidenceOnly: { sys_user: ["user_name"] },
    sql: `
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', u.data ->> 'user_name',
                          'last_password_change', u.data ->> 'last_password_change',
                          'sys_created_on', u.data ->> 'sys_created_on',
                          'judged_on', case when ${
      f("u", "last_password_change")
    } <> '' then 'last_password_change'
                                            else 'sys_created_on (password never changed)' end) as evidence
from ${records("sys_user")} u
where ${isTrue("u", "active")} and ${isServiceAccount("u")} and ${
      hasField("u", "last_password_change")
    }
  and ${CREDENTIAL_SET} < ${daysBefore(intParam("days"))}
order by u.sys_id`,
  }),
];
