export {
  API_KEY_PATTERN,
  API_KEY_START,
  generateApiKey,
  hashApiKey,
  looksLikeApiKey,
  parseApiKey,
} from "./format.ts";
export type { GeneratedApiKey } from "./format.ts";
export { createApiKeyVerifier } from "./verifier.ts";
export type { ApiKeyPrincipal, ApiKeyVerifier } from "./verifier.ts";
export { apiKeyCallsOn, countApiKeyCall } from "./usage.ts";
export {
  API_KEY_ROLES,
  createApiKey,
  createApiKeySchema,
  listApiKeys,
  revokeApiKey,
} from "./store.ts";
export type { ApiKey, CreateApiKeyInput } from "./store.ts";
