/**
 * Webhook signing secrets at rest (report webhooks and notification webhook
 * channels): sealed with the instance credentials' keyring (`CREDENTIALS_KEYS`,
 * AES-256-GCM, the same envelope), bound to the table, organization and row;
 * rotated with them by `deno task credentials:rotate`.
 *
 * @module
 */
export {
  configureSecretKeyring,
  openWebhookSecret,
  rotateWebhookSecrets,
  sealWebhookSecret,
  secretKeyring,
} from "./webhook_secrets.ts";
export type {
  SecretBinding,
  SecretRotationReport,
  SecretTable,
  StoredSecret,
} from "./webhook_secrets.ts";
