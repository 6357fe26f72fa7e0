// Records one by one from pages of records. An async generator that `yield*`s each page costs
// several promise hops per record (the page is wrapped as an async iterator); this hands out records
// from the current page with one resolved promise each and asks for the next page only when the
// page runs out: about the cost of a loop over an array, plus one microtask per record.

/** An async iterator over the records of `pages`, in order; `return()` stops the pages too. */
export function flattenPages<R>(pages: AsyncGenerator<R[], void, undefined>): AsyncIterableIterator<R> {
  let page: R[] = [];
  let index = 0;
  let finished = false;
  // A page request in flight: a next() that arrives meanwhile waits for it (for await never does this,
  // but a caller driving next() by hand might).
  let pending: Promise<IteratorResult<R, undefined>> | undefined;

  const ended = (): IteratorResult<R, undefined> => ({ value: undefined, done: true });

  const iterator: AsyncIterableIterator<R> = {
    next(): Promise<IteratorResult<R, undefined>> {
      if (index < page.length) return Promise.resolve({ value: page[index++] as R, done: false });
      if (finished) return Promise.resolve(ended());
      if (pending) return pending.then(() => iterator.next() as Promise<IteratorResult<R, undefined>>);
      pending = pages.next().then(
        (step) => {
          pending = undefined;
          if (step.done) {
            finished = true;
            page = [];
            return ended();
          }
          page = step.value;
          index = 0;
          return iterator.next() as Promise<IteratorResult<R, undefined>>;
        },
        (error: unknown) => {
          pending = undefined;
          finished = true;
          page = [];
          throw error;
        },
      );
      return pending;
    },
    async return(value?: unknown): Promise<IteratorResult<R, undefined>> {
      finished = true;
      page = [];
      await pages.return(undefined);
      return { value: value as undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
