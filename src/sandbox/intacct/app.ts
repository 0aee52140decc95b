/**
 * The Intacct sandbox assembled: one Hono app playing the XML gateway for
 * one company, at the login endpoint `/ia/xml/xmlgw.phtml` and at the pod
 * endpoint `/na12/ia/xml/xmlgw.phtml` that getAPISession names, plus its
 * admin app. Mounted at `/intacct` by the sandbox server, so the login
 * endpoint is `<server>/intacct/ia/xml/xmlgw.phtml`.
 *
 * Order of the middleware: the request counter is outermost (it sees
 * injected faults); every answer carries the sandbox clock's `Date`; faults
 * come before the gateway (an injected failure takes no concurrency slot).
 */
import { Hono, type Context } from 'hono';
import type { Clock } from '../../core/clock.ts';
import { ERROR_NUMBERS } from '../../systems/intacct/schemas.ts';
import { FaultInjector, injectFaults, type FaultSettingsInput } from '../common/faults.ts';
import { countRequests } from '../common/request-counter.ts';
import { SeededRandom, type Seed } from '../common/seeded-random.ts';
import { createIntacctAdmin } from './admin.ts';
import { DEFAULT_SETTINGS, LOGIN_PATH, POD_PATH, type IntacctCredentials, type IntacctSettings } from './context.ts';
import { IntacctData, type SeedSize } from './data.ts';
import { controlFailureXml, EMPTY_ECHO } from './envelope.ts';
import { ControlFailure, errorEntry } from './errors.ts';
import { IntacctRequestCounter } from './function-counter.ts';
import { FunctionRunner } from './functions.ts';
import { ExecutedFunctions, Gateway, sendXml, tooManyRequestsXml } from './gateway.ts';
import { GatewayLimiter } from './gateway-limits.ts';
import { ResultSetRegistry } from './result-sets.ts';
import { SessionRegistry } from './sessions.ts';
import { RecordWriter } from './writes.ts';

export interface IntacctSandboxOptions {
  clock: Clock;
  seed: Seed;
  size: SeedSize;
  /** Company settings (defaults: 2-hour sessions, 2 requests in flight, no latency). */
  settings?: Partial<IntacctSettings>;
  faults?: FaultSettingsInput;
}

/** What `connections add intacct --config` takes (SPEC §7): the login endpoint, the sender and the API user. */
export type IntacctConnectionConfig = {
  endpointUrl: string;
  senderId: string;
  senderPassword: string;
  companyId: string;
  userId: string;
  userPassword: string;
};

export interface IntacctSandbox {
  app: Hono;
  admin: Hono;
  data: IntacctData;
  settings: IntacctSettings;
  credentials: IntacctCredentials;
  clock: Clock;
  sessions: SessionRegistry;
  limiter: GatewayLimiter;
  faults: FaultInjector;
  counters: IntacctRequestCounter;
  /** Where the app is served from (`<server>/intacct`), once the server listens. */
  setPublicUrl(url: string): void;
  /** The connection config of the sandbox's sender and user; needs the public URL. */
  connection(): IntacctConnectionConfig;
  close(): void;
}

const DEFAULT_MOUNT = '/intacct';

function secret(random: SeededRandom, length: number): string {
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  let out = '';
  for (let i = 0; i < length; i++) out += letters[random.int(0, letters.length - 1)];
  return out;
}

export function createIntacctSandbox(options: IntacctSandboxOptions): IntacctSandbox {
  const { clock } = options;
  const random = new SeededRandom(`intacct/${options.seed}`);
  let publicUrl: string | undefined;
  const rootOf = (c?: Context) => publicUrl ?? (c ? `${new URL(c.req.url).origin}${DEFAULT_MOUNT}` : DEFAULT_MOUNT);

  const credentialRandom = random.fork('credentials');
  const credentials: IntacctCredentials = {
    senderId: 'ml-connector-sandbox',
    senderPassword: secret(credentialRandom, 16),
    companyId: `sandbox-${credentialRandom.int(10_000, 99_999)}`,
    userId: 'xml_gateway',
    // A password with an `&` checks that clients escape what they send.
    userPassword: `${secret(credentialRandom, 10)}&${secret(credentialRandom, 5)}`,
  };
  const initial: IntacctSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const settings: IntacctSettings = { ...initial };

  const data = new IntacctData({ clock, seed: options.seed, size: options.size });
  const writer = new RecordWriter(data);
  const sessions = new SessionRegistry(clock, random.fork('sessions'), () => settings.sessionDurationMs);
  const resultSets = new ResultSetRegistry(clock, random.fork('results'), () => settings.resultIdIdleMs);
  const limiter = new GatewayLimiter(() => settings.concurrencyLimit);
  const faults = new FaultInjector(options.faults ?? {});
  const counters = new IntacctRequestCounter();
  const executed = new ExecutedFunctions();
  let lastRoot: string | undefined;
  const runner = new FunctionRunner({
    data,
    writer,
    sessions,
    resultSets,
    sessionEndpoint: { path: POD_PATH, url: () => `${publicUrl ?? lastRoot ?? DEFAULT_MOUNT}${POD_PATH}` },
  });
  const gateway = new Gateway({ clock, settings, credentials, data, sessions, runner, limiter, counters, executed });

  const app = new Hono();
  app.use('*', countRequests(counters));
  app.use('*', async (c, next) => {
    lastRoot = rootOf(c);
    c.header('Date', new Date(clock.now()).toUTCString());
    await next();
  });
  for (const path of [LOGIN_PATH, POD_PATH]) {
    app.use(
      path,
      injectFaults(faults, clock, {
        tooManyRequests: (c) => sendXml(c, 429, tooManyRequestsXml()),
        serverError: (c, status) => c.text(`Injected fault: HTTP ${status}`, status as 500),
      }),
    );
    app.all(path, gateway.handler(path));
  }
  app.notFound((c) => c.text(`No Intacct sandbox route ${c.req.method} ${c.req.path}`, 404));
  app.onError((error, c) => {
    console.error('Intacct sandbox error:', error instanceof Error ? error.message : String(error));
    return sendXml(c, 500, controlFailureXml(EMPTY_ECHO, new ControlFailure([errorEntry(ERROR_NUMBERS.invalidRequest, 'Internal error', 'The sandbox could not process the request.')], 500)));
  });

  const admin = createIntacctAdmin({
    clock,
    data,
    writer,
    settings,
    sessions,
    resultSets,
    limiter,
    faults,
    counters,
    executed,
    restoreSettings: () => Object.assign(settings, initial),
  });

  return {
    app,
    admin,
    data,
    settings,
    credentials,
    clock,
    sessions,
    limiter,
    faults,
    counters,
    setPublicUrl(url) {
      publicUrl = url.replace(/\/+$/, '');
    },
    connection() {
      if (publicUrl === undefined) throw new Error('The Intacct sandbox has no public URL yet (setPublicUrl)');
      return { endpointUrl: `${publicUrl}${LOGIN_PATH}`, ...credentials };
    },
    close() {},
  };
}
