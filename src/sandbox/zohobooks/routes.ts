/**
 * The Books API's routes, registered once per data centre under
 * `/api/<dc>/books/v3` so that each region is its own API host (reference
 * §1) and request counts tell the regions apart.
 */
import type { Hono } from 'hono';
import { ZOHO_DATA_CENTRES, BOOKS_API_PATH } from '../../systems/zohobooks/data-centres.ts';
import type { Organization } from '../../systems/zohobooks/schemas.ts';
import { formatZohoDate } from '../../systems/zohobooks/timestamps.ts';
import { registerContactRoutes } from './contact-routes.ts';
import type { ZohoBooksData } from './data.ts';
import { doesNotExist, sendJson } from './errors.ts';
import { registerInvoiceRoutes } from './invoice-routes.ts';
import { registerPaymentRoutes } from './payment-routes.ts';

export function apiPrefix(dataCentre: string): string {
  return `/api/${dataCentre}${BOOKS_API_PATH}`;
}

/** §3: the organization as `GET /organizations` shows it. */
export function renderOrganization(data: ZohoBooksData, createdMs: number): Organization {
  const settings = data.settings;
  const currency = data.seed.currency(settings.currencyCode) ?? data.seed.currencies[0]!;
  return {
    organization_id: settings.organizationId,
    name: settings.name,
    contact_name: 'Sandbox Owner',
    email: 'owner@sandbox.example',
    is_default_org: true,
    language_code: 'en',
    fiscal_year_start_month: 0,
    account_created_date: formatZohoDate(createdMs, settings.utcOffsetMinutes),
    time_zone: settings.timeZone,
    is_org_active: true,
    currency_id: currency.id,
    currency_code: currency.code,
    currency_symbol: currency.symbol,
    currency_format: '###,##0.00',
    price_precision: 2,
  };
}

export function registerBooksRoutes(app: Hono, data: ZohoBooksData, organizationCreatedMs: number): void {
  for (const dc of ZOHO_DATA_CENTRES) {
    const base = apiPrefix(dc);
    app.get(`${base}/organizations`, (c) =>
      sendJson(c, 200, { code: 0, message: 'success', organizations: [renderOrganization(data, organizationCreatedMs)] }),
    );
    app.get(`${base}/organizations/:organization_id{[0-9]+}`, (c) => {
      if (c.req.param('organization_id') !== data.settings.organizationId) throw doesNotExist('Organization');
      return sendJson(c, 200, { code: 0, message: 'success', organization: renderOrganization(data, organizationCreatedMs) });
    });
    // Contact persons' fixed paths come before `/contacts/:contact_id` (§6.2).
    registerContactRoutes(app, base, data);
    registerInvoiceRoutes(app, base, data);
    registerPaymentRoutes(app, base, data);
  }
}
