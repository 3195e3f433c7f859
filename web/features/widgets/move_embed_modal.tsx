/**
 * Pinning an embed to another version of its widget (same token).
 *
 * @module
 */
import type { JSX } from "preact";
import { useLayoutEffect, useState } from "preact/hooks";
import { Button } from "../../components/button.tsx";
import { Modal } from "../../components/modal.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { EmbedItem } from "./widgets_api.ts";

/** Choose the version an embed shows. */
export function MoveEmbedModal(props: {
  embed: EmbedItem | null;
  latest: number;
  onClose: () => void;
  onMove: (version: number) => Promise<void>;
}): JSX.Element {
  const [version, setVersion] = useState(String(props.latest));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useLayoutEffect(() => (setVersion(String(props.latest)), setError(null)), [
    props.embed,
    props.latest,
  ]);
  const options = Array.from({ length: props.latest }, (_, i) => props.latest - i).map((v) => ({
    value: String(v),
    label: `Version ${v}${v === props.latest ? " (current)" : ""}`,
  }));
  async function move(): Promise<void> {
    setBusy(true);
    try {
      await props.onMove(Number(version));
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal
      open={props.embed !== null}
      onClose={props.onClose}
      title={`Move “${props.embed?.name ?? ""}”`}
      description={`It shows version ${props.embed?.version}. The token and the pages that embed it stay the same.`}
      size="sm"
      footer={
        <>
          <Button variant="secondary" onClick={props.onClose}>Cancel</Button>
          <Button loading={busy} onClick={() => void move()}>Move embed</Button>
        </>
      }
    >
      <Select
        label="Show version"
        value={version}
        options={options}
        onValue={setVersion}
        error={error}
      />
    </Modal>
  );
}
