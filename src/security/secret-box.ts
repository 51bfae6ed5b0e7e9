import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * Seals secrets (API secret keys now, cloud credentials later) for storage: AES-256-GCM with
 * a random 96-bit nonce per seal and associated data binding the ciphertext to its owner
 * record, so a sealed value copied onto another record does not open. The master key lives
 * outside the database (data dir file or PHANTOM_MASTER_KEY).
 */
export class SecretBox {
  private readonly keyId: string;

  /** @throws RangeError unless `masterKey` is exactly 32 bytes. */
  constructor(private readonly masterKey: Buffer) {
    if (masterKey.length !== 32) throw new RangeError('The master key must be 32 bytes.');
    this.keyId = createHash('sha256').update(masterKey).digest('hex').slice(0, 8);
  }

  /** Encrypts `plaintext`; `aad` names the record it belongs to (e.g. the access key id). */
  seal(plaintext: string, aad: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, nonce);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}:${this.keyId}:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64')}`;
  }

  /**
   * Decrypts a value from `seal` with the same `aad`.
   * @throws Error when the value was sealed with another key, for another record, or altered.
   */
  open(sealed: string, aad: string): string {
    const [version, keyId, payload] = sealed.split(':');
    if (version !== VERSION || keyId !== this.keyId || payload === undefined)
      throw new Error('Sealed secret has an unknown format or was sealed with another master key.');
    const raw = Buffer.from(payload, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  }

  /** A key derived from the master key for another purpose (e.g. pagination-token MACs). */
  derive(purpose: string): Buffer {
    return createHash('sha256').update(this.masterKey).update(`\u0000phantom:${purpose}`).digest();
  }
}
