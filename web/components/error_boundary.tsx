import { Component, type ComponentChildren, type JSX } from "preact";
import { TriangleAlert } from "lucide";
import { Button } from "./button.tsx";
import { EmptyState } from "./empty_state.tsx";

/** Props of {@linkcode ErrorBoundary}. */
export interface ErrorBoundaryProps {
  children: ComponentChildren;
  /** Changing it clears a caught error (e.g. the route path, so navigating away recovers). */
  resetKey?: string;
  /** Called with what was thrown, for logging. */
  onError?: (error: unknown) => void;
}

interface State {
  error: unknown;
  resetKey: string | undefined;
}

/**
 * Catches errors thrown while rendering its children and shows a calm
 * recovery screen instead of a blank page (never the raw error).
 *
 * @example
 * <ErrorBoundary resetKey={path}><Page /></ErrorBoundary>
 */
export class ErrorBoundary extends Component<ErrorBoundaryProps, State> {
  override state: State = { error: null, resetKey: this.props.resetKey };

  static override getDerivedStateFromProps(
    props: ErrorBoundaryProps,
    state: State,
  ): Partial<State> | null {
    return props.resetKey !== state.resetKey ? { error: null, resetKey: props.resetKey } : null;
  }

  static override getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error ?? new Error("Unknown error") };
  }

  override componentDidCatch(error: unknown): void {
    this.props.onError?.(error);
  }

  override render(): JSX.Element {
    if (!this.state.error) return <>{this.props.children}</>;
    const chunkFailed = this.state.error instanceof Error &&
      /dynamically imported module|Importing a module script failed/i.test(
        this.state.error.message,
      );
    return (
      <EmptyState
        tone="error"
        icon={TriangleAlert}
        title={chunkFailed
          ? "A new version of ComplianceIQ is available"
          : "This page ran into a problem"}
        description={chunkFailed
          ? "Reload to get the latest version."
          : "Your data is safe. Reload the page, or go back and try again. If it keeps happening, contact support."}
        action={
          <>
            <Button onClick={() => location.reload()}>Reload page</Button>
            <Button variant="secondary" onClick={() => this.setState({ error: null })}>
              Try again
            </Button>
          </>
        }
      />
    );
  }
}
