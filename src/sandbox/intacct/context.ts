/**
 * What the parts of the Intacct sandbox share: the company's settings
 * (changeable through the admin surface) and its credentials (never shown
 * by the admin surface), and the gateway's paths.
 */
import { DEFAULT_SESSION_DURATION_MS, GATEWAY_PATH, RESULT_ID_IDLE_LIFETIME_MS } from '../../systems/intacct/schemas.ts';

/** The login endpoint, under the sandbox's mount (`<server>/intacct/ia/xml/xmlgw.phtml`). */
export const LOGIN_PATH = GATEWAY_PATH;
/** §4: the endpoint getAPISession names, standing for the company's pod (`na12` in the reference's example). */
export const POD_PATH = `/na12${GATEWAY_PATH}`;

export interface IntacctSettings {
  /** §4: a session's lifetime, slid forward by every call made with it (2 hours by default). */
  sessionDurationMs: number;
  /** §5.1: how long a readByQuery resultId lives without a readMore (1 hour, UNCERTAIN). */
  resultIdIdleMs: number;
  /** §8: requests in flight per company before HTTP 429 / GW-0010 (2, UNCERTAIN). */
  concurrencyLimit: number;
  /** Real milliseconds each admitted request takes before it is answered (0), so that requests overlap. */
  latencyMs: number;
  /** Largest request body accepted (4 MB). */
  maxRequestBytes: number;
  /** Whether the sender is authorized for the company (§2: Web Services authorizations); false → XL03000006. */
  senderAuthorized: boolean;
  /** The next this-many requests fail at control level with GW-0011 (an injected gateway error). */
  gatewayErrorCount: number;
}

export const DEFAULT_SETTINGS: IntacctSettings = {
  sessionDurationMs: DEFAULT_SESSION_DURATION_MS,
  resultIdIdleMs: RESULT_ID_IDLE_LIFETIME_MS,
  concurrencyLimit: 2,
  latencyMs: 0,
  maxRequestBytes: 4 * 1024 * 1024,
  senderAuthorized: true,
  gatewayErrorCount: 0,
};

/** The Web Services sender and the company's API user (SPEC names: what `systems.intacct` prints). */
export interface IntacctCredentials {
  senderId: string;
  senderPassword: string;
  companyId: string;
  userId: string;
  userPassword: string;
}
