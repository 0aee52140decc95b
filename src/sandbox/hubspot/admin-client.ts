/**
 * A client for the HubSpot sandbox's admin surface over real HTTP, as a
 * script, a benchmark or a test would use it.
 */
import { SandboxAdminClient } from '../common/admin-client.ts';

export class HubSpotAdmin extends SandboxAdminClient {
  async createToken(input: { scopes?: string[]; expiresInMs?: number; appId?: number }): Promise<string> {
    return (await this.call<{ token: string }>('POST', '/tokens', input)).token;
  }

  bulkInsert(type: string, records: Array<{ properties: Record<string, string>; createdAt?: number; updatedAt?: number }>) {
    return this.call('POST', `/objects/${type}/bulk`, { records });
  }
}
