// Helpers for the stand-in's tests: a recording destination server (the bounded
// wait is `waitFor` from scripts/testing).

/** One request the destination received. */
export interface Received {
  path: string;
  method: string;
  headers: Headers;
  body: string;
}

/** A loopback HTTP server that records requests and answers per path. */
export interface Destination {
  url: string;
  received: Received[];
  /** Sets how `path` answers; 200 "ok" by default. */
  on(path: string, answer: (req: Received, count: number) => Response | Promise<Response>): void;
  close(): Promise<void>;
}

/** Starts a {@linkcode Destination} on a free port. */
export function startDestination(): Destination {
  const received: Received[] = [];
  const answers = new Map<string, (req: Received, count: number) => Response | Promise<Response>>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const entry: Received = {
      path: url.pathname,
      method: req.method,
      headers: req.headers,
      body: await req.text(),
    };
    received.push(entry);
    const count = received.filter((r) => r.path === entry.path).length;
    const answer = answers.get(url.pathname);
    return answer ? await answer(entry, count) : new Response("ok");
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    received,
    on: (path, answer) => void answers.set(path, answer),
    close: () => server.shutdown(),
  };
}
