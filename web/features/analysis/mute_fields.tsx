import type { JSX } from "preact";
import { Input, Textarea } from "../../components/input.tsx";
import { Select } from "../../components/select.tsx";
import type { Member } from "../../lib/api_types.ts";

/** Props of {@linkcode MuteFields}. */
export interface MuteFieldsProps {
  reason: string;
  owner: string;
  expires: string;
  /** Shown under the reason, e.g. "Give a reason". */
  error: string | null;
  /** The organization's members, one of whom owns the mute. */
  members: readonly Member[];
  onReason: (reason: string) => void;
  onOwner: (userId: string) => void;
  onExpires: (date: string) => void;
}

/** What every mute asks: a reason, its owner and an optional expiry date. */
export function MuteFields(props: MuteFieldsProps): JSX.Element {
  return (
    <>
      <Textarea
        label="Reason"
        value={props.reason}
        onValue={props.onReason}
        rows={2}
        error={props.error}
      />
      <Select
        label="Owner"
        value={props.owner}
        options={props.members.map((m) => ({ value: m.user_id, label: m.display_name || m.email }))}
        onValue={props.onOwner}
      />
      <Input
        label="Expires on"
        optional
        type="text"
        placeholder="YYYY-MM-DD"
        pattern="\d{4}-\d{2}-\d{2}"
        value={props.expires}
        onValue={props.onExpires}
        hint="Leave empty to mute until revoked."
      />
    </>
  );
}
