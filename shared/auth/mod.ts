export { createTokenVerifier } from "./verifier.ts";
export type { TokenVerifier, TokenVerifierOptions } from "./verifier.ts";
export { createSessionCheck } from "./sessions.ts";
export type { SessionCheck, SessionCheckOptions } from "./sessions.ts";
