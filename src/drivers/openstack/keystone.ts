/**
 * Keystone v3 token auth (password or application credential), the token cached and renewed
 * before it expires or when a service answers 401, and endpoints read from the token's
 * service catalog.
 */
import { CloudError } from '../../contracts/cloud.ts';
import type { Clock } from '../../contracts/clock.ts';
import { errorMessage, requestJson, type FetchLike } from './http.ts';
import { isRecord } from '../../lib/is-record.ts';

/** A project to scope a password token to: by id, or by name within a domain (name). */
export type ProjectScope = { id: string } | { name: string; domain: string };

/** How a user authenticates. Secrets are never logged or put into messages. */
export type OpenStackAuth =
  | { kind: 'password'; username: string; password: string; userDomain: string; project: ProjectScope }
  | { kind: 'application-credential'; id: string; secret: string };

/** Options of a {@link KeystoneSession}. */
export interface KeystoneOptions {
  /** Required. Keystone v3 URL, e.g. `https://keystone.example.org:5000/v3`. */
  authUrl: string;
  /** Required. The user's credentials. */
  auth: OpenStackAuth;
  /** Optional. Catalog region (`region_id`); absent = the first endpoint of the interface. */
  region?: string;
  /** Required. Catalog interface to use. */
  interface: 'public' | 'internal';
  /** Required. Time source for expiry. */
  clock: Clock;
  /** Required. Per-request timeout in ms. */
  timeoutMs: number;
  /** Optional. Default the built-in fetch. */
  fetch?: FetchLike;
}

/** One catalog endpoint. */
interface CatalogEntry {
  type: string;
  endpoints: Array<{ url: string; interface: string; region?: string; region_id?: string }>;
}

/** An issued token with what it is good for. */
export interface KeystoneToken {
  value: string;
  expiresAt: Date;
  /** Renew when the clock reaches this (before expiry). */
  renewAt: Date;
  catalog: CatalogEntry[];
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Renew this long before expiry at most (5 min), or half the lifetime for short-lived tokens. */
const RENEW_MARGIN_MS = 300_000;

/** The request body of POST /v3/auth/tokens for `auth`. Pure. */
export function tokenRequestBody(auth: OpenStackAuth): unknown {
  if (auth.kind === 'application-credential') {
    return {
      auth: {
        identity: { methods: ['application_credential'], application_credential: { id: auth.id, secret: auth.secret } },
      },
    };
  }
  const project =
    'id' in auth.project ? { id: auth.project.id } : { name: auth.project.name, domain: { name: auth.project.domain } };
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: auth.username, domain: { name: auth.userDomain }, password: auth.password } },
      },
      scope: { project },
    },
  };
}

/** Who is authenticating, for messages (no secret). Pure. */
export function describeAuth(auth: OpenStackAuth): string {
  if (auth.kind === 'application-credential') return `application credential ${auth.id}`;
  const project =
    'id' in auth.project
      ? `project id ${auth.project.id}`
      : `project ${auth.project.name} (domain ${auth.project.domain})`;
  return `user ${auth.username} (domain ${auth.userDomain}) in ${project}`;
}

function parseCatalog(raw: unknown): CatalogEntry[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).map((e) => ({
    type: typeof e.type === 'string' ? e.type : '',
    endpoints: Array.isArray(e.endpoints)
      ? e.endpoints.filter(isRecord).map((p) => ({
          url: typeof p.url === 'string' ? p.url : '',
          interface: typeof p.interface === 'string' ? p.interface : '',
          ...(typeof p.region === 'string' ? { region: p.region } : {}),
          ...(typeof p.region_id === 'string' ? { region_id: p.region_id } : {}),
        }))
      : [],
  }));
}

/**
 * A cached Keystone token for one user on one cloud. Concurrent callers share one auth
 * request. Not persisted: a restarted Phantom authenticates afresh.
 */
export class KeystoneSession {
  private current: KeystoneToken | undefined;
  private inFlight: Promise<KeystoneToken> | undefined;
  private readonly fetchImpl: FetchLike;

  constructor(private readonly options: KeystoneOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /**
   * A valid token: the cached one until its renew time, else a new one.
   * @throws CloudError auth (credentials refused: 401, or 403/404 for the scope), throttled,
   *   transient; the signal's reason when aborted.
   */
  async token(signal: AbortSignal): Promise<KeystoneToken> {
    signal.throwIfAborted();
    const now = this.options.clock.now().getTime();
    if (this.current && now < this.current.renewAt.getTime()) return this.current;
    // The shared request is not tied to any one caller's signal (only to the timeout), so one
    // caller giving up neither fails the others nor leaves them without a token.
    this.inFlight ??= this.issue(new AbortController().signal).then(
      (issued) => {
        this.inFlight = undefined;
        this.current = issued;
        return issued;
      },
      (e: unknown) => {
        this.inFlight = undefined;
        throw e;
      },
    );
    return abortable(this.inFlight, signal);
  }

  /** Forgets `value` (after a 401) so the next `token()` authenticates again. Idempotent. */
  invalidate(value: string): void {
    if (this.current?.value === value) this.current = undefined;
  }

  /**
   * The URL of service `type` (e.g. `compute`, `image`) for the configured region and
   * interface, without a trailing slash; undefined when the catalog has none.
   * @throws as {@link token}.
   */
  async endpoint(type: string, signal: AbortSignal): Promise<string | undefined> {
    const { catalog } = await this.token(signal);
    const { region } = this.options;
    for (const entry of catalog.filter((e) => e.type === type)) {
      const hit = entry.endpoints.find(
        (p) => p.interface === this.options.interface && (region === undefined || (p.region_id ?? p.region) === region),
      );
      if (hit && hit.url !== '') return hit.url.replace(/\/+$/, '');
    }
    return undefined;
  }

  private async issue(signal: AbortSignal): Promise<KeystoneToken> {
    const url = `${this.options.authUrl.replace(/\/+$/, '')}/auth/tokens`;
    const response = await requestJson(this.fetchImpl, {
      method: 'POST',
      url,
      body: tokenRequestBody(this.options.auth),
      signal,
      timeoutMs: this.options.timeoutMs,
    });
    const who = describeAuth(this.options.auth);
    if (response.status !== 201 && response.status !== 200) {
      const message = `Keystone refused ${who}: ${errorMessage(response.body, response.status)}`;
      if (response.status === 429 || response.status === 503) throw new CloudError('throttled', message);
      if (response.status >= 500) throw new CloudError('transient', message);
      throw new CloudError('auth', message);
    }
    const value = response.headers.get('x-subject-token');
    const token = isRecord(response.body) && isRecord(response.body.token) ? response.body.token : undefined;
    const expires = typeof token?.expires_at === 'string' ? Date.parse(token.expires_at) : Number.NaN;
    if (!value || !token || Number.isNaN(expires))
      throw new CloudError('transient', `Keystone answered ${who} without a token (X-Subject-Token, token.expires_at)`);
    const now = this.options.clock.now().getTime();
    const margin = Math.min(RENEW_MARGIN_MS, Math.max(0, (expires - now) / 2));
    return {
      value,
      expiresAt: new Date(expires),
      renewAt: new Date(expires - margin),
      catalog: parseCatalog(token.catalog),
    };
  }
}
