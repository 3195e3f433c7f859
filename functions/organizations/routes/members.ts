import { Hono } from "hono";
import { z } from "zod";
import {
  type AppEnv,
  readJson,
  readParam,
  readQuery,
  type Services,
} from "../../../shared/http/mod.ts";
import {
  addMember,
  addMemberSchema,
  changeMemberRole,
  changeRoleSchema,
  listMembers,
  listMembersQuerySchema,
  removeMember,
} from "../../../shared/organizations/mod.ts";

/** `/:orgId/members` and `/:orgId/leave`: the team. */
export function membersRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/:orgId/members", async (c) => {
    const orgId = readParam(c, "orgId", z.uuid());
    const page = readQuery(c, listMembersQuerySchema);
    const result = await listMembers(services.db, c.get("claims"), orgId, page);
    return c.json(result);
  });

  routes.post("/:orgId/members", async (c) => {
    const orgId = readParam(c, "orgId", z.uuid());
    const input = await readJson(c, addMemberSchema);
    const data = await services.db.asTenant(c.get("claims"), (tx) => addMember(tx, orgId, input));
    // 202 and the same body whether or not an account uses the address.
    return c.json({ data }, 202);
  });

  routes.patch("/:orgId/members/:userId", async (c) => {
    const orgId = readParam(c, "orgId", z.uuid());
    const userId = readParam(c, "userId", z.uuid());
    const { role } = await readJson(c, changeRoleSchema);
    const data = await services.db.asTenant(
      c.get("claims"),
      (tx) => changeMemberRole(tx, orgId, userId, role),
    );
    return c.json({ data });
  });

  routes.delete("/:orgId/members/:userId", async (c) => {
    const orgId = readParam(c, "orgId", z.uuid());
    const userId = readParam(c, "userId", z.uuid());
    await services.db.asTenant(
      c.get("claims"),
      (tx) => removeMember(tx, orgId, userId, c.get("userId")),
    );
    return c.body(null, 204);
  });

  routes.post("/:orgId/leave", async (c) => {
    const orgId = readParam(c, "orgId", z.uuid());
    const me = c.get("userId");
    await services.db.asTenant(c.get("claims"), (tx) => removeMember(tx, orgId, me, me));
    return c.body(null, 204);
  });

  return routes;
}
