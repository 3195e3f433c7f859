export { createTokenVerifier } from "./verifier.ts";
export type { TokenVerifier, TokenVerifierOptions } from "./verifier.ts";
