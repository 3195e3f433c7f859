export { ACTIONS, can, minimumRole, PERMISSIONS } from "./matrix.ts";
export type { Action, OrgPlan, Permission } from "./matrix.ts";
export { ORG_ROLES, roleAtLeast } from "./roles.ts";
export type { OrgRole } from "./roles.ts";
export {
  PERMISSIONS_DOC_MARKERS,
  renderPermissionsTable,
  replacePermissionsTable,
  tableContent,
} from "./docs.ts";
export type { ActionRoute } from "./docs.ts";
