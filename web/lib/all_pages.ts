/**
 * Reads every page of a cursor-paged list: asks for the first page, then
 * follows `next_cursor` until the last one, for views that need the whole list
 * (selectors, filters) rather than one page.
 *
 * @param page reads one page after `cursor` (undefined for the first)
 * @returns the rows of all pages, in the list's order
 * @example
 * const all = await allPages((cursor) => call("GET /instances", { query: { org_id, limit: 500, cursor } }));
 */
export async function allPages<T>(
  page: (cursor: string | undefined) => Promise<{ data: T[]; next_cursor: string | null }>,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    all.push(...next.data);
    cursor = next.next_cursor ?? undefined;
  } while (cursor);
  return all;
}
