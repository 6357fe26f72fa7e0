// The pages of iterate() and getFullList(). The server's own work per page (query and JSON) is most of
// the time of a long read, so after a full first page, pages are read two at a time, and the next two
// are asked for as soon as the current ones arrive (while the caller works through them); at most four
// pages are held. A read that fits one page costs one request.
//
// With no sort, pages follow the id ("id > last seen"), which stays correct while records are added or
// removed and costs the same for the last page as the first. The second page of a pair starts one
// record early (offset pageSize - 1 from the same cursor): when its first record is the first page's
// last, the two are contiguous and it is as if it had been asked for "id > that last" itself;
// otherwise something moved between the two reads, and it is dropped and read again from the first's
// last id. With a sort, pages go by number, two numbers at a time.
import { PocketBaseError } from "../abstract/errors/index.ts";
import { fieldsIncludeId } from "../abstract/fields.ts";
import { escapeFilterValue } from "../abstract/filter.ts";
import { iterateOptions, listQuery } from "../abstract/operations.ts";
import type { IterateOptions, ListOptions, ListResult } from "../abstract/types.ts";
import { normalizeFields } from "../abstract/validate.ts";
import { flattenPages } from "./flatten-pages.ts";

type List<R> = (options: ListOptions) => Promise<ListResult<R>>;

interface PageQuery {
  /** The records path, for errors. */
  path: string;
  pageSize: number;
  /** The caller's filter, as PocketBase text (undefined: none). */
  filter: string | undefined;
  /** The caller's sort (undefined: by id, keyset). */
  sort: string | undefined;
  /** Everything else a page request carries (fields, expand, query, headers, timeout, signal...). */
  rest: ListOptions;
  /** With no sort: the id was added to `fields` for paging only; remove it from what is handed out. */
  stripId: boolean;
}

/**
 * A server (or something in front of it) that answers the same full page again would make a read go
 * on for ever: a 2xx that does not move the read forward is an error, like any other bad body.
 */
function stuck(path: string, where: string): PocketBaseError {
  return new PocketBaseError({
    status: 200,
    message: `pocketmap: ${path} answered a full page that does not move past ${where}; stopped instead of reading the same records again`,
    url: path,
    method: "GET",
  });
}

/** Starts a page request whose failure is thrown where it is awaited, or dropped with it. */
function ahead<R>(page: Promise<ListResult<R>>): Promise<ListResult<R>> {
  page.catch(() => {});
  return page;
}

/** The pages of a read, in order; stopping early (return()) aborts the requests in flight. */
export async function* readPages<R extends { id?: unknown }>(
  list: List<R>,
  query: PageQuery,
): AsyncGenerator<R[], void, undefined> {
  const stop = new AbortController();
  const { signal } = query.rest;
  const rest = { ...query.rest, signal: signal ? AbortSignal.any([signal, stop.signal]) : stop.signal };
  try {
    if (query.sort === undefined) yield* byId(list, query, rest);
    else yield* byNumber(list, query, rest);
  } finally {
    stop.abort();
  }
}

