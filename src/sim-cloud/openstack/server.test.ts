import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '../../contracts/clock.ts';
import { seededRandom } from '../../lib/random.ts';
import { parseSimCloudCommand, runSimCloudCommand } from '../command.ts';
import { startOpenStackSimServer, type OpenStackSimServer } from './server.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('phantom sim-cloud --api openstack: arguments', () => {
  const base = ['--listen', '127.0.0.1:0', '--state', 's.json'];
  it('maps the openstack flags', () => {
    assert.deepEqual(
      parseSimCloudCommand([
        ...base,
        '--api',
        'openstack',
        '--site',
        'india',
        '--capacity',
        '3',
        '--user',
        'ann:pw:with:colons',
        '--application-credential',
        'ac1:sec',
        '--project',
        'fg',
        '--token-ttl-ms',
        '60000',
        '--image',
        'ubuntu',
        '--instance-type',
        'm1.small',
      ]),
      {
        api: 'openstack',
        options: {
          host: '127.0.0.1',
          port: 0,
          site: 'india',
          region: 'RegionOne',
          stateFile: 's.json',
          knobs: { capacity: 3 },
          users: [{ name: 'ann', password: 'pw:with:colons' }],
          applicationCredentials: [{ id: 'ac1', secret: 'sec' }],
          project: 'fg',
          tokenTtlMs: 60000,
          images: ['ubuntu'],
          flavors: ['m1.small'],
        },
      },
    );
    assert.equal(parseSimCloudCommand(base).api, 'ec2');
  });
  const bad: Array<[string[], RegExp]> = [
    [['--api', 'gce'], /--api must be ec2 or openstack/],
    [['--user', 'a:b'], /--user needs --api openstack/],
    [['--api', 'openstack', '--key', 'AK:SK'], /--key is for --api ec2/],
    [['--api', 'openstack', '--user', 'nopassword'], /--user must be NAME:PASSWORD/],
    [['--api', 'openstack', '--token-ttl-ms', '0'], /--token-ttl-ms must be a positive integer/],
  ];
  for (const [argv, message] of bad) {
    it(`${argv.join(' ')} → exit 2 with one line`, async () => {
      const err: string[] = [];
      assert.equal(await runSimCloudCommand([...base, ...argv], { out: () => undefined, err: (l) => err.push(l) }), 2);
      assert.match(err[0] ?? '', message);
    });
  }
});

