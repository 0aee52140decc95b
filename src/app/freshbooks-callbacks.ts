/**
 * Registers the FreshBooks callbacks the flow needs (reference/freshbooks.md
 * §8): create and update of clients, invoices and payments, pointed at this
 * server's receiver for the connection. FreshBooks then sends each new
 * callback a verification message; the receiver answers it
 * (src/server/freshbooks-webhooks.ts). Callbacks already registered for the
 * same URI are left as they are; an unverified one is asked to send its
 * verification again.
 */
import { FreshBooksClient } from '../systems/freshbooks/client.ts';
import { FreshBooksConnectionSchema } from '../systems/freshbooks/connection.ts';
import type { Callback } from '../systems/freshbooks/schemas.ts';
import { parseSystemConfig } from '../systems/registry.ts';
import { ConnectorError } from '../core/errors.ts';
import type { Installation } from './installation.ts';

export const FRESHBOOKS_CALLBACK_EVENTS = ['client.create', 'client.update', 'invoice.create', 'invoice.update', 'payment.create', 'payment.update'] as const;

export const freshbooksReceiverUrl = (publicUrl: string, connectionId: string) => `${publicUrl.replace(/\/+$/, '')}/webhooks/freshbooks/${connectionId}`;

export interface CallbackRegistration {
  uri: string;
  registered: Callback[];
  existing: Callback[];
}

export async function registerFreshBooksCallbacks(installation: Installation, connectionName: string, publicUrl: string): Promise<CallbackRegistration> {
  const { connections, clock } = installation;
  const connection = await connections.get(connectionName);
  if (connection.system !== 'freshbooks') {
    throw new ConnectorError({ kind: 'config', code: 'config.wrong_connection', message: `"${connection.name}" is a ${connection.system} connection; callbacks are registered for FreshBooks connections` });
  }
  const config = FreshBooksConnectionSchema.parse(parseSystemConfig('freshbooks', await connections.getConfig(connection.id)));
  const client = new FreshBooksClient({
    connection: config,
    clock,
    lane: 'interactive',
    // reference/freshbooks.md §2: refresh tokens are single-use; merged with what is stored now.
    onRotate: async ({ refreshToken }) => {
      await connections.updateConfig(connection.id, { ...(await connections.getConfig(connection.id)), refreshToken }, { keepStatus: true });
    },
  });
  const uri = freshbooksReceiverUrl(publicUrl, connection.id);
  const mine = (await client.listCallbacks()).filter((callback) => callback.uri === uri);
  const registered: Callback[] = [];
  for (const event of FRESHBOOKS_CALLBACK_EVENTS) {
    const found = mine.find((callback) => callback.event === event);
    if (!found) registered.push(await client.registerCallback({ event, uri }));
    else if (!found.verified) await client.resendVerification(found.callbackid);
  }
  return { uri, registered, existing: mine };
}
