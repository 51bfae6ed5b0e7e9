import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CloudError, type LaunchRequest } from '../../contracts/cloud.ts';
import { driverContract } from '../driver.case.ts';
import { openStackSimHarness } from './openstack-sim-harness.ts';

const live = (): AbortSignal => new AbortController().signal;
const req = (extra: Partial<LaunchRequest> = {}): LaunchRequest => ({
  clientToken: randomUUID(),
  imageId: 'ubuntu-22.04',
  instanceType: 'm1.large',
  tags: { 'phantom:run': randomUUID() },
  ...extra,
});
const kind =
  (k: CloudError['kind'], message?: RegExp) =>
  (e: unknown): boolean =>
    e instanceof CloudError && e.kind === k && (!message || message.test(e.message));

driverContract('openstack over the fake Keystone + Nova (HTTP)', () => openStackSimHarness());

describe('OpenStack driver over the fake: beyond the contract', () => {
  it('resolves image and flavor by name or id, creates a server named after the client token', async () => {
    const h = await openStackSimHarness();
    try {
      const request = req();
      const launched = await h.driver.launch(request, live());
      assert.equal(launched.imageId, 'ubuntu-22.04');
      assert.equal(launched.instanceType, 'm1.large');
      const res = await fetch(`${h.server.authUrl}/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          auth: {
            identity: {
              methods: ['password'],
              password: {
                user: { name: 'phantom-test', domain: { name: 'Default' }, password: 'correct horse battery staple' },
              },
            },
          },
        }),
      });
      const token = res.headers.get('x-subject-token') ?? '';
      const detail = (await (
        await fetch(`${h.server.url}/compute/v2.1/servers/${launched.id}`, {
          headers: { 'x-auth-token': token, 'x-openstack-nova-api-version': '2.47' },
        })
      ).json()) as { server: { name: string; flavor: { original_name: string }; metadata: Record<string, string> } };
      assert.equal(detail.server.name, `phantom-${request.clientToken}`);
      assert.equal(detail.server.flavor.original_name, 'm1.large');
      assert.equal(detail.server.metadata['phantom:client-token'], request.clientToken);
      // by id too: the image's Glance id and the flavor's id
      const images = (await (
        await fetch(`${h.server.url}/image/v2/images?name=ubuntu-22.04`, { headers: { 'x-auth-token': token } })
      ).json()) as { images: Array<{ id: string }> };
      const byId = await h.driver.launch(req({ imageId: images.images[0]!.id, instanceType: '2' }), live());
      assert.equal(byId.state, 'pending');
    } finally {
      await h.close();
    }
  });

  it('unknown image or flavor → invalid naming it; nothing created', async () => {
    const h = await openStackSimHarness();
    try {
      await assert.rejects(
        h.driver.launch(req({ imageId: 'debian-13' }), live()),
        kind('invalid', /Image 'debian-13' not found on site india/),
      );
      await assert.rejects(
        h.driver.launch(req({ instanceType: 'm9.huge' }), live()),
        kind('invalid', /Flavor 'm9.huge' not found on site india/),
      );
      assert.deepEqual(await h.driver.listInstances({ tags: {} }, live()), []);
    } finally {
      await h.close();
    }
  });

  it('wrong password → auth naming the user; injected quota → quota with Nova’s message', async () => {
    const h = await openStackSimHarness({
      driver: {
        auth: {
          kind: 'password',
          username: 'phantom-test',
          password: 'wrong',
          userDomain: 'Default',
          project: { name: 'phantom', domain: 'Default' },
        },
      },
    });
    try {
      await assert.rejects(
        h.driver.launch(req(), live()),
        kind('auth', /Keystone refused user phantom-test .*requires authentication/),
      );
    } finally {
      await h.close();
    }
    const q = await openStackSimHarness({ server: { knobs: { failCalls: { launch: 'quota' } } } });
    try {
      await assert.rejects(q.driver.launch(req(), live()), kind('quota', /Quota exceeded for instances/));
    } finally {
      await q.close();
    }
  });

  it('application credentials authenticate; a revoked token is renewed once on 401', async () => {
    const h = await openStackSimHarness({
      server: { applicationCredentials: [{ id: 'app-1', secret: 's3cret' }] },
      driver: { auth: { kind: 'application-credential', id: 'app-1', secret: 's3cret' } },
    });
    try {
      const a = await h.driver.launch(req(), live());
      h.server.revokeTokens();
      const listed = await h.driver.listInstances({ tags: {} }, live());
      assert.deepEqual(
        listed.map((i) => i.id),
        [a.id],
      );
    } finally {
      await h.close();
    }
  });

  it('a capacity-failed server is deleted, not left in ERROR', async () => {
    const h = await openStackSimHarness();
    try {
      await h.setCapacity(0);
      await assert.rejects(h.driver.launch(req(), live()), kind('capacity', /No valid host was found/));
      assert.deepEqual(await h.driver.listInstances({ tags: {} }, live()), []);
    } finally {
      await h.close();
    }
  });
});
