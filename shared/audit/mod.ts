export { accessReview, replayMemberships } from "./access_review.ts";
export { anchorAuditChains } from "./anchor.ts";
export { auditChainStart, type ChainStart, purgeExpiredAuditEntries } from "./retention.ts";
export { accessReviewCsv, auditEntriesCsv } from "./csv.ts";
export {
  allAuditEntries,
  getAuditEntry,
  listAuditEntries,
  listSignInEvents,
  recordAuditEvent,
  verifyAuditChain,
} from "./store.ts";
export * from "./schemas.ts";
