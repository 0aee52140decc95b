/**
 * Where a client's credential comes from. The HTTP core asks for headers
 * before each attempt and, after a 401, for one refresh.
 */

export interface CredentialSource {
  /** Headers that authorize the next request (never logged). */
  authorize(): Promise<Record<string, string>>;
  /**
   * Obtains a fresh credential after a 401. Resolves false when this kind of
   * credential can't be refreshed (a static token). Implementations run one
   * refresh at a time: concurrent callers share it.
   */
  refresh?(): Promise<boolean>;
}

/** A static bearer token (a HubSpot private-app token or service key: no refresh exists). */
export function bearerToken(token: string): CredentialSource {
  return { authorize: async () => ({ authorization: `Bearer ${token}` }) };
}

/**
 * Runs `task` at most once at a time: callers arriving while it runs get the
 * same promise. Used so that two jobs hitting a 401 together refresh once.
 */
export function singleFlight<T>(task: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    running ??= task().finally(() => {
      running = undefined;
    });
    return running;
  };
}
