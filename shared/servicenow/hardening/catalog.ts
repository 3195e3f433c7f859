/**
 * A machine-checkable subset of the Security Center hardening settings
 * (docs/servicenow/hardening.md): system properties and plugins with a
 * recommended value, the base-system default and the fallback (the effective value
 * when the sys_properties record is absent).
 *
 * Evaluation rule (used by the simulator's ground-truth manifest):
 * - effective value = the record's `value` when a sys_properties record with that
 *   name exists; otherwise `fallback`; otherwise `default`; otherwise unknown;
 * - an unknown effective value is non-compliant ("ensure the property exists");
 * - plugins are compliant when a `v_plugin` row with that `id` has `active=active`.
 *
 * @module
 */

/** How a setting's effective value is judged. */
export type HardeningRule =
  | { readonly op: "eq"; readonly value: string }
  | { readonly op: "max"; readonly value: number }
  | { readonly op: "range"; readonly min: number; readonly max: number }
  | { readonly op: "blank" }
  | { readonly op: "plugin_active" };

/** One hardening setting. */
export interface HardeningSetting {
  /** Property name, or plugin id for `kind: "plugin"`. */
  readonly name: string;
  readonly kind: "property" | "plugin";
  readonly title: string;
  readonly category: string;
  /** CVSS-style severity 0–10, or null when the docs give none. */
  readonly severity: number | null;
  readonly rule: HardeningRule;
  /** Base-system value when the record exists by default; null when it does not. */
  readonly defaultValue: string | null;
  /** Effective value when the record is absent; null when the docs give none. */
  readonly fallback: string | null;
}

type Row = [
  name: string,
  rule: HardeningRule,
  defaultValue: string | null,
  fallback: string | null,
  severity: number | null,
  category: string,
  title: string,
];

const T: HardeningRule = { op: "eq", value: "true" };
const F: HardeningRule = { op: "eq", value: "false" };
const eq = (value: string): HardeningRule => ({ op: "eq", value });
const max = (value: number): HardeningRule => ({ op: "max", value });

const API = "API and web service";
const AC = "Access control";
const AUTHN = "Authentication";
const SESSION = "Session management";
const VALID = "Validation, sanitization, and encoding";
const CONFIG = "Configuration";
const LOG = "Error handling and logging";
const COMMS = "Communications";
const FILES = "File and resources";
const ARCH = "Architecture, design, and threat modeling";

