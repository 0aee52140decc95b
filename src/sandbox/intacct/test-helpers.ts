/**
 * For the Intacct sandbox's tests: a sandbox on port 0 with a VirtualClock,
 * and requests built and answers parsed by systems/intacct/xml.ts, as any
 * client of the gateway would send and read them over real HTTP.
 */
import { VirtualClock } from '../../core/clock.ts';
import { asArray, buildXml, parseXml } from '../../systems/intacct/xml.ts';
import { startSandbox, type RunningSandbox, type StartSandboxOptions } from '../index.ts';
import { IntacctAdmin } from './admin-client.ts';

export type Tree = Record<string, unknown>;

export interface FunctionSpec {
  controlid: string;
  /** `{ readByQuery: { object: 'VENDOR', … } }`: one function element. */
  body: Tree;
}

export interface RequestOptions {
  /** Default: login with the sandbox's user. */
  sessionId?: string;
  /** Default: the login endpoint. */
  url?: string;
  uniqueid?: boolean | 'omit';
  transaction?: boolean;
  control?: Partial<Record<'senderid' | 'password' | 'controlid' | 'dtdversion', string>>;
  login?: Partial<Record<'userid' | 'companyid' | 'password' | 'locationid', string>>;
}

export interface Answer {
  status: number;
  text: string;
  /** The parsed `<response>`. */
  response: Tree;
}

/** One `<result>` as parsed, with its data rows normalised to an array. */
export interface ResultView {
  status: string;
  function: string;
  controlid: string;
  data: Tree | undefined;
  errors: Tree[];
}

export interface IntacctFixture {
  sandbox: RunningSandbox;
  clock: VirtualClock;
  admin: IntacctAdmin;
  /** The request document, as text. */
  envelope(functions: FunctionSpec[], options?: RequestOptions): string;
  post(body: string, init?: { url?: string; contentType?: string }): Promise<Answer>;
  call(functions: FunctionSpec[], options?: RequestOptions): Promise<Answer>;
  /** A new session id and its endpoint (getAPISession with login). */
  openSession(): Promise<{ sessionId: string; endpoint: string }>;
  close(): Promise<void>;
}

export async function startIntacctFixture(options: StartSandboxOptions = {}): Promise<IntacctFixture> {
  const clock = new VirtualClock(Date.UTC(2026, 2, 1, 12));
  const sandbox = await startSandbox({ port: 0, seed: 7, size: 'small', clock, ...options });
  const config = sandbox.systems.intacct;
  let counter = 0;
  const fixture: IntacctFixture = {
    sandbox,
    clock,
    admin: new IntacctAdmin(`${sandbox.adminUrl}/intacct`),
    envelope(functions, opts = {}) {
      const uniqueid = opts.uniqueid ?? false;
      const authentication = opts.sessionId
        ? { sessionid: opts.sessionId }
        : { login: { userid: config.userId, companyid: config.companyId, password: config.userPassword, ...opts.login } };
      return buildXml({
        request: {
          control: {
            senderid: config.senderId,
            password: config.senderPassword,
            controlid: `request-${++counter}`,
            ...(uniqueid === 'omit' ? {} : { uniqueid: String(uniqueid) }),
            dtdversion: '3.0',
            ...opts.control,
          },
          operation: {
            '@_transaction': String(opts.transaction ?? false),
            authentication,
            content: { function: functions.map((f) => ({ '@_controlid': f.controlid, ...f.body })) },
          },
        },
      });
    },
    async post(body, init = {}) {
      const response = await fetch(init.url ?? config.endpointUrl, { method: 'POST', body, headers: { 'content-type': init.contentType ?? 'application/xml' } });
      const text = await response.text();
      let parsed: Tree;
      try {
        parsed = (parseXml(text)['response'] as Tree | undefined) ?? {};
      } catch {
        parsed = {};
      }
      return { status: response.status, text, response: parsed };
    },
    call(functions, opts = {}) {
      return fixture.post(fixture.envelope(functions, opts), { url: opts.url ?? config.endpointUrl });
    },
    async openSession() {
      const answer = await fixture.call([{ controlid: 'session', body: { getAPISession: '' } }]);
      const api = (results(answer)[0]!.data as { api: { sessionid: string; endpoint: string } }).api;
      return { sessionId: api.sessionid, endpoint: api.endpoint };
    },
    close: () => sandbox.close(),
  };
  return fixture;
}

export function control(answer: Answer): Tree {
  return answer.response['control'] as Tree;
}

export function authentication(answer: Answer): Tree {
  return (answer.response['operation'] as Tree)['authentication'] as Tree;
}

/** The errors of a control failure (top level) or an authentication failure (in operation). */
export function envelopeErrors(answer: Answer): Tree[] {
  const operation = answer.response['operation'] as Tree | undefined;
  const holder = (operation?.['errormessage'] ?? answer.response['errormessage']) as Tree | undefined;
  return asArray(holder?.['error'] as Tree | Tree[] | undefined);
}

export function results(answer: Answer): ResultView[] {
  const operation = answer.response['operation'] as Tree | undefined;
  return asArray(operation?.['result'] as Tree | Tree[] | undefined).map((result) => ({
    status: String(result['status']),
    function: String(result['function']),
    controlid: String(result['controlid']),
    data: (result['data'] === '' ? {} : result['data']) as Tree | undefined,
    errors: asArray(((result['errormessage'] as Tree | undefined)?.['error'] ?? undefined) as Tree | Tree[] | undefined),
  }));
}

/** The only result, which must be a success. */
export function success(answer: Answer): ResultView {
  const all = results(answer);
  if (all.length !== 1 || all[0]!.status !== 'success') throw new Error(`expected one successful result, got: ${answer.text.slice(0, 2_000)}`);
  return all[0]!;
}

/** The records of a result's data under `element`, always as an array. */
export function rows(result: ResultView, element: string): Tree[] {
  return asArray(result.data?.[element] as Tree | Tree[] | undefined);
}
