import { z } from "zod";
import { createRouteGroup, dataOf, pageOf, type Services } from "../../../shared/http/mod.ts";
import {
  changeMemberRole,
  changeRoleSchema,
  listMembers,
  listMembersQuerySchema,
  removeMember,
} from "../../../shared/organizations/mod.ts";
import { memberSchema } from "../schemas.ts";

const orgParams = z.object({ orgId: z.uuid() });
const memberParams = z.object({ orgId: z.uuid(), userId: z.uuid() });

/** `/:orgId/members` and `/:orgId/leave`: the team. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function membersRoutes(services: Services) {
  return createRouteGroup()
    .on(
      {
        method: "get",
        path: "/:orgId/members",
        summary: "The organization's members, by email",
        auth: "user",
        permission: "members.read",
        params: orgParams,
        query: listMembersQuerySchema,
        responses: { 200: { description: "A page of members", schema: pageOf(memberSchema) } },
      },
      async (c, { params, query }) =>
        c.json(await listMembers(services.db, c.get("claims"), params.orgId, query)),
    )
    .on({
      method: "patch",
      path: "/:orgId/members/:userId",
      summary: "Change a member's role",
      auth: "user",
      permission: "members.change_role",
      params: memberParams,
      body: changeRoleSchema,
      responses: { 200: { description: "The member", schema: dataOf(memberSchema) } },
    }, async (c, { params, body }) => {
      const data = await services.db.asTenant(
        c.get("claims"),
        (tx) => changeMemberRole(tx, params.orgId, params.userId, body.role),
      );
      return c.json({ data });
    })
    .on({
      method: "delete",
      path: "/:orgId/members/:userId",
      summary: "Remove a member (or yourself)",
      auth: "user",
      permission: "members.remove",
      params: memberParams,
      responses: { 204: { description: "Removed" } },
    }, async (c, { params }) => {
      await services.db.asTenant(
        c.get("claims"),
        (tx) => removeMember(tx, params.orgId, params.userId, c.get("userId")),
      );
      return c.body(null, 204);
    })
    .on({
      method: "post",
      path: "/:orgId/leave",
      summary: "Leave the organization (not as its last owner)",
      auth: "user",
      permission: "members.leave",
      params: orgParams,
      responses: { 204: { description: "Left" } },
    }, async (c, { params }) => {
      const me = c.get("userId");
      await services.db.asTenant(c.get("claims"), (tx) => removeMember(tx, params.orgId, me, me));
      return c.body(null, 204);
    });
}
