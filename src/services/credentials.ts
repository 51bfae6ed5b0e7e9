import type { Clock } from '../contracts/clock.ts';
import { PhantomError } from '../contracts/errors.ts';
import type { User } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { credentialKind, type SiteCredentials } from '../contracts/credentials.ts';
import { isRecord } from '../lib/is-record.ts';

/** What listing shows: never a secret; access keys and credential ids only by their last four characters. */
export interface CredentialSummary {
  site: string;
  kind: NonNullable<SiteCredentials['kind']>;
  /** Who: the masked access key, the OpenStack user name (with its domain), or the masked application credential id. */
  identity: string;
  /** The masked access key (access-key credentials only; kept for existing scripts). */
  accessKey?: string;
  keyName?: string;
  updatedTime: Date;
}

const aad = (owner: string, site: string) => `cloud-credential\u0000${owner}\u0000${site}`;
const mask = (key: string) => (key.length <= 4 ? '****' : `****${key.slice(-4)}`);
const text = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** The sealed part of each kind (everything but the key pair name, which is stored in clear). */
function secretPart(c: SiteCredentials): Record<string, string> {
  switch (c.kind) {
    case 'openstack-password':
      return {
        kind: c.kind,
        username: c.username,
        password: c.password,
        ...(c.userDomain !== undefined ? { userDomain: c.userDomain } : {}),
      };
    case 'openstack-application-credential':
      return {
        kind: c.kind,
        applicationCredentialId: c.applicationCredentialId,
        applicationCredentialSecret: c.applicationCredentialSecret,
      };
    default:
      return { accessKey: c.accessKey, secretKey: c.secretKey };
  }
}

/**
 * Checks a credentials value.
 * @throws PhantomError Validation naming what is missing.
 */
function validate(c: SiteCredentials): void {
  const fail = (message: string): never => {
    throw new PhantomError('Validation', message);
  };
  switch (c.kind) {
    case 'openstack-password':
      if (!text(c.username) || !text(c.password)) fail('Both a user name and a password are required.');
      if (c.userDomain !== undefined && !text(c.userDomain)) fail('The user domain must not be empty.');
      return;
    case 'openstack-application-credential':
      if (!text(c.applicationCredentialId) || !text(c.applicationCredentialSecret))
        fail('Both an application credential id and its secret are required.');
      return;
    default:
      if (!text(c.accessKey) || !text(c.secretKey)) fail('Both an access key and a secret key are required.');
  }
}

/** Reads an opened record: no kind = access keys (records written before OpenStack). */
function parseOpened(raw: unknown, keyName: string | undefined): SiteCredentials {
  const key = keyName !== undefined ? { keyName } : {};
  if (!isRecord(raw)) throw new PhantomError('Validation', 'Stored cloud credentials are unreadable.');
  if (raw.kind === 'openstack-password' && text(raw.username) && text(raw.password)) {
    return {
      kind: raw.kind,
      username: raw.username,
      password: raw.password,
      ...(text(raw.userDomain) ? { userDomain: raw.userDomain } : {}),
      ...key,
    };
  }
  if (
    raw.kind === 'openstack-application-credential' &&
    text(raw.applicationCredentialId) &&
    text(raw.applicationCredentialSecret)
  ) {
    return {
      kind: raw.kind,
      applicationCredentialId: raw.applicationCredentialId,
      applicationCredentialSecret: raw.applicationCredentialSecret,
      ...key,
    };
  }
  if ((raw.kind === undefined || raw.kind === 'access-key') && text(raw.accessKey) && text(raw.secretKey)) {
    return { accessKey: raw.accessKey, secretKey: raw.secretKey, keyName };
  }
  throw new PhantomError('Validation', 'Stored cloud credentials are of an unknown kind.');
}

/**
 * Users' cloud credentials per site, sealed at rest with the master key (bound to owner and
 * site), opened only to build a driver, never logged and never listed in clear.
 */
export class CloudCredentials {
  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly sites: () => readonly string[],
  ) {}

  /**
   * Sets (or replaces) a user's credentials for a site. Idempotent.
   * @throws PhantomError Validation (unknown site, a missing or empty field).
   */
  async set(user: User, site: string, credentials: SiteCredentials): Promise<void> {
    if (!this.sites().includes(site))
      throw new PhantomError('Validation', `Unknown site ${site}; known sites: ${this.sites().join(', ')}`);
    validate(credentials);
    const now = this.clock.now();
    const sealed = this.box.seal(JSON.stringify(secretPart(credentials)), aad(user.id, site));
    await this.store.putCredential({
      owner: user.id,
      site,
      sealed,
      keyName: credentials.keyName,
      createdTime: now,
      updatedTime: now,
    });
  }

  /**
   * The plaintext credentials (for building a driver), or undefined when none are set.
   * Access keys come back as they always did (`{accessKey, secretKey, keyName}`).
   * @throws Error when the sealed value does not open (tampered, or bound to another owner/site).
   */
  async open(owner: string, site: string): Promise<SiteCredentials | undefined> {
    const stored = await this.store.getCredential(owner, site);
    if (!stored) return undefined;
    return parseOpened(JSON.parse(this.box.open(stored.sealed, aad(owner, site))), stored.keyName);
  }

  /** A user's credentials without secrets, sorted by site. */
  async list(user: User): Promise<CredentialSummary[]> {
    const stored = await this.store.listCredentials(user.id);
    return Promise.all(
      stored.map(async (c) => {
        const opened = (await this.open(user.id, c.site))!;
        const base = { site: c.site, kind: credentialKind(opened), keyName: c.keyName, updatedTime: c.updatedTime };
        switch (opened.kind) {
          case 'openstack-password':
            return {
              ...base,
              identity: `${opened.username}${opened.userDomain !== undefined ? `@${opened.userDomain}` : ''}`,
            };
          case 'openstack-application-credential':
            return { ...base, identity: mask(opened.applicationCredentialId) };
          default:
            return { ...base, identity: mask(opened.accessKey), accessKey: mask(opened.accessKey) };
        }
      }),
    );
  }

  /** Removes a user's credentials for a site; false when there were none. */
  remove(user: User, site: string): Promise<boolean> {
    return this.store.deleteCredential(user.id, site);
  }
}
