import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudError, type CloudErrorKind, type InstanceState } from '../../contracts/cloud.ts';
import {
  CLIENT_TOKEN_TAG,
  classifyEc2Error,
  hasAllTags,
  mapEc2Error,
  mapEc2Instance,
  mapEc2State,
} from './ec2-mapper.ts';

const live = (): AbortSignal => new AbortController().signal;

/** An error shaped like the SDK's ServiceException: code in `name` and `Code`, status in `$metadata`. */
function sdkError(code: string, status: number | undefined, message = `${code} happened`): Error {
  return Object.assign(new Error(message), { name: code, Code: code, $metadata: { httpStatusCode: status } });
}

describe('mapEc2State', () => {
  const table: [string | undefined, InstanceState][] = [
    ['pending', 'pending'],
    ['running', 'running'],
    ['shutting-down', 'terminating'],
    ['terminated', 'terminated'],
    ['stopping', 'stopping'],
    ['stopped', 'stopped'],
    ['exploded', 'failed'],
    [undefined, 'failed'],
  ];
  for (const [ec2, ours] of table) it(`${String(ec2)} → ${ours}`, () => assert.equal(mapEc2State(ec2), ours));
});

describe('mapEc2Error: provider codes', () => {
  const table: [string, number | undefined, CloudErrorKind][] = [
    ['InsufficientInstanceCapacity', 500, 'capacity'],
    ['InsufficientHostCapacity', 500, 'capacity'],
    ['InstanceLimitExceeded', 400, 'quota'],
    ['VcpuLimitExceeded', 400, 'quota'],
    ['VolumeLimitExceeded', 400, 'quota'],
    ['AuthFailure', 401, 'auth'],
    ['UnauthorizedOperation', 403, 'auth'],
    ['InvalidClientTokenId', 403, 'auth'],
    ['SignatureDoesNotMatch', 403, 'auth'],
    ['SomethingNew', 401, 'auth'],
    ['SomethingNew', 403, 'auth'],
    ['RequestLimitExceeded', 503, 'throttled'],
    ['RequestLimitExceeded', 400, 'throttled'],
    ['Throttling', 400, 'throttled'],
    ['ThrottlingException', 400, 'throttled'],
    ['ServiceUnavailable', 503, 'throttled'],
    ['InvalidAMIID.NotFound', 400, 'invalid'],
    ['InvalidAMIID.Malformed', 400, 'invalid'],
    ['InvalidParameterValue', 400, 'invalid'],
    ['InvalidParameterCombination', 400, 'invalid'],
    ['InvalidKeyPair.NotFound', 400, 'invalid'],
    ['UnsupportedOperation', 400, 'invalid'],
    ['Unsupported', 400, 'invalid'],
    ['MissingParameter', 400, 'invalid'],
    ['SomethingNew', 400, 'invalid'],
    ['InvalidInstanceID.NotFound', 400, 'not-found'],
    ['InternalError', 500, 'transient'],
    ['Unavailable', 502, 'transient'],
    ['SomethingNew', undefined, 'transient'],
  ];
  for (const [code, status, kind] of table) {
    it(`${code} (${String(status)}) → ${kind}`, () => {
      const mapped = mapEc2Error(sdkError(code, status, 'the cloud said no'), live());
      assert.ok(mapped instanceof CloudError);
      assert.equal(mapped.kind, kind);
      assert.equal(mapped.providerMessage, `${code}: the cloud said no`);
      assert.equal(mapped.retryable, ['capacity', 'quota', 'throttled', 'transient'].includes(kind));
    });
  }
});

