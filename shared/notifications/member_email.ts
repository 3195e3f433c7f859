/**
 * Alerts to members' own addresses, as their preferences ask: at once (with an
 * unsubscribe link and RFC 8058 one-click headers), or queued for their daily
 * or weekly digest, which the daily notifications task sends.
 *
 * @module
 */
import type { Database } from "../db/mod.ts";
import type { Mailer } from "../mail/mod.ts";
import type { AlertMessage } from "./channels.ts";
import type { Rule, RuleEvent } from "./schemas.ts";
import { signUnsubscribeToken } from "./unsubscribe.ts";

/** What member emails need. */
export interface MemberMailDeps {
  db: Database;
  mailer: Mailer | null;
  /** PUBLIC_URL: unsubscribe links point at its functions; no email without it. */
  publicUrl: string | null;
}

interface Recipient {
  user_id: string;
  email: string;
  digest: "off" | "daily" | "weekly";
}

/** Members the rule reaches who chose email for its event and did not unsubscribe from all. */
async function recipients(db: Database, rule: Rule, orgId: string): Promise<Recipient[]> {
  if (!rule.in_app_role) return [];
  return await db.asService((tx) =>
    tx<Recipient[]>`
      select m.user_id, p.email, coalesce(np.digest, 'off') as digest
      from public.memberships m
      join public.profiles p on p.id = m.user_id
      left join public.notification_preferences np
        on np.org_id = m.org_id and np.user_id = m.user_id
      where m.org_id = ${orgId} and m.role >= ${rule.in_app_role}::public.org_role
        and p.email <> '' and not coalesce(np.email_off, false)
        and coalesce((np.events -> ${rule.event} ->> 'email')::boolean, false)
      order by m.user_id`
  );
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The unsubscribe URL of a token. */
export function unsubscribeUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/$/, "")}/functions/v1/notifications/unsubscribe?token=${
    encodeURIComponent(token)
  }`;
}

/** One email to a member with its unsubscribe link and one-click headers. */
async function sendToMember(
  deps: MemberMailDeps & { mailer: Mailer; publicUrl: string },
  orgId: string,
  to: Recipient,
  event: RuleEvent | "all",
  mail: {
    subject: string;
    title: string;
    lines: { title: string; body: string; link: string | null }[];
  },
): Promise<void> {
  const token = await deps.db.asEngine(
    orgId,
    (tx) => signUnsubscribeToken(tx, orgId, to.user_id, event),
  );
  const unsubscribe = unsubscribeUrl(deps.publicUrl, token);
  const what = event === "all" ? "these emails" : `emails about ${event}`;
  await deps.mailer.send({
    to: to.email,
    subject: mail.subject,
    text: mail.lines.map((l) => `${l.title}\n${l.body}${l.link ? `\nOpen: ${l.link}` : ""}`)
      .join("\n\n") + `\n\nUnsubscribe from ${what}: ${unsubscribe}\n`,
    html: `<h1 style="font-size:18px">${escapeHtml(mail.title)}</h1>` +
      mail.lines.map((l) =>
        `<h2 style="font-size:15px">${escapeHtml(l.title)}</h2><p>${escapeHtml(l.body)}</p>` +
        (l.link ? `<p><a href="${escapeHtml(l.link)}">Open</a></p>` : "")
      ).join("") +
      `<p style="font-size:12px"><a href="${
        escapeHtml(unsubscribe)
      }">Unsubscribe from ${what}</a></p>`,
    link: mail.lines[0]?.link ?? "",
    kind: "alert",
    headers: {
      "List-Unsubscribe": `<${unsubscribe}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  });
}

/**
 * Emails the rule's alert to members who asked for it by email, or queues it
 * for their digest. Returns how many emails went out. A failed email is
 * logged by the caller's outcome, never thrown.
 */
export async function emailMembers(
  deps: MemberMailDeps,
  rule: Rule,
  message: AlertMessage,
): Promise<{ sent: number; failed: number }> {
  const out = { sent: 0, failed: 0 };
  const { mailer, publicUrl } = deps;
  if (!mailer || !publicUrl) return out;
  const orgId = message.org_id;
  const list = await recipients(deps.db, rule, orgId);
  const later = list.filter((r) => r.digest !== "off");
  if (later.length > 0) {
    await deps.db.asEngine(
      orgId,
      (tx) =>
        tx`insert into public.notification_digest_items (org_id, user_id, event, title, body, link)
         select ${orgId}, u, ${rule.event}, ${message.title.slice(0, 300)},
                ${message.body.slice(0, 2000)}, ${message.link}
         from unnest(${later.map((r) => r.user_id)}::uuid[]) as u`,
    );
  }
  for (const to of list.filter((r) => r.digest === "off")) {
    try {
      await sendToMember({ ...deps, mailer, publicUrl }, orgId, to, rule.event, {
        subject: `[ComplianceIQ] ${message.title}`,
        title: message.title,
        lines: [{ title: message.title, body: message.body, link: message.link }],
      });
      out.sent++;
    } catch {
      out.failed++;
    }
  }
  return out;
}

/**
 * Sends every due digest of the organization and removes what it sent: daily
 * digests every day, weekly ones on Mondays (UTC). One email per member.
 *
 * @param now the day it runs on (tests)
 */
export async function sendDigests(
  deps: MemberMailDeps,
  orgId: string,
  now: Date = new Date(),
): Promise<number> {
  const { mailer, publicUrl } = deps;
  if (!mailer || !publicUrl) return 0;
  const cadences = now.getUTCDay() === 1 ? ["daily", "weekly"] : ["daily"];
  const due = await deps.db.asService((tx) =>
    tx<
      (Recipient & { items: { id: string; title: string; body: string; link: string | null }[] })[]
    >`
      select np.user_id, p.email, np.digest,
             jsonb_agg(jsonb_build_object('id', d.id, 'title', d.title, 'body', d.body,
                                          'link', d.link) order by d.created_at) as items
      from public.notification_preferences np
      join public.profiles p on p.id = np.user_id
      join public.notification_digest_items d on d.org_id = np.org_id and d.user_id = np.user_id
      where np.org_id = ${orgId} and np.digest = any (${cadences}) and not np.email_off
        and p.email <> ''
        and exists (select 1 from public.memberships m
                    where m.org_id = np.org_id and m.user_id = np.user_id)
      group by np.user_id, p.email, np.digest`
  );
  let sent = 0;
  for (const member of due) {
    const n = member.items.length;
    await sendToMember({ ...deps, mailer, publicUrl }, orgId, member, "all", {
      subject: `[ComplianceIQ] Your ${member.digest} digest: ${n} ${n === 1 ? "alert" : "alerts"}`,
      title: `${n} ${n === 1 ? "alert" : "alerts"} since your last digest`,
      lines: member.items,
    });
    await deps.db.asEngine(orgId, async (tx) => {
      await tx`delete from public.notification_digest_items
               where org_id = ${orgId} and id = any (${member.items.map((i) => i.id)}::uuid[])`;
      await tx`update public.notification_preferences set digest_sent_at = now()
               where org_id = ${orgId} and user_id = ${member.user_id}`;
    });
    sent++;
  }
  return sent;
}