describe('fake Keystone + Nova + Glance over HTTP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-os-fake-'));
  const clock = new FixedClock();
  let server: OpenStackSimServer;
  let token = '';
  const auth = (password: string, project: Json = { name: 'phantom', domain: { name: 'Default' } }) =>
    fetch(`${server.authUrl}/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'ann', domain: { name: 'Default' }, password } },
          },
          scope: { project },
        },
      }),
    });
  const nova = async (method: string, path: string, body?: unknown, version = '2.47') => {
    const res = await fetch(`${server.url}/compute/v2.1${path}`, {
      method,
      headers: {
        'x-auth-token': token,
        'x-openstack-nova-api-version': version,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as Json };
  };
  let imageId = '';
  const create = (name: string, extra: Json = {}) =>
    nova('POST', '/servers', {
      server: {
        name,
        imageRef: imageId,
        flavorRef: '1',
        networks: 'auto',
        metadata: { 'phantom:owner': 'ann' },
        ...extra,
      },
    });

  before(async () => {
    server = await startOpenStackSimServer({
      host: '127.0.0.1',
      port: 0,
      site: 'india',
      stateFile: join(dir, 's.json'),
      knobs: { bootMs: 1000 },
      clock,
      random: seededRandom(2),
      users: [{ name: 'ann', password: 'pw' }],
      tokenTtlMs: 600_000,
      images: ['ubuntu'],
      flavors: ['m1.small'],
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('issues scoped tokens with a catalog and an expiry; refuses wrong passwords and other projects', async () => {
    const ok = await auth('pw');
    assert.equal(ok.status, 201);
    token = ok.headers.get('x-subject-token') ?? '';
    const body = (await ok.json()) as Json;
    assert.equal(body.token.project.name, 'phantom');
    assert.equal(body.token.expires_at, new Date(clock.now().getTime() + 600_000).toISOString().replace('Z', '000Z'));
    assert.deepEqual(body.token.catalog.map((s: Json) => s.type).sort(), ['compute', 'identity', 'image']);
    const wrong = await auth('nope');
    assert.equal(wrong.status, 401);
    assert.deepEqual(await wrong.json(), {
      error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' },
    });
    assert.equal((await auth('pw', { name: 'other', domain: { name: 'Default' } })).status, 401);
    const images = (await (
      await fetch(`${server.url}/image/v2/images?name=ubuntu`, { headers: { 'x-auth-token': token } })
    ).json()) as Json;
    imageId = images.images[0].id;
    assert.match(imageId, /^[0-9a-f-]{36}$/);
  });

  it('validates server creation as Nova does', async () => {
    assert.match(
      (await nova('POST', '/servers', { server: { name: 'x', imageRef: imageId, flavorRef: '1' } })).body.badRequest
        .message,
      /'networks' is a required property/,
    );
    assert.equal(
      (await nova('POST', '/servers', { server: { name: 'x', imageRef: imageId, flavorRef: '1' } }, '2.1')).status,
      202,
      'networks optional before 2.37',
    );
    assert.match((await create('x', { imageRef: 'nope' })).body.badRequest.message, /Can not find requested image/);
    assert.match((await create('x', { flavorRef: '99' })).body.badRequest.message, /Flavor 99 could not be found/);
    assert.match((await create('x', { user_data: 'not base64!' })).body.badRequest.message, /valid base 64/);
    assert.equal((await create('x', { metadata: { ['k'.repeat(256)]: 'v' } })).status, 400);
    assert.equal((await nova('DELETE', '/servers/00000000-0000-4000-8000-000000000000')).status, 404);
    const bad = await fetch(`${server.url}/compute/v2.1/servers`, {
      method: 'POST',
      headers: { 'x-auth-token': token },
      body: '{',
    });
    assert.equal(bad.status, 400);
  });

  it('lists newest first in pages with limit/marker and next links; name filters are regular expressions', async () => {
    for (const n of [1, 2, 3]) {
      clock.advance(1000);
      assert.equal((await create(`phantom-page-${n}`)).status, 202);
    }
    const first = await nova('GET', '/servers/detail?name=%5Ephantom-page-&limit=2');
    assert.deepEqual(
      first.body.servers.map((s: Json) => s.name),
      ['phantom-page-3', 'phantom-page-2'],
    );
    const next = new URL(first.body.servers_links[0].href);
    const second = await nova('GET', `/servers/detail?${next.searchParams.toString()}`);
    assert.deepEqual(
      second.body.servers.map((s: Json) => s.name),
      ['phantom-page-1'],
    );
    assert.equal(second.body.servers_links, undefined);
    assert.equal(first.body.servers[0].status, 'BUILD');
    assert.equal(first.body.servers[0].flavor.original_name, 'm1.small');
    assert.deepEqual(first.body.servers[0].metadata, { 'phantom:owner': 'ann' });
    assert.match(
      (await nova('GET', '/servers/detail?marker=nope')).body.badRequest.message,
      /marker \[nope\] not found/,
    );
    assert.equal(
      (await nova('GET', `/servers/${first.body.servers[0].id}`, undefined, '2.1')).body.server.flavor.id,
      '1',
    );
  });

  it('a full site makes the new server ERROR with "No valid host"; deleted servers show only with changes-since', async () => {
    server.cloud.setKnobs({ capacity: 0 });
    const created = await create('phantom-full');
    assert.equal(created.status, 202);
    const shown = await nova('GET', `/servers/${created.body.server.id}`);
    assert.equal(shown.body.server.status, 'ERROR');
    assert.match(shown.body.server.fault.message, /No valid host was found/);
    assert.equal((await nova('DELETE', `/servers/${created.body.server.id}`)).status, 204);
    assert.equal((await nova('GET', `/servers/${created.body.server.id}`)).status, 404);
    server.cloud.setKnobs({ capacity: Number.POSITIVE_INFINITY });
    const page = await nova('GET', '/servers/detail?name=%5Ephantom-page-1%24');
    const id = page.body.servers[0].id;
    assert.equal((await nova('DELETE', `/servers/${id}`)).status, 204);
    assert.equal((await nova('DELETE', `/servers/${id}`)).status, 404);
    assert.equal((await nova('GET', '/servers/detail?name=%5Ephantom-page-1%24')).body.servers.length, 0);
    const withDeleted = await nova(
      'GET',
      '/servers/detail?name=%5Ephantom-page-1%24&changes-since=2000-01-01T00:00:00Z',
    );
    assert.equal(withDeleted.body.servers[0].status, 'DELETED');
  });

  it('servers become ACTIVE with addresses after the boot time; the image proxy is gone from 2.36', async () => {
    clock.advance(1001);
    const detail = await nova('GET', '/servers/detail?name=%5Ephantom-page-3%24');
    assert.equal(detail.body.servers[0].status, 'ACTIVE');
    assert.deepEqual(
      detail.body.servers[0].addresses.private.map((a: Json) => a['OS-EXT-IPS:type']),
      ['fixed', 'floating'],
    );
    for (const a of detail.body.servers[0].addresses.private as Json[])
      assert.match(String(a.addr), /^127\./, 'loopback addresses, as the embedded sim');
    assert.equal((await nova('GET', '/images')).status, 404);
    assert.equal((await nova('GET', '/images?name=ubuntu', undefined, '2.1')).body.images[0].id, imageId);
    assert.equal((await nova('GET', '/servers', undefined, '3.0')).status, 406);
  });

  it('tokens expire, and a restart forgets them (401)', async () => {
    clock.advance(600_000);
    const expired = await nova('GET', '/servers');
    assert.equal(expired.status, 401);
    token = (await auth('pw')).headers.get('x-subject-token') ?? '';
    assert.equal((await nova('GET', '/servers')).status, 200);
    server.revokeTokens();
    assert.equal((await nova('GET', '/servers')).status, 401);
  });
});
