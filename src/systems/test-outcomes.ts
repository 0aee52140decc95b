/**
 * What the system clients' tests ask of a call: the `ConnectorError` it
 * fails with, or every item an async iterable yields.
 */
import assert from 'node:assert/strict';
import { isConnectorError, type ConnectorError } from '../core/errors.ts';

/** The ConnectorError `promise` rejects with; fails the test if it resolves or throws anything else. */
export async function rejection(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isConnectorError(error), `expected a ConnectorError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

/** Every item of `iterable`, in order; `onEach` runs before an item is kept (to change data mid-read). */
export async function drain<T>(iterable: AsyncIterable<T>, onEach?: (item: T, index: number) => Promise<void> | void): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) {
    await onEach?.(item, items.length);
    items.push(item);
  }
  return items;
}
