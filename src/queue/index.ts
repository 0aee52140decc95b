/** The job queue: one interface, an embedded and a BullMQ implementation, and the choice between them. */
export type {
  AddJobOptions,
  BackoffOptions,
  FinishedListener,
  JobContext,
  JobCounts,
  JobHandler,
  JobInfo,
  JobQueue,
  JobState,
  ProcessOptions,
  QueueWorker,
} from './types.ts';
export { JOB_STATES, MAX_PRIORITY, NON_RETRYABLE_KINDS } from './types.ts';
export { createQueue, type CreateQueueOptions } from './create-queue.ts';
export { EmbeddedQueue, type EmbeddedQueueOptions } from './embedded-queue.ts';
export { BullMqQueue, type BullMqQueueOptions } from './bullmq-queue.ts';
