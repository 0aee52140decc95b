/**
 * The read tools of Zoho Books, Acumatica, Sage Intacct and FreshBooks,
 * each on the system's own client in the interactive lane. Clients whose
 * refresh tokens rotate (Acumatica, FreshBooks) store the new one at once.
 */
import { z } from 'zod';
import { AcumaticaClient } from '../../systems/acumatica/client.ts';
import { AcumaticaConnectionSchema } from '../../systems/acumatica/connection.ts';
import { FreshBooksClient } from '../../systems/freshbooks/client.ts';
import { FreshBooksConnectionSchema } from '../../systems/freshbooks/connection.ts';
import { IntacctClient } from '../../systems/intacct/client.ts';
import { IntacctConnectionSchema } from '../../systems/intacct/connection.ts';
import { ApBill, Vendor } from '../../systems/intacct/schemas.ts';
import { ZohoBooksClient } from '../../systems/zohobooks/client.ts';
import { ZohoBooksConnectionSchema } from '../../systems/zohobooks/connection.ts';
import type { ToolClientOptions } from '../system-tools.ts';
import { onlyOne, readSystemTools } from './read-tools.ts';

const digits = (what: string) => z.string().regex(/^\d+$/, `${what} is a string of digits`).describe(what);

/**
 * A tool call's client options where refresh tokens rotate (Acumatica, reference/acumatica.md §6a;
 * FreshBooks, single-use, reference/freshbooks.md §2): the new one is stored at once.
 */
function rotatingClientOptions<Connection>(connection: Connection, options: ToolClientOptions) {
  return {
    connection,
    clock: options.clock,
    lane: 'interactive' as const,
    onAttempt: options.onAttempt,
    onRotate: ({ refreshToken }: { refreshToken: string }) => options.saveConfig({ refreshToken }),
  };
}

async function* records<T>(items: AsyncIterable<{ record: T }>): AsyncGenerator<T> {
  for await (const item of items) yield item.record;
}

export const zohoBooksTools = readSystemTools<ZohoBooksClient>({
  system: 'zohobooks',
  toolName: 'zoho_books',
  displayName: 'Zoho Books',
  resources: [
    {
      plural: 'customers',
      singular: 'customer',
      label: 'customer',
      list: (client) => records(client.contactsModifiedSince(undefined, { contactType: 'customer' })),
      get: (client, id) => client.getContact(id),
      id: digits('The Zoho Books contact_id of the customer.'),
      notes: 'Customers are Zoho Books contacts of type customer; the full read includes their contact persons.',
    },
    {
      plural: 'invoices',
      singular: 'invoice',
      label: 'invoice',
      list: (client) => records(client.invoicesModifiedSince()),
      get: (client, id) => client.getInvoice(id),
      id: digits('The Zoho Books invoice_id.'),
      notes: 'Listed invoices are summaries, oldest change first; the full read has the line items.',
    },
  ],
  client(config, options) {
    const connection = ZohoBooksConnectionSchema.parse(config);
    return new ZohoBooksClient({
      connection,
      clock: options.clock,
      lane: 'interactive',
      onAttempt: options.onAttempt,
      ...(connection.plan ? { plan: connection.plan } : {}),
      ...(connection.dailyLimit ? { dailyLimit: connection.dailyLimit } : {}),
      ...(connection.perMinuteLimit ? { perMinuteLimit: connection.perMinuteLimit } : {}),
    });
  },
  http: () => undefined,
});

export const acumaticaTools = readSystemTools<AcumaticaClient>({
  system: 'acumatica',
  toolName: 'acumatica',
  displayName: 'Acumatica',
  resources: [
    {
      plural: 'customers',
      singular: 'customer',
      label: 'customer',
      list: (client) => client.listCustomers({ pageSize: 100 }),
      get: (client, id) => client.getCustomer(id),
      id: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a CustomerID such as C0000001').describe('The Acumatica CustomerID, e.g. "C0000001".'),
      notes: 'Customers come with their main contact and addresses.',
    },
    {
      plural: 'invoices',
      singular: 'invoice',
      label: 'AR invoice',
      list: (client) => records(client.invoicesModifiedSince()),
      get: (client, id) => {
        const [type, reference] = id.includes('/') ? id.split('/', 2) : ['Invoice', id];
        return client.getInvoice(type!, reference!);
      },
      id: z.string().regex(/^([A-Za-z ]+\/)?[A-Za-z0-9-]+$/, 'a reference number such as AR0000001, or type/reference such as Invoice/AR0000001').describe('The invoice\'s reference number (e.g. "AR0000001"), or type and reference ("Credit Memo/AR0000007").'),
      notes: 'Sales invoices (AR) with their lines, oldest change first.',
    },
  ],
  client: (config, options) => new AcumaticaClient(rotatingClientOptions(AcumaticaConnectionSchema.parse(config), options)),
  http: (client) => client.http,
});

export const freshBooksTools = readSystemTools<FreshBooksClient>({
  system: 'freshbooks',
  toolName: 'fresh_books',
  displayName: 'FreshBooks',
  resources: [
    {
      plural: 'clients',
      singular: 'client',
      label: 'client',
      list: (client) => records(client.listClients()),
      get: (client, id) => client.getClient(id),
      id: digits('The FreshBooks client id.'),
      notes: 'A client with an organization is a business; without one, a person.',
    },
    {
      plural: 'invoices',
      singular: 'invoice',
      label: 'invoice',
      list: (client) => records(client.listInvoices()),
      get: (client, id) => client.getInvoice(id),
      id: digits('The FreshBooks invoice id.'),
      notes: 'Invoices come with their lines; amounts are objects with amount and code (currency).',
    },
  ],
  client: (config, options) => new FreshBooksClient(rotatingClientOptions(FreshBooksConnectionSchema.parse(config), options)),
  http: (client) => client.http,
});

export const intacctTools = readSystemTools<IntacctClient>({
  system: 'intacct',
  toolName: 'sage_intacct',
  displayName: 'Sage Intacct',
  resources: [
    {
      plural: 'vendors',
      singular: 'vendor',
      label: 'vendor',
      list: (client) => client.readByQuery('VENDOR', Vendor, { pageSize: 100 }),
      get: async (client, id) => onlyOne(await client.readByName('VENDOR', Vendor, [id]), `Sage Intacct vendor "${id}"`),
      id: z.string().min(1).describe('The VENDORID, e.g. "V-00012".'),
      notes: 'Vendors with their display contact.',
    },
    {
      plural: 'bills',
      singular: 'bill',
      label: 'AP bill',
      list: (client) => client.readByQuery('APBILL', ApBill, { pageSize: 100 }),
      get: async (client, id) => onlyOne(await client.read('APBILL', ApBill, [id]), `Sage Intacct bill ${id}`),
      id: z.string().regex(/^\d+$/, 'a RECORDNO is a string of digits').describe('The bill\'s RECORDNO.'),
      notes: 'AP bills: vendor, dates (mm/dd/yyyy), totals and state.',
    },
  ],
  client(config, options) {
    return new IntacctClient({ connection: IntacctConnectionSchema.parse(config), clock: options.clock, lane: 'interactive', onAttempt: options.onAttempt });
  },
  http: () => undefined,
});
