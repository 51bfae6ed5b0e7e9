import type { Clock } from '../contracts/clock.ts';
import { PhantomError } from '../contracts/errors.ts';
import type { User } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import type { SecretBox } from '../security/secret-box.ts';

/** EC2-style credentials for one site (OpenStack variants arrive with that driver). */
export interface SiteCredentials {
  accessKey: string;
  secretKey: string;
  /** Optional. Key pair to launch with. */
  keyName?: string;
}

/** What listing shows: never the secret, and the access key only by its last four characters. */
export interface CredentialSummary {
  site: string;
  accessKey: string;
  keyName?: string;
  updatedTime: Date;
}

const aad = (owner: string, site: string) => `cloud-credential\u0000${owner}\u0000${site}`;
const mask = (key: string) => (key.length <= 4 ? '****' : `****${key.slice(-4)}`);

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
   * @throws PhantomError Validation (unknown site, empty key).
   */
  async set(user: User, site: string, credentials: SiteCredentials): Promise<void> {
    if (!this.sites().includes(site)) throw new PhantomError('Validation', `Unknown site ${site}; known sites: ${this.sites().join(', ')}`);
    if (!credentials.accessKey || !credentials.secretKey) throw new PhantomError('Validation', 'Both an access key and a secret key are required.');
    const now = this.clock.now();
    const sealed = this.box.seal(JSON.stringify({ accessKey: credentials.accessKey, secretKey: credentials.secretKey }), aad(user.id, site));
    await this.store.putCredential({ owner: user.id, site, sealed, keyName: credentials.keyName, createdTime: now, updatedTime: now });
  }

  /** The plaintext credentials (for building a driver), or undefined when none are set. */
  async open(owner: string, site: string): Promise<SiteCredentials | undefined> {
    const stored = await this.store.getCredential(owner, site);
    if (!stored) return undefined;
    const opened = JSON.parse(this.box.open(stored.sealed, aad(owner, site))) as { accessKey: string; secretKey: string };
    return { ...opened, keyName: stored.keyName };
  }

  /** A user's credentials without secrets, sorted by site. */
  async list(user: User): Promise<CredentialSummary[]> {
    const stored = await this.store.listCredentials(user.id);
    return Promise.all(
      stored.map(async (c) => {
        const opened = (await this.open(user.id, c.site))!;
        return { site: c.site, accessKey: mask(opened.accessKey), keyName: c.keyName, updatedTime: c.updatedTime };
      }),
    );
  }

  /** Removes a user's credentials for a site; false when there were none. */
  remove(user: User, site: string): Promise<boolean> {
    return this.store.deleteCredential(user.id, site);
  }
}
