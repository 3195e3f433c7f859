import { useEffect } from "preact/hooks";
import { useLocation } from "preact-iso";
import { Loader } from "../components/loader.tsx";
import type { JSX } from "preact";

/** Replaces the current history entry with `to` (used by the route guards). */
export function Redirect({ to }: { to: string }): JSX.Element {
  const { route } = useLocation();
  useEffect(() => route(to, true), [to]);
  return <Loader label="Redirecting" />;
}
