/**
 * One system's tools and how to run them: the client a tool call gets
 * (interactive lane; for HubSpot no retries, so a 429 goes straight back to
 * the caller), and the governor whose windows the rate-limit headers report.
 */
import type { Clock } from '../core/clock.ts';
import type { AttemptEvent, HttpClient } from '../http/http-client.ts';
import type { ToolDefinition } from './tool-definition.ts';

export interface ToolClientOptions {
  clock: Clock;
  onAttempt: (event: AttemptEvent) => void;
  /** Stores changed config fields at once (a rotated refresh token), merged with what is stored. */
  saveConfig: (changes: Record<string, unknown>) => Promise<void>;
}

export interface SystemTools<Client = unknown> {
  system: string;
  tools: readonly ToolDefinition<Client>[];
  /** A client for one tool call, from the connection's decrypted config. */
  client(config: Record<string, unknown>, options: ToolClientOptions): Client;
  /** The HTTP core under the client, when the system exposes it: its governor feeds the rate-limit headers. */
  http(client: Client): HttpClient | undefined;
}

/** Declares a system's tools with its client type checked against the tools'. */
export function defineSystemTools<Client>(definition: SystemTools<Client>): SystemTools<Client> {
  return definition;
}
