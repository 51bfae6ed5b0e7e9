/**
 * The fake Keystone v3 of `phantom sim-cloud --api openstack`: password and application
 * credential auth, project-scoped tokens with a service catalog and an expiry, and token
 * validation for the compute and image services. Tokens live in memory (a restart of the
 * fake revokes them all, which clients must survive by authenticating again).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../contracts/clock.ts';
import { OsError } from './os-error.ts';

/** A user the fake accepts (domain `Default`). */
export interface FakeUser {
  name: string;
  password: string;
}

/** An application credential the fake accepts (it belongs to the fake's one project). */
export interface FakeApplicationCredential {
  id: string;
  secret: string;
}

/** What an issued token grants. */
export interface FakeToken {
  user: string;
  projectId: string;
  expiresAt: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A stable id (32 hex, as Keystone's) for a name. Pure. */
export const keystoneId = (kind: string, name: string): string =>
  createHash('sha256').update(`${kind}:${name}`).digest('hex').slice(0, 32);

const unauthorized = (): OsError =>
  new OsError(401, 'error', 'The request you have made requires authentication.', 'Unauthorized');
const badRequest = (message: string): OsError => new OsError(400, 'error', message, 'Bad Request');

/** Keystone's timestamp format (microseconds, Z). Pure. */
export const keystoneTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** The fake identity service. */
export class FakeKeystone {
  private readonly tokens = new Map<string, FakeToken>();
  private readonly users: Map<string, string> | undefined;
  private readonly appCreds: Map<string, string> | undefined;

  constructor(
    private readonly opts: {
      users: FakeUser[];
      applicationCredentials: FakeApplicationCredential[];
      project: string;
      tokenTtlMs: number;
      clock: Clock;
      catalog: (baseUrl: string) => unknown[];
    },
  ) {
    const open = opts.users.length === 0 && opts.applicationCredentials.length === 0;
    this.users = open ? undefined : new Map(opts.users.map((u) => [u.name, u.password]));
    this.appCreds = open ? undefined : new Map(opts.applicationCredentials.map((a) => [a.id, a.secret]));
  }

  /** The project every token is scoped to. */
  get projectId(): string {
    return keystoneId('project', this.opts.project);
  }

  /**
   * POST /v3/auth/tokens. Without configured users and credentials any user, password and
   * application credential is accepted (a dry-run cloud).
   * @returns The token value and the response body.
   * @throws OsError 400 (malformed), 401 (wrong credentials or a project other than the fake's).
   */
  issue(body: unknown, baseUrl: string): { value: string; body: unknown } {
    const identity =
      isRecord(body) && isRecord(body.auth) && isRecord(body.auth.identity) ? body.auth.identity : undefined;
    if (!identity || !Array.isArray(identity.methods) || identity.methods.length === 0)
      throw badRequest("Invalid input for field 'identity': 'methods' is a required property");
    let user: string;
    let method: string;
    if (identity.methods.includes('application_credential')) {
      method = 'application_credential';
      const cred = isRecord(identity.application_credential) ? identity.application_credential : undefined;
      if (!cred || typeof cred.id !== 'string' || typeof cred.secret !== 'string')
        throw badRequest("Invalid input for field 'identity/application_credential': 'id' and 'secret' are required");
      if (this.appCreds && this.appCreds.get(cred.id) !== cred.secret) throw unauthorized();
      user = `appcred-${cred.id}`;
    } else if (identity.methods.includes('password')) {
      method = 'password';
      const u = isRecord(identity.password) && isRecord(identity.password.user) ? identity.password.user : undefined;
      if (!u || typeof u.name !== 'string' || typeof u.password !== 'string')
        throw badRequest("Invalid input for field 'identity/password/user': 'name' and 'password' are required");
      const domain = isRecord(u.domain) ? u.domain : undefined;
      if (!domain || (domain.name !== 'Default' && domain.id !== 'default')) throw unauthorized();
      if (this.users && this.users.get(u.name) !== u.password) throw unauthorized();
      user = u.name;
      this.checkScope(body);
    } else {
      throw unauthorized();
    }
    const value = `gAAAAA${randomBytes(24).toString('base64url')}`;
    const now = this.opts.clock.now().getTime();
    const expiresAt = now + this.opts.tokenTtlMs;
    this.tokens.set(value, { user, projectId: this.projectId, expiresAt });
    const domain = { id: 'default', name: 'Default' };
    return {
      value,
      body: {
        token: {
          methods: [method],
          user: { id: keystoneId('user', user), name: user, domain, password_expires_at: null },
          project: { id: this.projectId, name: this.opts.project, domain },
          roles: [{ id: keystoneId('role', 'member'), name: 'member' }],
          catalog: this.opts.catalog(baseUrl),
          audit_ids: [randomBytes(16).toString('base64url').slice(0, 22)],
          issued_at: keystoneTime(now),
          expires_at: keystoneTime(expiresAt),
        },
      },
    };
  }

  /**
   * Checks an X-Auth-Token.
   * @throws OsError 401 when absent, unknown, revoked or expired.
   */
  validate(value: string | undefined): FakeToken {
    const token = value === undefined ? undefined : this.tokens.get(value);
    if (!token) throw unauthorized();
    if (this.opts.clock.now().getTime() >= token.expiresAt) {
      this.tokens.delete(value!);
      throw unauthorized();
    }
    return token;
  }

  /** Revokes every token (clients get 401 and must authenticate again). */
  revokeAll(): void {
    this.tokens.clear();
  }

  private checkScope(body: unknown): void {
    const scope = isRecord(body) && isRecord(body.auth) && isRecord(body.auth.scope) ? body.auth.scope : undefined;
    const project = scope && isRecord(scope.project) ? scope.project : undefined;
    if (!project) return; // unscoped: the fake scopes to its one project anyway
    if (typeof project.id === 'string') {
      if (project.id !== this.projectId) throw unauthorized();
      return;
    }
    const domain = isRecord(project.domain) ? project.domain : undefined;
    if (project.name !== this.opts.project || !domain || (domain.name !== 'Default' && domain.id !== 'default'))
      throw unauthorized();
  }
}
