import type { ColumnOverrides } from "./rows.ts";

/**
 * Column values for tenant tables whose constraints reject generic sample
 * values: every test that fills every tenant table (tenant isolation,
 * organization deletion) starts from these. A new table whose sample row fails
 * its checks gets its entry here.
 */
export const TENANT_ROW_OVERRIDES: ColumnOverrides = {
  "public.api_keys": { role: "analyst", secret_hash: "0".repeat(64) },
  "public.widgets": { template: "score_gauge" },
  "public.widget_versions": { config: {}, version: 1 },
  "public.widget_embeds": {
    secret_hash: "0".repeat(64),
    instance_ids: null,
    get prefix() {
      return `ciq_embed_${crypto.randomUUID().replaceAll("-", "")}`;
    },
  },
  "public.widget_embed_origins": { origin: "https://portal.example.com" },
  // An organization dashboard (owner_id null) with an empty layout.
  "public.dashboards": { owner_id: null, is_default: false, version: 1 },
  "public.instances": { url: "https://isolation.service-now.com", auth_type: "basic" },
  "public.snow_records": { table_name: "sys_user" },
  "public.sync_runs": { mode: "full" },
  "public.sync_table_results": { status: "succeeded" },
  "public.analysis_check_results": {
    check_id: "sample_check",
    status: "PASS",
    family: "behavioural",
    severity: "low",
    severity_rank: 3,
  },
  "public.analysis_check_settings": { check_id: "sample_check" },
  "public.analysis_custom_checks": {
    check_id: "custom_sample",
    severity: "low",
    area: "identity",
    table_name: "sys_user",
  },
  "public.analysis_finding_events": { kind: "triage" },
  "public.analysis_finding_results": { status: "FAIL" },
  "public.analysis_suppressions": { scope: "check_org" },
  "public.posture_instance_rollups": { checks: "{}", groups: "{}" },
  "public.posture_check_rollups": {
    // The fold's key is unique: a fresh check for every row.
    get check_id() {
      return `sample_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    },
    frameworks: "{}",
  },
  "public.report_definitions": { format: "pdf" },
  "public.report_exports": { format: "pdf", sha256: null },
  "public.report_links": { kind: "share" },
  "public.report_events": { action: "generated" },
  "public.notification_channels": {
    kind: "email",
    url: null,
    secret: null,
    emails: "{alerts@example.com}",
  },
  "public.notification_rules": { event: "job.failed", in_app_role: null },
  "public.notification_preferences": { digest: "daily" },
  "public.notification_digest_items": { event: "job.failed", title: "t", body: "b" },
  "public.invitations": {
    email: "sample@invite.test",
    role: "viewer",
    status: "pending",
    accepted_at: null,
    revoked_at: null,
    // The hash is unique: a fresh one for every row.
    get token_hash() {
      return crypto.getRandomValues(new Uint8Array(32));
    },
  },
  "public.audit_log": {
    actor_kind: "user",
    category: "change",
    operation: "insert",
    prev_hash: "0".repeat(64),
    hash: "a".repeat(64),
    seq: 1_000_000,
  },
  "public.audit_anchors": { hash: "a".repeat(64) },
  "public.audit_chain_starts": {
    seq: 2,
    prev_hash: "0".repeat(64),
    hash: "a".repeat(64),
    purged: 1,
    retention_days: 30,
  },
  "public.report_deliveries": { channel: "email", mode: null, status: "pending" },
  "public.report_webhook_secrets": { secret: `whsec_${"A".repeat(32)}` },
  "public.usage_daily": {
    metric: "api_calls",
    // A different day per sample: the key is (org, day, metric).
    get day() {
      return new Date(Date.UTC(2000, 0, 1 + Math.floor(Math.random() * 3000)));
    },
  },
};
