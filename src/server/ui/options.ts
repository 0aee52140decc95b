/** What the console's pages are given by the server that serves them. */
import type { Installation } from '../../app/installation.ts';
import type { JobQueue } from '../../queue/types.ts';
import type { WebhookLog } from '../webhook-common.ts';

export interface ConsoleUiOptions {
  installation: Installation;
  /** Where "Run now" queues its job; without one the flows page says runs need the service. */
  queue?: JobQueue;
  /** The server's public URL: the redirect URI an authorization-code connect registers. */
  publicUrl?: string;
  /** The server's structured log (secrets redacted): where a page's unexpected failure is reported. */
  log?: WebhookLog;
}