describe('mapEc2Error: network, timeouts, abort', () => {
  const network: [string, Error][] = [
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })],
    ['connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['DNS failure', Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' })],
    ['SDK request timeout', Object.assign(new Error('Connection timed out after 50 ms'), { name: 'TimeoutError' })],
    ['a plain Error', new Error('weird')],
  ];
  for (const [label, error] of network) {
    it(`${label} → transient, keeping the message`, () => {
      const mapped = mapEc2Error(error, live());
      assert.ok(mapped instanceof CloudError);
      assert.equal(mapped.kind, 'transient');
      assert.ok(mapped.providerMessage.endsWith(error.message));
      assert.equal(mapped.cause, error);
    });
  }

  it('a non-Error throw → transient', () => {
    const mapped = mapEc2Error('boom', live());
    assert.ok(mapped instanceof CloudError && mapped.kind === 'transient' && mapped.providerMessage.includes('boom'));
  });

  it('an aborted signal → its reason, whatever the SDK threw', () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    assert.equal(
      mapEc2Error(Object.assign(new Error('Request aborted'), { name: 'AbortError' }), controller.signal),
      reason,
    );
    assert.equal(mapEc2Error(sdkError('InternalError', 500), controller.signal), reason);
  });

  it('a CloudError passes through unchanged', () => {
    const e = new CloudError('capacity', 'full');
    assert.equal(mapEc2Error(e, live()), e);
  });

  it('classifyEc2Error is order-sensitive where codes overlap', () => {
    assert.equal(classifyEc2Error('RequestLimitExceeded', 400), 'throttled');
    assert.equal(classifyEc2Error('InvalidClientTokenId', 400), 'auth');
    assert.equal(classifyEc2Error('InvalidKeyPair.NotFound', 400), 'invalid');
  });
});

describe('mapEc2Instance', () => {
  const launchedAt = new Date('2026-01-02T03:04:05Z');
  const now = new Date('2030-01-01T00:00:00Z');

  it('maps every field, hides the client-token tag and reports the token', () => {
    const mapped = mapEc2Instance(
      {
        InstanceId: 'i-0abc',
        State: { Name: 'shutting-down' },
        ImageId: 'ami-1',
        InstanceType: 'm1.small',
        Tags: [
          { Key: 'owner', Value: 'alice' },
          { Key: CLIENT_TOKEN_TAG, Value: 'tok-1' },
        ],
        ClientToken: 'ignored-when-tagged',
        PublicIpAddress: '1.2.3.4',
        PrivateIpAddress: '10.0.0.1',
        LaunchTime: launchedAt,
        StateReason: { Message: 'User initiated' },
      },
      now,
    );
    assert.deepEqual(mapped, {
      id: 'i-0abc',
      state: 'terminating',
      stateReason: 'User initiated',
      tags: { owner: 'alice' },
      imageId: 'ami-1',
      instanceType: 'm1.small',
      clientToken: 'tok-1',
      publicAddress: '1.2.3.4',
      privateAddress: '10.0.0.1',
      launchedAt,
    });
  });

  it('falls back to ClientToken, now, and omits absent optionals', () => {
    const mapped = mapEc2Instance(
      { InstanceId: 'i-1', State: { Name: 'pending' }, ClientToken: 'tok-2', StateTransitionReason: '' },
      now,
    );
    assert.deepEqual(mapped, {
      id: 'i-1',
      state: 'pending',
      tags: {},
      imageId: '',
      instanceType: '',
      clientToken: 'tok-2',
      launchedAt: now,
    });
  });

  it('an instance without id is a transient error (malformed response)', () => {
    assert.throws(
      () => mapEc2Instance({ State: { Name: 'running' } }, now),
      (e) => e instanceof CloudError && e.kind === 'transient',
    );
  });

  it('hasAllTags requires every tag with the exact value (no wildcards)', () => {
    const i = mapEc2Instance(
      {
        InstanceId: 'i-1',
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: 'x*' },
        ],
      },
      now,
    );
    assert.equal(hasAllTags(i, {}), true);
    assert.equal(hasAllTags(i, { a: '1', b: 'x*' }), true);
    assert.equal(hasAllTags(i, { b: 'x' }), false);
    assert.equal(hasAllTags(i, { a: '1', c: '' }), false);
  });
});
