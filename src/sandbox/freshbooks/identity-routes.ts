/**
 * Who the token's user is (reference/freshbooks.md §3: `GET
 * /auth/api/v1/users/me`, `{"response": {...}}` without a `result` level)
 * and the business-scoped API under `/accounting/businesses/<business_uuid>`
 * (§6: the chart of accounts, in `{"data": …}`, and its report in
 * `response.result`).
 */
import type { Hono } from 'hono';
import type { Identity } from '../../systems/freshbooks/schemas.ts';
import type { FreshBooksEnv } from './context.ts';
import type { BusinessData } from './data.ts';
import { FreshBooksApiError, sendJson } from './errors.ts';
import { ERRNO } from '../../systems/freshbooks/error-codes.ts';
import { round2 } from './seed.ts';

export interface SandboxUser {
  userId: number;
  firstName: string;
  lastName: string;
  email: string;
}

/** §3's shape, with the sandbox's businesses as the user's memberships. */
export function renderIdentity(user: SandboxUser, businesses: readonly BusinessData[], createdMs: number): Identity {
  const created = new Date(createdMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    id: user.userId,
    first_name: user.firstName,
    last_name: user.lastName,
    email: user.email,
    language: 'en',
    created_at: created,
    phone_numbers: [{ title: '', phone_number: null }],
    addresses: [null],
    profession: { id: user.userId + 417_000, business_id: businesses[0]!.business.id, title: 'Owner', company: businesses[0]!.business.name, designation: null },
    links: { me: `/service/auth/api/v1/users?id=${user.userId}`, roles: `/service/auth/api/v1/users/role/${user.userId}` },
    permissions: Object.fromEntries(businesses.map((b) => [b.accountId, { 'advanced_accounting.access': true, 'client.limit': -1 }])),
    groups: businesses.map((b) => ({ id: b.business.membershipId, group_id: b.business.membershipId - 1_000_000, role: 'owner', identity_id: user.userId, business_id: b.business.id, active: true })),
    subscription_statuses: Object.fromEntries(businesses.map((b) => [b.accountId, 'active'])),
    business_memberships: businesses.map((b) => ({
      id: b.business.membershipId,
      role: 'owner',
      unacknowledged_change: false,
      business: {
        id: b.business.id,
        business_uuid: b.business.businessUuid,
        name: b.business.name,
        account_id: b.accountId,
        timezone: b.business.timezone,
        date_format: 'mm/dd/yyyy',
        address: { id: b.business.id + 1_000_000, street: '20 Sandbox St.', city: 'New York', province: 'New York', country: 'United States', postal_code: '10001' },
        phone_number: { id: b.business.id + 2_000_000, phone_number: '2125550100' },
        business_clients: [],
      },
    })),
    roles: businesses.map((b) => ({
      id: b.business.membershipId + 5,
      role: 'admin',
      systemid: b.business.id + 3_000_000,
      userid: 1,
      created_at: created,
      links: { destroy: `/service/auth/api/v1/users/role/${b.business.membershipId + 5}` },
      accountid: b.accountId,
    })),
    identity_origin: 'magnum',
  };
}

export function registerIdentityRoutes(
  app: Hono<FreshBooksEnv>,
  prefix: string,
  parts: { user: SandboxUser; businesses: () => readonly BusinessData[]; createdMs: number },
): void {
  app.get(`${prefix}/auth/api/v1/users/me`, (c) => sendJson(c, 200, { response: renderIdentity(parts.user, parts.businesses(), parts.createdMs) }));

  const ledger = `${prefix}/accounting/businesses/:businessUuid/ledger_accounts/accounts`;
  app.get(ledger, (c) => {
    const data = c.get('business');
    return sendJson(c, 200, { data: data.ledger.map((account) => data.renderLedgerAccount(account)) });
  });
  app.get(`${ledger}/:accountUuid`, (c) => {
    const data = c.get('business');
    const account = data.ledger.find((a) => a.uuid === c.req.param('accountUuid'));
    if (!account) throw new FreshBooksApiError(404, ERRNO.notFound, 'Account not found.', { object: 'account', field: 'account_uuid', value: c.req.param('accountUuid') });
    return sendJson(c, 200, { data: data.renderLedgerAccount(account) });
  });

  // §6: the chart-of-accounts report; balances come from what the data plane knows (receivables and sales).
  app.get(`${prefix}/accounting/businesses/:businessUuid/reports/chart_of_accounts`, (c) => {
    const data = c.get('business');
    const currency = c.req.query('currency_code') ?? 'USD';
    let receivable = 0;
    let sales = 0;
    if (data.invoices.size <= 50_000) {
      for (const invoice of data.invoices.all()) {
        if (invoice.body.vis_state === 1 || invoice.body.currency_code !== currency) continue;
        const { amount } = data.invoiceTotals(invoice.body);
        sales += amount;
        receivable += Math.max(0, amount - invoice.body.paid);
      }
    }
    const balances: Record<string, number> = { 'Accounts Receivable': receivable, Sales: sales, Cash: sales - receivable };
    return sendJson(c, 200, {
      response: {
        result: {
          journal_entry_accounts: data.ledger.map((account) => {
            const rendered = data.renderLedgerAccount(account);
            return {
              account_name: rendered.name,
              account_number: rendered.number,
              account_type: rendered.type,
              account_sub_type: rendered.sub_type,
              account_uuid: rendered.uuid,
              balance: round2(balances[account.systemAccountName ?? ''] ?? 0).toFixed(2),
              currency_code: currency,
              system_account_name: rendered.system_account_name,
              auto_created: rendered.auto_created,
              state: rendered.state,
              sub_accounts: rendered.sub_accounts,
            };
          }),
        },
      },
    });
  });
}
