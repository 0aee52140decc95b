/**
 * Zoho's data centres (reference/zohobooks.md §1). An organization lives in
 * one; its API host is named by the token response's `api_domain`, and the
 * consent redirect's `location` says which one (§2, [MDC]).
 */

export const ZOHO_DATA_CENTRES = ['us', 'eu', 'in', 'au', 'jp', 'ca', 'cn', 'sa'] as const;
export type ZohoDataCentre = (typeof ZOHO_DATA_CENTRES)[number];

/** The real hosts, for documentation and for operators typing an accounts URL. */
export const ZOHO_DATA_CENTRE_HOSTS: Record<ZohoDataCentre, { accounts: string; api: string }> = {
  us: { accounts: 'https://accounts.zoho.com', api: 'https://www.zohoapis.com' },
  eu: { accounts: 'https://accounts.zoho.eu', api: 'https://www.zohoapis.eu' },
  in: { accounts: 'https://accounts.zoho.in', api: 'https://www.zohoapis.in' },
  au: { accounts: 'https://accounts.zoho.com.au', api: 'https://www.zohoapis.com.au' },
  jp: { accounts: 'https://accounts.zoho.jp', api: 'https://www.zohoapis.jp' },
  ca: { accounts: 'https://accounts.zohocloud.ca', api: 'https://www.zohoapis.ca' },
  cn: { accounts: 'https://accounts.zoho.com.cn', api: 'https://www.zohoapis.com.cn' },
  sa: { accounts: 'https://accounts.zoho.sa', api: 'https://www.zohoapis.sa' },
};

/** §1: API calls go to `<api_domain>/books/v3`. */
export const BOOKS_API_PATH = '/books/v3';