const ROWS: Row[] = [
  [
    "glide.basicauth.required.api",
    T,
    null,
    "false",
    8.6,
    API,
    "Require authorization for API requests",
  ],
  [
    "glide.basicauth.required.csv",
    T,
    null,
    "false",
    7.5,
    API,
    "Require authorization for csv requests",
  ],
  [
    "glide.basicauth.required.jsonv2",
    T,
    null,
    "false",
    7.5,
    API,
    "Require authorization for JSONv2 request",
  ],
  [
    "glide.basicauth.required.xml",
    T,
    null,
    "false",
    7.5,
    API,
    "Require authorization for XML requests",
  ],
  [
    "glide.basicauth.required.rss",
    T,
    null,
    "false",
    7.5,
    API,
    "Require authorization for RSS requests",
  ],
  [
    "glide.basicauth.required.unl",
    T,
    null,
    "false",
    7.5,
    API,
    "Require authorization for unload requests",
  ],
  [
    "glide.basicauth.required.wsdl",
    T,
    null,
    "false",
    5.3,
    API,
    "Require authorization for WSDL request",
  ],
  [
    "glide.basicauth.required.xsd",
    T,
    null,
    "false",
    5.3,
    API,
    "Require Authorization for XSD Requests",
  ],
  [
    "glide.basicauth.required.schema",
    T,
    null,
    "false",
    5.3,
    API,
    "Require authorization for SCHEMA requests",
  ],
  [
    "glide.basicauth.required.importprocessor",
    T,
    null,
    "false",
    5.3,
    API,
    "Require authorization for import requests",
  ],
  [
    "glide.basicauth.required.scriptedprocessor",
    T,
    null,
    "false",
    7.2,
    API,
    "Require authorization for script requests",
  ],
  ["glide.soap.require_content_type_xml", T, null, "false", 8.8, API, "Validate SOAP content type"],
  [
    "glide.oauth.clients.allowed.for.implicit.grant",
    { op: "blank" },
    "",
    "",
    3.9,
    API,
    "Prevent OAuth Clients from Using Implicit Grant",
  ],
  [
    "glide.authenticate.only.allow.active.user.login",
    T,
    "true",
    null,
    7.5,
    AC,
    "Prevent inactive users from logging in",
  ],
  [
    "glide.script.ccsi.ispublic",
    F,
    null,
    "false",
    7.5,
    AC,
    "Require authentication by default for client-callable script includes",
  ],
  [
    "glide.script.secure.ajaxgliderecord",
    T,
    null,
    "true",
    8.1,
    AC,
    "Require AJAXGlideRecord ACL checking",
  ],
  [
    "glide.security.strict.actions",
    T,
    null,
    "true",
    3.3,
    AC,
    "Check UI action conditions before execution",
  ],
  ["glide.security.strict.updates", T, null, "false", 8.1, AC, "Double check inbound transactions"],
  [
    "glide.security.strict_elevate_privilege",
    T,
    null,
    "true",
    6.7,
    AC,
    "Enforce strict elevate privilege",
  ],
  [
    "glide.security.csrf_previous.allow",
    F,
    "false",
    "true",
    6.5,
    AC,
    "Block Expired Anti-CSRF Tokens",
  ],
  [
    "glide.sys.permissive.impersonate",
    F,
    null,
    "false",
    6.7,
    AC,
    "Restrict Impersonation to Admin",
  ],
  ["glide.soap.strict_security", T, null, "true", 6.8, AC, "Enforce SOAP request strict security"],
  [
    "glide.installation.production",
    T,
    null,
    "true",
    6.3,
    AC,
    "Enforce production instance behavior",
  ],
  [
    "glide.knowman.block_access_with_no_user_criteria",
    T,
    null,
    "false",
    9.1,
    AC,
    "Restrict knowledge bases access",
  ],
  [
    "glide.security.admin.override.accessterm",
    T,
    null,
    "true",
    3.8,
    AC,
    "Honor Admin Override ACLs",
  ],
  [
    "glide.sandbox.fields.check_acl",
    T,
    "true",
    null,
    7.5,
    AC,
    "Enforce field level ACLs in GlideRecordSandbox",
  ],
  [
    "glide.rest.table_api.admin_only_sys_fields",
    T,
    "false",
    "false",
    2.7,
    AC,
    "Restrict write access on system fields to admin users",
  ],
  [
    "glide.oauth.state.parameter.required",
    T,
    null,
    "false",
    4.2,
    AC,
    "Enforce oauth state parameter validation",
  ],
  [
    "glide.pop3.process_locked_out",
    F,
    null,
    "false",
    7.5,
    AC,
    "Disable inbound emails for locked out users",
  ],
  [
    "glide.script_processor.admin",
    eq("background_script_admin"),
    "background_script_admin",
    "background_script_admin",
    8.8,
    AC,
    "Restrict access to background script",
  ],
  [
    "glide.sm.default_mode",
    eq("deny"),
    null,
    "allow",
    null,
    ARCH,
    "Deny by default with empty ACLs",
  ],
  [
    "glide.export.query.enforce_field_acl",
    T,
    null,
    "false",
    4.4,
    ARCH,
    "Enforce field ACLs for inbound query requests",
  ],
  [
    "glide.oauth.inbound.ropc.grant_type.disabled",
    T,
    "false",
    "false",
    3.3,
    AUTHN,
    "Disable resource owner password credentials (ROPC) in OAuth 2 token grants",
  ],
  [
    "glide.authenticate.sso.saml2.clockskew",
    max(59),
    "180",
    null,
    7.5,
    AUTHN,
    "Minimize SAML notBefore or notOnOrAfter constraint duration",
  ],
  [
    "glide.enable.password_policy",
    T,
    null,
    "false",
    7.4,
    AUTHN,
    "Enable password reset policy checks",
  ],
  ["glide.ldap.use.ssl", T, "true", null, 8.1, AUTHN, "Enable SSL in LDAP authentication"],
  [
    "glide.login.no_blank_password",
    T,
    null,
    null,
    null,
    AUTHN,
    "Disable password-less authentication",
  ],
  [
    "glide.authenticate.multifactor.setup.bypass.count",
    max(0),
    "0",
    "0",
    null,
    AUTHN,
    "MFA setup bypass count",
  ],
  [
    "glide.user.max_unlock_attempts",
    max(5),
    null,
    "5",
    7.3,
    AUTHN,
    "Limit Allowed Number of Failed Login Attempts Before Lockout",
  ],
  [
    "glide.authenticate.multifactor",
    T,
    null,
    "false",
    5.7,
    AUTHN,
    "Activate role based multi-factor authentication",
  ],
  [
    "glide.ui.session_timeout",
    max(60),
    null,
    "30",
    7.5,
    SESSION,
    "Minimize session activity timeout duration",
  ],
  ["glide.ui.rotate_sessions", T, null, "true", 8.8, SESSION, "Rotate HTTP session identifiers"],
  ["glide.cookies.http_only", T, null, "true", 8.0, SESSION, "Enable HTTP Only Cookie Flag"],
  [
    "glide.ui.user_cookie.max_life_span_in_days",
    max(30),
    null,
    "30",
    4.2,
    SESSION,
    "Minimize absolute session timeout duration",
  ],
  [
    "glide.authenticate.api.user.reset_password.mandatory",
    T,
    null,
    "false",
    8.1,
    SESSION,
    "Enforce password reset on api requests",
  ],
  [
    "glide.ui.active.session.life_span",
    { op: "range", min: 1, max: 720 },
    null,
    "0",
    4.2,
    SESSION,
    "Limit UI active session life span",
  ],
  [
    "glide.integrations.active.session.life_span",
    { op: "range", min: 1, max: 720 },
    "0",
    "0",
    4.2,
    SESSION,
    "Limit integrations' active session life span",
  ],
  [
    "glide.authenticate.max.concurrent.interactive.sessions",
    max(1),
    "1",
    null,
    3.7,
    SESSION,
    "Minimize concurrent interactive session quantity",
  ],
  [
    "glide.ui.secure_cookies",
    T,
    null,
    "true",
    7.1,
    VALID,
    "Enforce strict security of session cookies",
  ],
  ["glide.ui.escape_text", T, null, "false", 8.8, VALID, "Escape XML markup"],
  ["glide.html.escape_script", T, "true", null, 8.8, VALID, "Escape JavaScript"],
  ["glide.html.sanitize_all_fields", T, "true", null, 8.8, VALID, "Enable HTML Sanitizer"],
  ["glide.ui.escape_all_script", T, "true", null, 7.3, VALID, "Escape jelly script"],
  [
    "com.glide.security.check_unsanitized_html",
    eq("enforce"),
    null,
    "log_only",
    7.3,
    VALID,
    "Enforce HTML Sanitization",
  ],
  ["glide.script.allow.ajaxevaluate", F, null, "false", 7.3, VALID, "Disable AJAXEvaluate"],
  [
    "glide.security.file.mime_type.validation",
    T,
    null,
    "false",
    5.4,
    VALID,
    "Restrict uploaded MIME types",
  ],
  ["glide.ui.security.allow_codetag", F, "true", null, 4.2, VALID, "Disable embedded HTML code"],
  [
    "glide.stax.allow_entity_resolution",
    F,
    null,
    "true",
    null,
    VALID,
    "Disable XML entity expansion",
  ],
  [
    "glide.xmlutil.max_entity_expansion",
    max(3000),
    null,
    "3000",
    null,
    VALID,
    "XML entity expansion threshold",
  ],
  [
    "glide.script.use.sandbox",
    T,
    "true",
    null,
    null,
    VALID,
    "Run client-supplied scripts in the sandbox",
  ],
  [
    "glide.set_x_frame_options",
    T,
    null,
    "false",
    5.9,
    CONFIG,
    "Implement the x-frame-options: SAMEORIGIN security header",
  ],
  ["glide.db.clone.allow_clone_target", F, "true", null, 4.4, CONFIG, "Disallow target cloning"],
  [
    "glide.soapfault.display_stack_trace",
    F,
    null,
    "false",
    4.3,
    CONFIG,
    "Disable soap fault stack trace display",
  ],
  ["glide.db.loguser", F, null, "true", 3.1, LOG, "Disable SQL error messages"],
  ["glide.sys.log_impersonation", T, null, "false", 6.4, LOG, "Log user impersonation"],
  ["glide.audit.track_impersonation", T, "false", "false", 4.9, LOG, "Track Impersonation Events"],
  [
    "identity.impersonation.history.enabled",
    T,
    "true",
    "true",
    4.9,
    LOG,
    "Log Impersonation History",
  ],
  [
    "glide.authenticate.session_access.log_audit_event",
    T,
    null,
    "true",
    6.3,
    LOG,
    "Log session audit events",
  ],
  [
    "glide.outbound.sslv3.disabled",
    T,
    null,
    "false",
    6.5,
    COMMS,
    "Disable outbound SSLv2/SSLv3 connections",
  ],
  [
    "com.glide.communications.httpclient.verify_hostname",
    T,
    null,
    "false",
    null,
    COMMS,
    "Verify certificate chain and hostname",
  ],
  [
    "com.glide.communications.httpclient.verify_revoked_certificate",
    T,
    "true",
    null,
    6.5,
    COMMS,
    "Verify certificate revocation",
  ],
  [
    "com.glide.communications.trustmanager_trust_all",
    F,
    null,
    null,
    5.7,
    COMMS,
    "Enforce certificate trust",
  ],
  [
    "com.glide.attachment.max_size",
    max(1024),
    null,
    "1024",
    6.5,
    FILES,
    "Maximum allowed attachment size",
  ],
  ["com.glide.snap.enable_scan", T, "true", "true", 7.7, FILES, "Enable antivirus scan"],
  [
    "glide.attachment.enforce_security_validation",
    T,
    "true",
    null,
    6.7,
    FILES,
    "Validate file mime type in AttachmentCreator soap web service",
  ],
  [
    "glide.security.3des.encryption.allow",
    F,
    "false",
    "false",
    null,
    "Stored cryptography",
    "Disable 3DES encryption",
  ],
  [
    "glide.invalid_query.returns_no_rows",
    T,
    null,
    "false",
    null,
    CONFIG,
    "Return no rows for invalid queries (community check)",
  ],
];