async function* byId<R extends { id?: unknown }>(
  list: List<R>,
  { path, pageSize, filter, stripId }: PageQuery,
  rest: ListOptions,
): AsyncGenerator<R[], void, undefined> {
  const read = (after: string | undefined, page: number, perPage: number) => {
    const keyset = after === undefined ? undefined : `id > ${escapeFilterValue(after)}`;
    const combined = filter && keyset ? `(${filter}) && ${keyset}` : (keyset ?? filter);
    return ahead(list({ ...rest, filter: combined, sort: "id", page, perPage, skipTotal: true }));
  };
  // The second page overlaps the first by one record, so with pages of one or two it would bring
  // nothing new: then pages go one at a time (still asked for one ahead).
  const pair = (after: string | undefined) => ({
    first: read(after, 1, pageSize),
    second: pageSize > 2 ? read(after, 2, pageSize - 1) : undefined,
  });
  const handOut = (items: R[]) => {
    if (stripId) for (const record of items) delete record.id;
    return items;
  };
  // The first page alone: a read that fits one page costs one request.
  let next: ReturnType<typeof pair> = { first: read(undefined, 1, pageSize), second: undefined };
  let after: string | undefined; // the cursor `next` was read from
  for (;;) {
    const first = (await next.first).items;
    if (first.length < pageSize) {
      yield handOut(first);
      return;
    }
    const last = first.at(-1)?.id as string;
    let second: R[];
    try {
      second = next.second ? (await next.second).items : [];
    } catch (error) {
      yield handOut(first); // the records before the failing page come first, as with one at a time
      throw error;
    }
    let more = true;
    let cursor = last;
    let rest: R[] = [];
    if (second.length > 0 && second[0]?.id === last) {
      rest = second.slice(1);
      more = second.length >= pageSize - 1;
      if (more) cursor = second.at(-1)?.id as string;
    }
    if (more && cursor === after) throw stuck(path, `id ${JSON.stringify(after)}`);
    if (more) {
      next = pair(cursor);
      after = cursor;
    }
    yield handOut(first);
    if (rest.length > 0) yield handOut(rest);
    if (!more) return;
  }
}

async function* byNumber<R extends { id?: unknown }>(
  list: List<R>,
  { path, pageSize, filter, sort }: PageQuery,
  rest: ListOptions,
): AsyncGenerator<R[], void, undefined> {
  const read = (page: number) =>
    ahead(list({ ...rest, filter, sort, page, perPage: pageSize, skipTotal: true }));
  let next: [Promise<ListResult<R>>, Promise<ListResult<R>> | undefined] = [read(1), undefined];
  // The ids of the page before (when `fields` keep them): a page that repeats it whole is no progress.
  let previous: string | undefined;
  const idsOf = (page: R[]) =>
    page.every((record) => typeof record.id === "string")
      ? page.map((record) => record.id).join("\n")
      : undefined;
  for (let number = 2; ; number += 2) {
    const first = (await next[0]).items;
    if (first.length < pageSize) {
      yield first;
      return;
    }
    let second: R[] = [];
    try {
      if (next[1]) second = (await next[1]).items;
    } catch (error) {
      yield first;
      throw error;
    }
    for (const page of next[1] ? [first, second] : [first]) {
      const ids = idsOf(page);
      if (ids !== undefined && ids === previous) throw stuck(path, "the page before it");
      previous = ids;
    }
    const more = next[1] === undefined || second.length >= pageSize;
    if (more) next = [read(number), read(number + 1)];
    yield first;
    if (second.length > 0) yield second;
    if (!more) return;
  }
}

const stringOrUndefined = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

/**
 * The pages of a list endpoint (records, logs) as `iterate()` reads them; its options are checked
 * when the first page is asked for. With no sort, pages go by id, and `fields` that leave out the id
 * get it added for paging and removed from what is handed out.
 */
export async function* listPages<R extends { id?: unknown }>(
  list: List<R>,
  path: string,
  options: IterateOptions | undefined,
  defaultPageSize: number,
): AsyncGenerator<R[], void, undefined> {
  const { pageSize, filter, params, sort, ...rest } = iterateOptions(options, defaultPageSize);
  const query = listQuery({ filter, params, sort });
  const order = query.sort as string | undefined;
  const asked = normalizeFields(rest.fields) ?? stringOrUndefined(rest.query?.fields);
  const stripId = order === undefined && !fieldsIncludeId(asked);
  yield* readPages(list, {
    path,
    pageSize,
    filter: query.filter as string | undefined,
    sort: order,
    rest: stripId ? { ...rest, fields: `${asked},id` } : rest,
    stripId,
  });
}

/** Items one by one, page by page (`listPages`), with a resolved promise each. */
export function iterateList<R extends { id?: unknown }>(
  list: List<R>,
  path: string,
  options: IterateOptions | undefined,
  defaultPageSize: number,
): AsyncIterableIterator<R> {
  return flattenPages(listPages(list, path, options, defaultPageSize));
}
