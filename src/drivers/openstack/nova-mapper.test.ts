import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudError } from '../../contracts/cloud.ts';
import { errorMessage } from './http.ts';
import {
  isCapacityMessage,
  mapNovaError,
  mapNovaStatus,
  parseNovaServer,
  serverName,
  toCloudInstance,
  toNovaMetadata,
} from './nova-mapper.ts';

describe('nova mapper: statuses', () => {
  const table: Array<[string | undefined, string | null | undefined, string]> = [
    ['BUILD', 'scheduling', 'pending'],
    ['BUILD', 'spawning', 'pending'],
    ['REBUILD', null, 'pending'],
    ['ACTIVE', null, 'running'],
    ['REBOOT', 'rebooting', 'running'],
    ['HARD_REBOOT', null, 'running'],
    ['RESIZE', null, 'running'],
    ['VERIFY_RESIZE', null, 'running'],
    ['MIGRATING', null, 'running'],
    ['PASSWORD', null, 'running'],
    ['SHUTOFF', null, 'stopped'],
    ['SUSPENDED', null, 'stopped'],
    ['PAUSED', null, 'stopped'],
    ['SHELVED_OFFLOADED', null, 'stopped'],
    ['RESCUE', null, 'stopped'],
    ['ERROR', null, 'failed'],
    ['DELETED', null, 'terminated'],
    ['SOFT_DELETED', null, 'terminated'],
    ['ACTIVE', 'deleting', 'terminating'],
    ['ERROR', 'deleting', 'terminating'],
    ['active', null, 'running'],
    ['UNKNOWN', null, 'failed'],
    ['SOMETHING_NEW', null, 'failed'],
    [undefined, undefined, 'failed'],
  ];
  for (const [status, task, want] of table) {
    it(`${String(status)}/${String(task)} → ${want}`, () => assert.equal(mapNovaStatus(status, task), want));
  }
});

describe('nova mapper: errors', () => {
  const nova = (key: string, message: string, code: number) => ({ [key]: { message, code } });
  const table: Array<[number, unknown, CloudError['kind']]> = [
    [
      401,
      { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } },
      'auth',
    ],
    [
      403,
      nova('forbidden', 'Quota exceeded for instances: Requested 1, but already used 10 of 10 instances', 403),
      'quota',
    ],
    [403, nova('forbidden', "Policy doesn't allow os_compute_api:servers:create to be performed.", 403), 'auth'],
    [413, nova('overLimit', 'Quota exceeded for cores: Requested 8, but already used 16 of 20 cores', 413), 'quota'],
    [413, nova('overLimit', 'This request was rate-limited.', 413), 'throttled'],
    [429, nova('overLimit', 'This request was rate-limited.', 429), 'throttled'],
    [503, undefined, 'throttled'],
    [404, nova('itemNotFound', 'Flavor m9 could not be found.', 404), 'not-found'],
    [400, nova('badRequest', 'Invalid key_name provided.', 400), 'invalid'],
    [400, nova('badRequest', 'No valid host was found. ', 400), 'capacity'],
    [409, nova('conflictingRequest', 'Cannot delete instance while it is in task_state deleting', 409), 'invalid'],
    [500, nova('computeFault', 'Unexpected API Error.', 500), 'transient'],
    [502, 'not json', 'transient'],
  ];
  for (const [status, body, want] of table) {
    it(`${status} ${errorMessage(body, status).slice(0, 40)} → ${want}`, () => {
      const e = mapNovaError(status, body, 'Creating server x');
      assert.equal(e.kind, want);
      assert.match(e.providerMessage, /^Creating server x: /);
    });
  }
  it('recognises the scheduler’s capacity faults', () => {
    assert.ok(isCapacityMessage('No valid host was found. There are not enough hosts available.'));
    assert.ok(
      isCapacityMessage(
        'Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance x.',
      ),
    );
    assert.ok(!isCapacityMessage('Build of instance x aborted: Image y is unacceptable'));
  });
});

describe('nova mapper: metadata and servers', () => {
  it('puts the client token into metadata, allows ":" in keys, refuses what Nova would', () => {
    assert.deepEqual(toNovaMetadata({ 'phantom:owner': 'ann' }, 'tok'), {
      'phantom:owner': 'ann',
      'phantom:client-token': 'tok',
    });
    assert.throws(
      () => toNovaMetadata({ k: 'v'.repeat(256) }, 't'),
      (e: unknown) => e instanceof CloudError && e.kind === 'invalid' && /value of 'k' exceeds 255/.test(e.message),
    );
    assert.throws(
      () => toNovaMetadata({ ['k'.repeat(256)]: 'v' }, 't'),
      (e: unknown) => e instanceof CloudError && e.kind === 'invalid',
    );
    assert.doesNotThrow(() => toNovaMetadata({ ['k'.repeat(255)]: 'v'.repeat(255) }, 't'));
    assert.equal(serverName('abc'), 'phantom-abc');
  });

  it('maps a server: tags without the token key, fault as reason, fixed private and floating public addresses', () => {
    const now = new Date('2026-11-25T00:00:00Z');
    const server = parseNovaServer({
      id: 'u-1',
      name: 'phantom-t',
      status: 'ACTIVE',
      'OS-EXT-STS:task_state': null,
      metadata: { 'phantom:owner': 'ann', 'phantom:client-token': 't', n: 5 },
      image: { id: 'img' },
      flavor: { original_name: 'm1.small', vcpus: 1 },
      addresses: {
        private: [
          { addr: '10.0.0.5', 'OS-EXT-IPS:type': 'fixed' },
          { addr: '203.0.113.7', 'OS-EXT-IPS:type': 'floating' },
        ],
      },
      created: '2026-11-24T10:00:00Z',
    });
    assert.deepEqual(toCloudInstance(server, {}, now), {
      id: 'u-1',
      state: 'running',
      tags: { 'phantom:owner': 'ann' },
      imageId: 'img',
      instanceType: 'm1.small',
      clientToken: 't',
      privateAddress: '10.0.0.5',
      publicAddress: '203.0.113.7',
      launchedAt: new Date('2026-11-24T10:00:00Z'),
    });
    const failed = toCloudInstance(
      parseNovaServer({
        id: 'u-2',
        status: 'ERROR',
        fault: { message: 'No valid host was found.' },
        flavor: { id: '3' },
        addresses: { n: [{ addr: '10.0.0.6' }] },
      }),
      { imageId: 'ubuntu' },
      now,
    );
    assert.equal(failed.state, 'failed');
    assert.equal(failed.stateReason, 'No valid host was found.');
    assert.equal(failed.privateAddress, undefined, 'no address once failed');
    assert.equal(failed.imageId, 'ubuntu');
    assert.equal(failed.instanceType, '3');
    assert.deepEqual(failed.launchedAt, now);
    assert.throws(
      () => parseNovaServer({ name: 'x' }),
      (e: unknown) => e instanceof CloudError && e.kind === 'transient',
    );
  });
});
