/**
 * Awaiting a job's end, shared by both queues: the queue's own "finished"
 * events answer at once, and a slow poll covers what no event reaches us
 * for (a job finished by a worker in another process before we listened).
 */
import type { Clock } from '../core/clock.ts';
import { ConnectorError } from '../core/errors.ts';
import type { FinishedListener, JobInfo } from './types.ts';

export interface WaitSource {
  getJob(id: string): Promise<JobInfo | undefined>;
  onFinished(listener: FinishedListener): () => void;
}

export function isFinished(job: JobInfo): boolean {
  return job.state === 'completed' || job.state === 'failed';
}

export async function waitForJob(
  source: WaitSource,
  id: string,
  options: { clock: Clock; pollMs: number; timeoutMs?: number; ready?: () => Promise<void> },
): Promise<JobInfo> {
  const stop = new AbortController();
  let unsubscribe = () => undefined as void;
  try {
    const fromEvent = new Promise<JobInfo>((resolve) => {
      unsubscribe = source.onFinished((job) => {
        if (job.id === id) resolve(job);
      });
    });
    // Listening before the first look, so a job finishing in between is not missed.
    await options.ready?.();
    const fromPoll = (async () => {
      for (;;) {
        const job = await source.getJob(id);
        if (job === undefined) {
          throw new ConnectorError({ kind: 'not_found', code: 'queue.job_not_found', message: `no job "${id}" in the queue`, details: { jobId: id } });
        }
        if (isFinished(job)) return job;
        await options.clock.sleep(options.pollMs, stop.signal);
      }
    })();
    const racers: Promise<JobInfo>[] = [fromEvent, fromPoll];
    if (options.timeoutMs !== undefined) {
      const timeoutMs = options.timeoutMs;
      racers.push(
        options.clock.sleep(timeoutMs, stop.signal).then(() => {
          throw new ConnectorError({
            kind: 'transient',
            code: 'queue.wait_timeout',
            message: `job "${id}" did not finish within ${timeoutMs} ms`,
            details: { jobId: id, timeoutMs },
          });
        }),
      );
    }
    // The losers reject when `stop` aborts their sleeps; that is expected, not unhandled.
    for (const racer of racers) racer.catch(() => undefined);
    return await Promise.race(racers);
  } finally {
    unsubscribe();
    stop.abort();
  }
}
