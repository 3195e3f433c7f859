/**
 * Integrations, certificates and OAuth (docs/servicenow/controls.md#l6 to #l8, plus outbound
 * REST hygiene and rate limiting).
 *
 * @module
 */

import { behavioural, REF } from "../_define.ts";
import type { Check } from "../types.ts";
import { daysAfter, f, intParam, isTrue, lowerName, NOW, records } from "./_sql.ts";

/** Integration checks. */
export const INTEGRATION_CHECKS: readonly Check[] = [
  behavioural({
    id: "integration_account_interactive_use",
    title: "Integration accounts used for interactive sessions",
    area: "integration",
    severity: "high",
    riskScore: 7.1,
    description:
      "Users flagged web_service_access_only or internal_integration_user whose user name appears on form or list transactions in syslog_transaction.",
    risk:
      "Someone is using integration credentials in the UI: the secret is shared with people, and their actions are attributed to a system account.",
    remediation: {
      summary:
        "Find who used the account interactively, rotate its credentials, and set Web service access only.",
      steps: [
        "Open syslog_transaction_list.do?sysparm_query=type=form^ORtype=list^sys_created_by=<user_name> and identify the source addresses.",
        "Rotate the password or OAuth secret and select Web service access only on the user.",
      ],
    },
    resourceType: "sys_user",
    controls: ["L6"],
    tables: {
      sys_user: ["user_name", "web_service_access_only", "internal_integration_user"],
      syslog_transaction: ["type", "sys_created_by", "sys_created_on"],
    },
    sql: `
with interactive as (
  select ${
      lowerName("t.data ->> 'sys_created_by'")
    } as user_name, count(*) as transactions, max(t.data ->> 'sys_created_on') as last_seen
  from ${records("syslog_transaction")} t
  where ${lowerName("t.data ->> 'type'")} in ('form', 'list')
  group by 1
)
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', u.data ->> 'user_name', 'interactive_transactions', i.transactions,
                          'last_interactive_transaction', i.last_seen) as evidence
from ${records("sys_user")} u
join interactive i on i.user_name = ${lowerName("u.data ->> 'user_name'")}
where ${isTrue("u", "web_service_access_only")} or ${isTrue("u", "internal_integration_user")}
order by u.sys_id`,
  }),
  behavioural({
    id: "integration_certificate_expiring",
    title: "Active certificates expired or expiring soon",
    area: "integration",
    severity: "medium",
    riskScore: 5.3,
    description:
      "Active sys_certificate records whose expires date is before now plus the warning window (expired ones included).",
    risk:
      "An expired certificate breaks integrations and SSO without warning, and teams under pressure then disable certificate checks.",
    remediation: {
      summary: "Renew the certificate and replace it in the store before it expires.",
      steps: [
        "Obtain a renewed certificate from the issuer, upload it to the X.509 Certificate record, and update dependent profiles.",
      ],
    },
    resourceType: "sys_certificate",
    parameters: [{
      name: "days",
      kind: "integer",
      description: "Certificates expiring within this many days (or already expired) fail.",
      default: 30,
      min: 0,
      max: 3650,
    }],
    controls: ["L7"],
    tables: { sys_certificate: ["name", "active", "expires", "subject_common_name", "type"] },
    sql: `
select c.sys_id as resource_key, 'sys_certificate' as table_name, c.sys_id, 'FAIL' as status,
       jsonb_build_object('name', c.data ->> 'name', 'subject_common_name', c.data ->> 'subject_common_name',
                          'expires', c.data ->> 'expires',
                          'expired', public.sn_datetime(c.data ->> 'expires') < ${NOW}) as evidence
from ${records("sys_certificate")} c
where ${isTrue("c", "active")} and ${f("c", "expires")} <> ''
  and public.sn_datetime(c.data ->> 'expires') < ${daysAfter(intParam("days"))}
order by c.sys_id`,
  }),
  behavioural({
    id: "integration_oauth_token_lifespan_long",
    title: "OAuth applications with long token lifespans",
    area: "integration",
    severity: "medium",
    riskScore: 5.4,
    description:
      "Active oauth_entity records whose access_token_lifespan or refresh_token_lifespan (seconds) exceeds the limits (defaults: 1 hour and 100 days).",
    risk:
      "Long-lived tokens stay usable long after a leak and outlive the people and systems they were issued to.",
    remediation: {
      summary: "Shorten token lifespans to what the integration needs.",
      steps: [
        "Open the Application Registry record and lower Access Token Lifespan and Refresh Token Lifespan.",
      ],
    },
    references: [REF.oauth],
    resourceType: "oauth_entity",
    parameters: [
      {
        name: "max_access_token_lifespan",
        kind: "integer",
        description: "Largest acceptable access token lifespan, in seconds.",
        default: 3600,
        min: 60,
        max: 31_536_000,
      },
      {
        name: "max_refresh_token_lifespan",
        kind: "integer",
        description: "Largest acceptable refresh token lifespan, in seconds.",
        default: 8_640_000,
        min: 60,
        max: 315_360_000,
      },
    ],
    controls: ["L8"],
    tables: {
      oauth_entity: ["name", "active", "access_token_lifespan", "refresh_token_lifespan", "type"],
    },
    sql: `
select o.sys_id as resource_key, 'oauth_entity' as table_name, o.sys_id, 'FAIL' as status,
       jsonb_build_object('name', o.data ->> 'name', 'type', o.data ->> 'type',
                          'access_token_lifespan', o.data ->> 'access_token_lifespan',
                          'refresh_token_lifespan', o.data ->> 'refresh_token_lifespan') as evidence
from ${records("oauth_entity")} o
where ${isTrue("o", "active")}
  and (coalesce(public.sn_int(o.data ->> 'access_token_lifespan'), 0) > ${
      intParam("max_access_token_lifespan")
    }
       or coalesce(public.sn_int(o.data ->> 'refresh_token_lifespan'), 0) > ${
      intParam("max_refresh_token_lifespan")
    })
order by o.sys_id`,
  }),
  behavioural({
    id: "integration_oauth_client_password_grant",
    title: "OAuth clients defaulting to the password grant",
    area: "integration",
    severity: "medium",
    riskScore: 4.3,
    description:
      "Active oauth_entity records whose default_grant_type is password (resource owner password credentials).",
    risk:
      "The password grant hands user passwords to the client application; ServiceNow recommends disabling it (glide.oauth.inbound.ropc.grant_type.disabled).",
    remediation: {
      summary: "Move the client to client credentials or authorization code.",
      steps: [
        "Change the Default grant type of the Application Registry record and update the calling application.",
      ],
    },
    references: [REF.oauth],
    resourceType: "oauth_entity",
    tables: { oauth_entity: ["name", "active", "default_grant_type"] },
    sql: `
select o.sys_id as resource_key, 'oauth_entity' as table_name, o.sys_id, 'FAIL' as status,
       jsonb_build_object('name', o.data ->> 'name', 'default_grant_type', o.data ->> 'default_grant_type') as evidence
from ${records("oauth_entity")} o
where ${isTrue("o", "active")} and ${lowerName("o.data ->> 'default_grant_type'")} = 'password'
order by o.sys_id`,
  }),
  behavioural({
    id: "integration_rest_message_basic_auth",
    title: "Outbound REST messages using Basic authentication",
    area: "integration",
    severity: "medium",
    riskScore: 4.8,
    description: "sys_rest_message records whose authentication_type is basic.",
    risk:
      "Basic authentication sends a long-lived password on every call; OAuth or mutual TLS limit what a leak exposes.",
    remediation: {
      summary: "Switch the REST message to OAuth 2.0 or mutual TLS where the endpoint supports it.",
      steps: [
        "Create an OAuth profile for the endpoint and select it on the REST message; remove the basic auth profile.",
      ],
    },
    resourceType: "sys_rest_message",
    tables: { sys_rest_message: ["name", "rest_endpoint", "authentication_type"] },
    sql: `
select m.sys_id as resource_key, 'sys_rest_message' as table_name, m.sys_id, 'FAIL' as status,
       jsonb_build_object('name', m.data ->> 'name', 'rest_endpoint', m.data ->> 'rest_endpoint') as evidence
from ${records("sys_rest_message")} m
where ${lowerName("m.data ->> 'authentication_type'")} = 'basic'
order by m.sys_id`,
  }),
  behavioural({
    id: "integration_rest_method_basic_auth",
    title: "Outbound REST methods using Basic authentication",
    area: "integration",
    severity: "medium",
    riskScore: 4.8,
    description:
      "sys_rest_message_fn (HTTP method) records whose own authentication_type is basic.",
    risk:
      "Basic authentication sends a long-lived password on every call; OAuth or mutual TLS limit what a leak exposes.",
    remediation: {
      summary: "Set the method to inherit from its REST message and secure the message with OAuth.",
      steps: [
        "Open the HTTP method, set Authentication type to Inherit from parent, and fix the parent message.",
      ],
    },
    resourceType: "sys_rest_message_fn",
    tables: {
      sys_rest_message_fn: [
        "function_name",
        "rest_message",
        "rest_endpoint",
        "authentication_type",
      ],
    },
    sql: `
select m.sys_id as resource_key, 'sys_rest_message_fn' as table_name, m.sys_id, 'FAIL' as status,
       jsonb_build_object('function_name', m.data ->> 'function_name', 'rest_message', m.data ->> 'rest_message',
                          'rest_endpoint', m.data ->> 'rest_endpoint') as evidence
from ${records("sys_rest_message_fn")} m
where ${lowerName("m.data ->> 'authentication_type'")} = 'basic'
order by m.sys_id`,
  }),
  behavioural({
    id: "integration_rest_endpoint_cleartext",
    title: "Outbound REST messages to plain HTTP endpoints",
    area: "integration",
    severity: "high",
    riskScore: 7.4,
    description: "sys_rest_message records whose rest_endpoint starts with http:// (no TLS).",
    risk:
      "Requests, responses and credentials travel unencrypted and can be read or altered on the network (SC-8, PCI DSS 4.2.1).",
    remediation: {
      summary: "Use https:// endpoints only.",
      steps: [
        "Change the endpoint to https:// and confirm the target presents a trusted certificate.",
      ],
    },
    resourceType: "sys_rest_message",
    tables: { sys_rest_message: ["name", "rest_endpoint"] },
    sql: `
select m.sys_id as resource_key, 'sys_rest_message' as table_name, m.sys_id, 'FAIL' as status,
       jsonb_build_object('name', m.data ->> 'name', 'rest_endpoint', m.data ->> 'rest_endpoint') as evidence
from ${records("sys_rest_message")} m
where ${f("m", "rest_endpoint")} ~* '^http://'
order by m.sys_id`,
  }),
  behavioural({
    id: "integration_rate_limit_rules_missing",
    title: "No active REST API rate limit rule",
    area: "integration",
    severity: "low",
    riskScore: 3.7,
    description:
      "The instance has no active sys_rate_limit_rules record, so inbound REST calls are not rate limited.",
    risk:
      "A leaked integration credential or a runaway client can pull data or load the instance without any throttle.",
    remediation: {
      summary: "Create rate limit rules for the REST APIs integrations use.",
      steps: [
        "Open System Web Services > REST > Rate Limit Rules and add rules per API and integration role.",
      ],
    },
    resourceType: "sys_rate_limit_rules",
    returns: "all",
    tables: { sys_rate_limit_rules: ["name", "active"] },
    sql: `
select 'sys_rate_limit_rules' as resource_key, 'sys_rate_limit_rules' as table_name, null::text as sys_id,
       case when count(*) filter (where ${
      isTrue("r", "active")
    }) > 0 then 'PASS' else 'FAIL' end as status,
       jsonb_build_object('active_rules', count(*) filter (where ${
      isTrue("r", "active")
    }), 'rules', count(*)) as evidence
from ${records("sys_rate_limit_rules")} r`,
  }),
];
