/**
 * The simulator's in-process handler as a `fetch`, so the connector reaches it
 * without a listening socket.
 *
 * @param sim the simulator (anything with `fetch(Request)`)
 */
export function simulatorFetch(sim: { fetch(req: Request): Promise<Response> }): typeof fetch {
  return ((input: string | URL | Request, init?: RequestInit) =>
    sim.fetch(new Request(input, init))) as typeof fetch;
}
