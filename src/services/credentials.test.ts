import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FixedClock } from '../contracts/clock.ts';
import { PhantomError } from '../contracts/errors.ts';
import { SecretBox } from '../security/secret-box.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { credentialKind } from '../contracts/credentials.ts';
import { CloudCredentials } from './credentials.ts';

describe('CloudCredentials', () => {
  const setup = async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    const clock = new FixedClock();
    const user = { id: '111111111111', name: 'ann', isAdmin: false, createdTime: clock.now(), limits: {} };
    await store.createUser(user);
    return {
      store,
      user,
      credentials: new CloudCredentials(store, new SecretBox(Buffer.alloc(32, 3)), clock, () => ['hotel', 'sierra']),
    };
  };

  it('seals the secret, opens it for drivers, and lists it masked', async () => {
    const { store, user, credentials } = await setup();
    await credentials.set(user, 'hotel', {
      accessKey: 'AKIACANARY12345678',
      secretKey: 'canary-secret-value',
      keyName: 'phantomkey',
    });
    const stored = await store.getCredential(user.id, 'hotel');
    assert.ok(stored && !stored.sealed.includes('canary') && !stored.sealed.includes('AKIACANARY'));
    assert.deepEqual(await credentials.open(user.id, 'hotel'), {
      accessKey: 'AKIACANARY12345678',
      secretKey: 'canary-secret-value',
      keyName: 'phantomkey',
    });
    const listed = await credentials.list(user);
    assert.deepEqual(
      listed.map((c) => [c.site, c.accessKey, c.keyName]),
      [['hotel', '****5678', 'phantomkey']],
    );
    assert.doesNotMatch(JSON.stringify(listed), /canary-secret/);
    await store.close();
  });

  it('binds the sealed value to its owner and site', async () => {
    const { store, user, credentials } = await setup();
    await credentials.set(user, 'hotel', { accessKey: 'a', secretKey: 'b' });
    const stored = (await store.getCredential(user.id, 'hotel'))!;
    await store.putCredential({ ...stored, site: 'sierra' });
    await assert.rejects(credentials.open(user.id, 'sierra'));
    await store.close();
  });

  it('refuses unknown sites and empty keys; remove is idempotent', async () => {
    const { store, user, credentials } = await setup();
    await assert.rejects(
      credentials.set(user, 'mars', { accessKey: 'a', secretKey: 'b' }),
      (e: unknown) => e instanceof PhantomError && /Unknown site mars/.test(e.message),
    );
    await assert.rejects(
      credentials.set(user, 'hotel', { accessKey: 'a', secretKey: '' }),
      (e: unknown) => e instanceof PhantomError && e.code === 'Validation',
    );
    assert.equal(await credentials.open(user.id, 'hotel'), undefined);
    assert.equal(await credentials.remove(user, 'hotel'), false);
    await store.close();
  });

  it('opens a record sealed before credentials had kinds as access keys', async () => {
    const { store, user, credentials } = await setup();
    const box = new SecretBox(Buffer.alloc(32, 3));
    const now = new Date();
    await store.putCredential({
      owner: user.id,
      site: 'hotel',
      sealed: box.seal(
        JSON.stringify({ accessKey: 'AKOLD', secretKey: 'old-secret' }),
        `cloud-credential\u0000${user.id}\u0000hotel`,
      ),
      keyName: 'k',
      createdTime: now,
      updatedTime: now,
    });
    assert.deepEqual(await credentials.open(user.id, 'hotel'), {
      accessKey: 'AKOLD',
      secretKey: 'old-secret',
      keyName: 'k',
    });
    assert.equal(credentialKind((await credentials.open(user.id, 'hotel'))!), 'access-key');
    await store.close();
  });

  it('seals OpenStack passwords and application credentials; lists them without secrets', async () => {
    const { store, user, credentials } = await setup();
    await credentials.set(user, 'hotel', {
      kind: 'openstack-password',
      username: 'ann',
      password: 'pw-canary-1',
      userDomain: 'fg',
      keyName: 'phantomkey',
    });
    await credentials.set(user, 'sierra', {
      kind: 'openstack-application-credential',
      applicationCredentialId: 'appcred-0123456789',
      applicationCredentialSecret: 'app-canary-2',
    });
    assert.deepEqual(await credentials.open(user.id, 'hotel'), {
      kind: 'openstack-password',
      username: 'ann',
      password: 'pw-canary-1',
      userDomain: 'fg',
      keyName: 'phantomkey',
    });
    assert.deepEqual(await credentials.open(user.id, 'sierra'), {
      kind: 'openstack-application-credential',
      applicationCredentialId: 'appcred-0123456789',
      applicationCredentialSecret: 'app-canary-2',
    });
    for (const site of ['hotel', 'sierra'])
      assert.doesNotMatch((await store.getCredential(user.id, site))!.sealed, /canary|ann|appcred/);
    const listed = await credentials.list(user);
    assert.deepEqual(
      listed.map((c) => [c.site, c.kind, c.identity, c.keyName]),
      [
        ['hotel', 'openstack-password', 'ann@fg', 'phantomkey'],
        ['sierra', 'openstack-application-credential', '****6789', undefined],
      ],
    );
    assert.doesNotMatch(JSON.stringify(listed), /canary/);
    await store.close();
  });

  it('refuses incomplete OpenStack credentials', async () => {
    const { store, user, credentials } = await setup();
    const invalid = (e: unknown): boolean => e instanceof PhantomError && e.code === 'Validation';
    await assert.rejects(
      credentials.set(user, 'hotel', { kind: 'openstack-password', username: 'ann', password: '' }),
      invalid,
    );
    await assert.rejects(
      credentials.set(user, 'hotel', { kind: 'openstack-password', username: 'ann', password: 'x', userDomain: '' }),
      invalid,
    );
    await assert.rejects(
      credentials.set(user, 'hotel', {
        kind: 'openstack-application-credential',
        applicationCredentialId: 'i',
        applicationCredentialSecret: '',
      }),
      invalid,
    );
    assert.equal(await credentials.open(user.id, 'hotel'), undefined);
    await store.close();
  });
});
