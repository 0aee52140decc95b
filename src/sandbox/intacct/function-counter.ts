/**
 * Counts the functions the gateway ran, by name (`readByQuery`, `query`,
 * `getAPISession`; writes with their object, `create:VENDOR`) and result
 * status (`success`, `failure`, `aborted`), beside the HTTP request counts:
 * one request may carry many functions. Reset with the request counts.
 */
import { RequestCounter, type RequestCountSnapshot } from '../common/request-counter.ts';

export interface FunctionCount {
  function: string;
  total: number;
  byStatus: Record<string, number>;
}

export interface IntacctCountSnapshot extends RequestCountSnapshot {
  functions: FunctionCount[];
}

export class IntacctRequestCounter extends RequestCounter {
  private readonly functionRows = new Map<string, FunctionCount>();

  recordFunction(name: string, status: string): void {
    let row = this.functionRows.get(name);
    if (!row) {
      row = { function: name, total: 0, byStatus: {} };
      this.functionRows.set(name, row);
    }
    row.total += 1;
    row.byStatus[status] = (row.byStatus[status] ?? 0) + 1;
  }

  /** Functions run with this name (and status), e.g. `functionCount('create:VENDOR', 'success')`. */
  functionCount(name: string, status?: string): number {
    const row = this.functionRows.get(name);
    if (!row) return 0;
    return status === undefined ? row.total : (row.byStatus[status] ?? 0);
  }

  override snapshot(): IntacctCountSnapshot {
    const functions = [...this.functionRows.values()]
      .map((row) => ({ ...row, byStatus: { ...row.byStatus } }))
      .sort((a, b) => a.function.localeCompare(b.function));
    return { ...super.snapshot(), functions };
  }

  override reset(): void {
    super.reset();
    this.functionRows.clear();
  }
}
