// Bounded concurrency: at most `limit` tasks in flight, in order of the items. The first failure stops new
// tasks from starting (those in flight finish) and is thrown with how many items were left unfinished, so a
// caller can say exactly what is missing: a run never goes on past an engine that is gone.

export class PoolFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly index: number,
    /** Items that did not finish: the failed one, those not started, and any that failed after it. */
    readonly unfinished: number,
  ) {
    super(`item ${index} failed`, { cause: error });
  }
}

/** `lane`: which of the `limit` workers runs the task (0-based), for callers that pin a worker to a server slot. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T, index: number, lane: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let finished = 0;
  let failure: { error: unknown; index: number } | undefined;
  const worker = async (lane: number): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]!, index, lane);
        finished++;
      } catch (error) {
        failure ??= { error, index };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, (_, lane) => worker(lane)));
  if (failure !== undefined) throw new PoolFailure(failure.error, failure.index, items.length - finished);
  return results;
}
