/**
 * Outcomes of promises and iterations, as values a test can assert on.
 */

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

/** Reads every value of an iteration, then the error that ended it if any. */
export async function collect<T>(replies: AsyncIterable<T>): Promise<{ values: T[]; error: unknown }> {
  const values: T[] = [];
  try {
    for await (const value of replies) values.push(value);
  } catch (error) {
    return { values, error };
  }
  return { values, error: undefined };
}
