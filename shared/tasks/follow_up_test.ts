import assert from "node:assert/strict";
import { z } from "zod";
import { createTestAuth, createTestDatabase } from "../../scripts/testing/mod.ts";
import { createLogger } from "../log/mod.ts";
import { createInProcessTaskClient, defineTask } from "./mod.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());
const owner = await auth.createUser(tdb.db, { orgName: "Follow-up Tasks" });
const orgId = owner.orgId!;
const log = createLogger({ level: "silent" });

Deno.test("ctx.enqueue() starts follow-up work for the job's organization, once per dedup id", async () => {
  const ran: number[] = [];
  const follow = defineTask({
    kind: "test.follow_up",
    payload: z.object({ n: z.number().int() }),
    handler: (_ctx, payload) => {
      ran.push(payload.n);
      return Promise.resolve();
    },
  });
  let attempts = 0;
  const lead = defineTask({
    kind: "test.lead",
    payload: z.object({}),
    retries: 2,
    handler: async (ctx) => {
      attempts++;
      await ctx.enqueue(follow, { n: 7 }, {
        subject: "lead-subject",
        dedupId: `after-${ctx.job.id}`,
      });
      if (attempts === 1) throw new Error("the delivery fails after queueing its follow-up");
    },
  });
  const tasks = createInProcessTaskClient({ db: tdb.db, log });
  const job = await tasks.enqueue(lead, {}, { orgId, actorUserId: owner.id });
  await tasks.drain();

  const [leadRow] = await tdb.db.sql`select status, attempts from public.jobs where id = ${job.id}`;
  assert.deepEqual([leadRow!.status, leadRow!.attempts], ["succeeded", 2]);
  const followUps = await tdb.db.sql<
    { org_id: string; actor_user_id: string | null; subject: string; status: string }[]
  >`select org_id, actor_user_id, subject, status from public.jobs where kind = 'test.follow_up'`;
  assert.equal(followUps.length, 1, "the retried delivery found the follow-up it had queued");
  assert.deepEqual(followUps[0], {
    org_id: orgId,
    actor_user_id: owner.id,
    subject: "lead-subject",
    status: "succeeded",
  });
  assert.deepEqual(ran, [7]);
});
