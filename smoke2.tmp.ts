import { VirtualClock } from './src/core/clock.ts';
import { startSandbox } from './src/sandbox/index.ts';
import { AcumaticaClient } from './src/systems/acumatica/client.ts';
import { AcumaticaAdmin } from './src/sandbox/acumatica/admin-client.ts';
const clock = new VirtualClock();
const sb = await startSandbox({ port: 0, seed: 1, size: 'small', clock });
const conn = sb.systems.acumatica;
const client = new AcumaticaClient({ connection: conn, clock });
const admin = new AcumaticaAdmin(`${sb.adminUrl}/acumatica`);
const c = await client.createCustomer({ CustomerName: 'Acme Widgets', CustomerID: 'acme', MainContact: { Email: 'ap@acme.example', WebSite: 'https://acme.example' } });
console.log('created', c.CustomerID, c.id, c.LastModifiedDateTime, JSON.stringify(c.MainContact));
const ct = await client.createContact({ BusinessAccount: 'ACME', FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@acme.example' });
console.log('contact', ct.ContactID, ct.DisplayName, ct.CompanyName);
try { await client.createContact({ BusinessAccount: 'NOPE', LastName: 'X', Email: 'bad' }); } catch (e) { console.log('422', (e as any).kind, (e as any).code, (e as any).message, JSON.stringify((e as any).details)); }
try { await client.getCustomer('NOPE'); } catch (e) { console.log('404', (e as any).kind, (e as any).code, (e as any).message); }
const inv = await client.getInvoice('Invoice', 'AR0000003');
console.log('inv', inv.Status, inv.Amount, inv.Balance, inv.Details?.length);
const open = [];
for await (const r of client.invoicesModifiedSince()) if (r.record.Status === 'Open') open.push(r.id);
console.log('open', open.slice(0,3));
const pay = await admin.payInvoice(open[0]!, 10);
console.log('partial', JSON.stringify(pay.invoice.body).slice(0,300));
const [t, n] = open[0]!.split('/');
const after = await client.getInvoice(t!, n!); console.log(after.Status, after.Balance, after.PaymentTotal);
const full = await admin.payInvoice(open[0]!); const after2 = await client.getInvoice(t!, n!); console.log(after2.Status, after2.Balance);
// select + filter raw
const token = (await client.credentials.authorize()).authorization;
const u = new URL(`${conn.baseUrl}/entity/Default/24.200.001/Customer`);
u.searchParams.set('$filter', "CustomerID eq 'ACME' or startswith(CustomerName,'Cassin')"); u.searchParams.set('$select', 'CustomerName,MainContact/Email'); u.searchParams.set('$expand', 'MainContact');
const r = await fetch(u, { headers: { authorization: token! } }); console.log(r.status, await r.text());
const r404 = await fetch(`${conn.baseUrl}/entity/Default/23.200.001/Customer`, { headers: { authorization: token! } }); console.log('ep404', r404.status, JSON.stringify(await r404.text()));
await admin.upgrade('25.200.001');
try { await client.getCustomer('ACME'); } catch (e) { console.log('upgraded', (e as any).kind, (e as any).code, (e as any).message); }
console.log(JSON.stringify(sb.acumatica.counters.snapshot().byStatus));
await sb.close();