const PLUGINS: [string, number | null, string, string][] = [
  ["com.glide.high_security", 9.8, AC, "Enable High Security Plugin"],
  ["com.glide.role_management", 8.1, AC, "Enable contextual security plugin"],
  ["com.snc.system_security", 8.1, AC, "Enable security jump start plugin (ACL Rules)"],
  ["com.snc.snc_access_control", null, AC, "SNC Access Control plugin"],
  ["com.snc.ipauthenticator", 5.3, AC, "Restrict access to specific IP ranges plugin"],
];

/** The settings the simulator plants and the analysis engine checks. */
export const HARDENING_SETTINGS: readonly HardeningSetting[] = [
  ...ROWS.map((
    [name, rule, defaultValue, fallback, severity, category, title],
  ): HardeningSetting => ({
    name,
    kind: "property",
    title,
    category,
    severity,
    rule,
    defaultValue,
    fallback,
  })),
  ...PLUGINS.map(([name, severity, category, title]): HardeningSetting => ({
    name,
    kind: "plugin",
    title,
    category,
    severity,
    rule: { op: "plugin_active" },
    defaultValue: null,
    fallback: null,
  })),
];

/**
 * The effective value of a property setting.
 *
 * @param setting the setting
 * @param recordValue the sys_properties `value`, or undefined when no record exists
 * @returns the effective value, or null when unknown
 */
export function effectiveSettingValue(
  setting: HardeningSetting,
  recordValue: string | undefined,
): string | null {
  if (recordValue !== undefined) return recordValue;
  return setting.fallback ?? setting.defaultValue;
}

/**
 * Whether an effective value satisfies the recommendation. For plugins pass
 * `"active"` or `"inactive"`.
 *
 * @param setting the setting
 * @param effective the effective value (null = unknown → non-compliant)
 * @returns compliance
 */
export function isSettingCompliant(setting: HardeningSetting, effective: string | null): boolean {
  if (effective === null) return false;
  const v = effective.trim();
  const rule = setting.rule;
  switch (rule.op) {
    case "eq":
      return v === rule.value;
    case "blank":
      return v === "";
    case "plugin_active":
      return v === "active";
    case "max": {
      const n = Number(v);
      return v !== "" && Number.isFinite(n) && n <= rule.value;
    }
    case "range": {
      const n = Number(v);
      return v !== "" && Number.isFinite(n) && n >= rule.min && n <= rule.max;
    }
  }
}
