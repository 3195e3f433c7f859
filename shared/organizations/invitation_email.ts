import type { OutgoingMail } from "../mail/mod.ts";
import type { Invitation } from "./invitations.ts";

/**
 * The invitation email. The link carries the secret in its fragment, which
 * browsers never send to a server, so it stays out of access logs.
 *
 * @param input organization, inviter, invitation, secret and the web app's base URL
 */
export function invitationEmail(input: {
  organization_name: string;
  inviter: string;
  invitation: Invitation;
  token: string;
  publicUrl: string;
}): OutgoingMail {
  const link = `${input.publicUrl.replace(/\/$/, "")}/invite#token=${input.token}`;
  const expires = new Date(input.invitation.expires_at).toUTCString();
  const who = `${input.inviter} invited you to join ${input.organization_name} on ComplianceIQ as ${
    article(input.invitation.role)
  }.`;
  const text =
    `${who}\n\nOpen this link to accept (with your account, or by creating one):\n${link}\n\n` +
    `The link works once and expires on ${expires}. If you did not expect this, ignore this email.\n`;
  const html =
    `<h2>Join ${escapeHtml(input.organization_name)} on ComplianceIQ</h2>\n<p>${
      escapeHtml(who)
    }</p>\n<p><a href="${escapeHtml(link)}">Accept the invitation</a></p>\n` +
    `<p>The link works once and expires on ${escapeHtml(expires)}. ` +
    `If you did not expect this, ignore this email.</p>\n`;
  return {
    to: input.invitation.email,
    subject: `Join ${input.organization_name} on ComplianceIQ`,
    text,
    html,
    link,
    kind: "invite",
  };
}

function article(role: string): string {
  return `${/^[aeiou]/.test(role) ? "an" : "a"} ${role}`;
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}
