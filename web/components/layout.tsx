import type { ComponentChildren, JSX } from "preact";

/**
 * The app frame: a skip link, the sidebar (fixed on wide screens), the navbar
 * and the main landmark, which receives focus after each navigation.
 *
 * @example
 * <Layout sidebar={<Sidebar … />} navbar={<Navbar … />}><TeamPage /></Layout>
 */
export function Layout(
  { sidebar, navbar, children }: {
    sidebar: ComponentChildren;
    navbar: ComponentChildren;
    children: ComponentChildren;
  },
): JSX.Element {
  return (
    <div class="min-h-screen lg:grid lg:grid-cols-[15rem_minmax(0,1fr)]">
      <a
        href="#main"
        class="sr-only z-50 rounded-md bg-surface px-3 py-2 text-sm font-medium text-fg shadow focus:not-sr-only focus:fixed focus:left-3 focus:top-3"
      >
        Skip to main content
      </a>
      <aside class="hidden border-r border-line bg-surface lg:block">
        <div class="sticky top-0 h-screen">{sidebar}</div>
      </aside>
      <div class="min-w-0">
        {navbar}
        <main
          id="main"
          tabIndex={-1}
          class="mx-auto w-full max-w-6xl px-4 py-6 focus:outline-none sm:px-6 lg:px-8 lg:py-8"
        >
          {children}
        </main>
      </div>
    </div>
  );
}

/**
 * The page heading block: title, a sentence on what the page is for, and actions.
 *
 * @example
 * <PageHeader title="Team" description="Who can see and change …" actions={<Button>Add member</Button>} />
 */
export function PageHeader(
  { title, description, actions }: {
    title: string;
    description?: ComponentChildren;
    actions?: ComponentChildren;
  },
): JSX.Element {
  return (
    <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div class="min-w-0 space-y-1">
        <h1 class="text-2xl font-semibold tracking-tight text-fg">{title}</h1>
        {description && <p class="max-w-2xl text-sm text-fg-muted">{description}</p>}
      </div>
      {actions && <div class="flex flex-wrap items-center gap-2">{actions}</div>}
    </div>
  );
}
