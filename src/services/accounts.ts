import { randomBytes, randomInt } from 'node:crypto';
import type { Clock } from '../contracts/clock.ts';
import { PhantomError } from '../contracts/errors.ts';
import type { AccessKeyRecord, User, UserLimits } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { StampedCache } from '../lib/stamped-cache.ts';

/** A freshly issued key pair; the secret is shown once and then only stored sealed. */
export interface IssuedKey {
  accessKeyId: string;
  secretAccessKey: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const USER_NAME = /^[A-Za-z0-9_.@+=,-]{1,64}$/;

/** A 20-character access key id in AWS's style (`AKPH` + 16 base32 characters). */
const newAccessKeyId = () => `AKPH${Array.from(randomBytes(16), (b) => BASE32[b & 31]).join('')}`;
/** A 40-character secret (30 random bytes, base64). */
const newSecret = () => randomBytes(30).toString('base64');

/**
 * Users and their access keys. Secrets are sealed before they reach the store and opened
 * only to verify signatures; they are never logged.
 */
export class Accounts {
  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates a user with a fresh 12-digit account id.
   * @throws PhantomError Validation (bad name), AlreadyExists.
   */
  async createUser(name: string, isAdmin = false): Promise<User> {
    if (!USER_NAME.test(name))
      throw new PhantomError(
        'Validation',
        `User name ${JSON.stringify(name)} must be 1-64 characters of letters, digits and _.@+=,-`,
      );
    const user: User = {
      id: String(randomInt(100_000_000_000, 999_999_999_999)),
      name,
      isAdmin,
      createdTime: this.clock.now(),
      limits: {},
    };
    await this.store.createUser(user);
    return user;
  }

  /** Issues a new key pair for the user. */
  async createKey(user: User): Promise<IssuedKey> {
    const issued = { accessKeyId: newAccessKeyId(), secretAccessKey: newSecret() };
    await this.storeKey(user, issued);
    return issued;
  }

  /**
   * Stores a given pair for the user (PHANTOM_ACCESS_KEY/PHANTOM_SECRET_KEY at start).
   * Idempotent: an existing pair of the same id is replaced.
   */
  async setKey(user: User, key: IssuedKey): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.deleteAccessKey(key.accessKeyId);
      await new Accounts(tx, this.box, this.clock).storeKey(user, key);
    });
  }

  private async storeKey(user: User, key: IssuedKey): Promise<void> {
    const record: AccessKeyRecord = {
      accessKeyId: key.accessKeyId,
      userId: user.id,
      sealedSecret: this.box.seal(key.secretAccessKey, key.accessKeyId),
      createdTime: this.clock.now(),
    };
    await this.store.createAccessKey(record);
  }

  /** @throws PhantomError NotFound when no such user. */
  async requireUser(name: string): Promise<User> {
    const user = await this.store.getUserByName(name);
    if (!user) throw new PhantomError('NotFound', `No user named ${name}.`);
    return user;
  }

  /** Sets per-user limit overrides (merged over the existing ones). */
  async setLimits(name: string, limits: Partial<UserLimits>): Promise<User> {
    const user = await this.requireUser(name);
    const merged = { ...user.limits, ...limits };
    await this.store.setUserLimits(user.id, merged);
    return { ...user, limits: merged };
  }

  /**
   * The secret lookup signature verification uses: user id and plaintext secret, or
   * undefined. Served from a cache that any change to records of no owner (a deleted key, a
   * user) or another process's commit invalidates, so a deleted key stops working at once;
   * writes to groups and instances (the controller's churn) leave it alone.
   */
  async secretFor(accessKeyId: string): Promise<{ userId: string; secret: string } | undefined> {
    const found = await this.secrets.through(accessKeyId, this.store.sharedChangeStamp(), async () => {
      const key = await this.store.getAccessKey(accessKeyId);
      return key ? { userId: key.userId, secret: this.box.open(key.sealedSecret, key.accessKeyId) } : null;
    });
    return found ?? undefined;
  }

  /** The user with this id (cached like `secretFor`), or undefined. */
  async userById(id: string): Promise<User | undefined> {
    return (
      (await this.users.through(
        id,
        this.store.sharedChangeStamp(),
        async () => (await this.store.getUserById(id)) ?? null,
      )) ?? undefined
    );
  }

  private readonly secrets = new StampedCache<{ userId: string; secret: string } | null>(10_000);
  private readonly users = new StampedCache<User | null>(10_000);
}
