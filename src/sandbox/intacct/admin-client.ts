/**
 * A client for the Intacct sandbox's admin surface over real HTTP, as a
 * script, a benchmark or a test would use it.
 */
import type { ObjectName } from '../../systems/intacct/schemas.ts';
import { SandboxAdminClient } from '../common/admin-client.ts';
import type { FaultSettings, FaultStats } from '../common/faults.ts';
import type { IntacctSettings } from './context.ts';
import type { FunctionCount } from './function-counter.ts';
import type { GatewayLimitState } from './gateway-limits.ts';

/** A record as a `read` with fields `*` shows it (a bill with its APBILLITEMS). */
export type IntacctRecord = Record<string, unknown> & { RECORDNO: string };

export class IntacctAdmin extends SandboxAdminClient {
  /** Functions run, by counted name (`getAPISession`, `readByQuery`, `create:VENDOR`, …) and result status. */
  async functionCounts(): Promise<FunctionCount[]> {
    return (await this.call<{ functions: FunctionCount[] }>('GET', '/requests')).functions;
  }

  /** How many functions of this counted name ran (with this result status: success, failure, aborted). */
  async functionCalls(name: string, status?: 'success' | 'failure' | 'aborted'): Promise<number> {
    const row = (await this.functionCounts()).find((count) => count.function === name);
    if (!row) return 0;
    return status === undefined ? row.total : (row.byStatus[status] ?? 0);
  }

  /** HTTP requests to the gateway (both endpoints), optionally with one status. */
  gatewayRequests(status?: number | 'reset'): Promise<number> {
    return this.calls({ routeSuffix: '/ia/xml/xmlgw.phtml', ...(status === undefined ? {} : { status }) });
  }

  /** Request and function counts back to zero. */
  resetCounts(): Promise<unknown> {
    return this.resetCounters();
  }

  settings(): Promise<IntacctSettings> {
    return this.call('GET', '/settings');
  }

  override patchSettings(settings: Partial<IntacctSettings>): Promise<Record<string, unknown>> {
    return super.patchSettings(settings);
  }

  /** The fault settings in force and what they injected so far. */
  faults(): Promise<{ settings: FaultSettings; stats: FaultStats }> {
    return this.call('GET', '/faults');
  }

  limits(): Promise<GatewayLimitState & { concurrencyLimit: number; openResultSets: number }> {
    return this.call('GET', '/limits');
  }

  sessions(): Promise<{ open: number; created: number }> {
    return this.call('GET', '/sessions');
  }

  /** Ends every session now (the next call with one gets an authentication failure). */
  async expireSessions(): Promise<number> {
    return (await this.call<{ expired: number }>('POST', '/sessions/expire')).expired;
  }

  /** How many function controlids the uniqueid ledger holds. */
  async executedFunctions(): Promise<number> {
    return (await this.call<{ executed: number }>('GET', '/uniqueids')).executed;
  }

  async records(object: ObjectName): Promise<IntacctRecord[]> {
    return (await this.call<{ records: IntacctRecord[] }>('GET', `/records/${object}`)).records;
  }

  async count(object: ObjectName): Promise<number> {
    return (await this.call<{ count: number }>('GET', `/records/${object}/count`)).count;
  }

  record(object: ObjectName, recordNo: string | number): Promise<IntacctRecord> {
    return this.call('GET', `/records/${object}/${recordNo}`);
  }

  /** The record with this VENDORID / CUSTOMERID / CONTACTNAME / CLASSID (a bill: the first with this RECORDID). */
  recordById(object: ObjectName, id: string): Promise<IntacctRecord> {
    return this.call('GET', `/records/${object}/by-id/${encodeURIComponent(id)}`);
  }

  /** Creates records as the API's create would (its rules apply), without a request to the gateway. */
  async insertRecords(object: ObjectName, records: Array<Record<string, unknown>>): Promise<IntacctRecord[]> {
    return (await this.call<{ created: IntacctRecord[] }>('POST', `/records/${object}`, { records })).created;
  }

  /** Sets fields by dotted path as given, bypassing every rule; `touch` moves WHENMODIFIED to now. */
  patchRecord(object: ObjectName, recordNo: string | number, fields: Record<string, string | number | boolean>, touch = true): Promise<IntacctRecord> {
    return this.call('PATCH', `/records/${object}/${recordNo}`, { fields, touch });
  }

  deleteRecord(object: ObjectName, recordNo: string | number): Promise<unknown> {
    return this.call('DELETE', `/records/${object}/${recordNo}`);
  }

  /** Gives many records one WHENMODIFIED (ties at page edges). */
  setModifiedTime(object: ObjectName, recordNos: Array<string | number>, at: number | string): Promise<{ updated: number; missing: string[]; WHENMODIFIED: string }> {
    return this.call('POST', `/records/${object}/modified-time`, { keys: recordNos, at });
  }
}
