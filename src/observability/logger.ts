/**
 * The one logger: JSON lines (pino) with `time`, `level`, `msg` or `event`,
 * and fields. Secrets never reach a line, in two layers:
 * - any field named like a secret (`password`, `accessToken`,
 *   `authorization`, `code`, `state`, …), at any depth, becomes "[redacted]";
 * - a safety net on every string (fields and the message): bearer tokens,
 *   our API keys (`mlc_…`), vault envelopes, HubSpot private-app tokens,
 *   JWTs and secret query parameters are masked where they appear.
 *
 * pino's own `redact` takes fixed paths (`a.b`, `*.b`: one level of
 * wildcard), which cannot say "at any depth", so the walk is done here in
 * its `formatters.log` hook, which sees every logged object first.
 */
import { pino, stdTimeFunctions, type DestinationStream, type Level, type Logger } from 'pino';

export type { Logger } from 'pino';

export const REDACTED = '[redacted]';

export interface CreateLoggerOptions {
  /** Lowest level written; default `info`. */
  level?: Level | 'silent';
  /** Where lines go; default stdout. */
  destination?: DestinationStream;
  /** Fields on every line (e.g. `{ service: 'worker' }`). */
  base?: Record<string, unknown>;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: redactFields({ pid: process.pid, ...options.base }) as Record<string, unknown>,
      timestamp: stdTimeFunctions.isoTime,
      // Errors are turned into fields by `redactFields` (masked); pino's own serializer would undo that.
      serializers: { err: (value: unknown) => value },
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redactFields(bindings) as Record<string, unknown>,
        log: (object) => redactFields(object) as Record<string, unknown>,
      },
      hooks: {
        // The message is not a field: it gets the same safety net here. A lone Error becomes `{ err }` plus its (masked) message.
        logMethod(args, method) {
          // An object is redacted before pino sees it, so pino never lifts an unmasked `err.message` into `msg`.
          const [first, ...rest] = args as unknown[];
          if (first instanceof Error) {
            return method.apply(this, [{ err: redactFields(first) }, maskSecrets(first.message), ...rest.map(maskArgument)] as Parameters<typeof method>);
          }
          return method.apply(this, [typeof first === 'object' && first !== null ? redactFields(first) : maskArgument(first), ...rest.map(maskArgument)] as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  // pino applies `formatters.bindings` to the root's bindings only; a child's are redacted here
  // (children inherit this method, so grandchildren are too).
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redactFields(bindings) as typeof bindings, childOptions);
  } as typeof logger.child;
  return logger;
}

function maskArgument(value: unknown): unknown {
  return typeof value === 'string' ? maskSecrets(value) : value;
}

// ------------------------------------------------------------------ field names

/** Field names (lower case, without `_`/`-`) that hold a secret wherever they appear. */
const SECRET_FIELDS = new Set([
  'password',
  'passwd',
  'secret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'clientsecret',
  'senderpassword',
  'userpassword',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'apikey',
  'key',
  'masterkey',
  'privatekey',
  'code',
  'state',
  'csrf',
  'csrftoken',
  'session',
  'signature',
  'verifier',
  'credentials',
]);
/** And any name ending like one of these (`webhookSecret`, `sessionToken`, `x-api-key`). */
const SECRET_SUFFIX = /(password|secret|token|tokens|apikey|privatekey|authorization|cookie|signature|credentials)$/;

export function isSecretField(name: string): boolean {
  const normalized = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_FIELDS.has(normalized) || SECRET_SUFFIX.test(normalized);
}

// ------------------------------------------------------------------ values

const VALUE_PATTERNS: Array<[RegExp, string]> = [
  // Authorization header values.
  [/\b(Bearer|Basic)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`],
  // Our API keys: mlc_<16 hex>_<secret> (src/server/api-keys.ts).
  [/\bmlc_[0-9a-f]{16}_[A-Za-z0-9_-]+/g, REDACTED],
  // Vault envelopes: mlc1.<key id>.<iv>.<tag>.<ciphertext> (src/vault/vault.ts).
  [/\bmlc1\.[0-9a-f]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, REDACTED],
  // HubSpot private-app tokens: pat-<region>-<uuid>.
  [/\bpat-[a-z]{2}\d?-[0-9a-f-]{8,}/gi, REDACTED],
  // JWTs (OAuth access tokens of several systems).
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // Secrets in query strings: ?access_token=…, &code=…, &state=…
  [/([?&;](?:access_token|refresh_token|id_token|token|client_secret|code|state|password|api_key|apikey|key|signature)=)[^&\s"'#]+/gi, `$1${REDACTED}`],
];

/** `text` with everything that looks like a credential masked. */
export function maskSecrets(text: string): string {
  let masked = text;
  for (const [pattern, replacement] of VALUE_PATTERNS) masked = masked.replace(pattern, replacement);
  return masked;
}

const MAX_DEPTH = 12;

/**
 * A copy of `value` with secret-named fields redacted at any depth and
 * credential-looking strings masked; errors become `{ type, message, code?, stack }`.
 */
export function redactFields(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (value instanceof Error) return redactFields(errorFields(value), depth + 1, seen);
    if (Array.isArray(value)) return value.map((item) => redactFields(item, depth + 1, seen));
    if (value instanceof Date) return value.toISOString();
    if (value instanceof Map) return redactFields(Object.fromEntries(value), depth + 1, seen);
    const source = typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
    if (source !== value) return redactFields(source, depth + 1, seen);
    const copy: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(value)) copy[name] = isSecretField(name) && field !== undefined && field !== null ? REDACTED : redactFields(field, depth + 1, seen);
    return copy;
  } finally {
    seen.delete(value);
  }
}

/** An error as log fields; its code under `errorCode` (a field named `code` is redacted: OAuth codes). */
function errorFields(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  const kind = (error as { kind?: unknown }).kind;
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { errorCode: code } : {}),
    ...(typeof kind === 'string' ? { kind } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
    ...(error.cause !== undefined ? { cause: error.cause } : {}),
  };
}

// ------------------------------------------------------------------ event lines

/** A structured event: what the server's webhook receivers and the service log. */
export interface LogEvent {
  level: 'debug' | 'info' | 'warn' | 'error';
  event: string;
  [field: string]: unknown;
}

/** `(entry) => void` over a logger: one JSON line per event, at the event's level. */
export function eventLogger(logger: Logger): (entry: LogEvent) => void {
  return (entry) => {
    const { level, ...fields } = entry;
    logger[level](fields);
  };
}

let shared: Logger | undefined;

/** The process's logger (stdout, level `info`), made on first use. */
export function processLogger(): Logger {
  shared ??= createLogger();
  return shared;
}
