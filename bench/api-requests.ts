/**
 * Requests bench:api sends: signed once or anew for every request, with the client-side SigV4
 * signer the tests use (written independently of Phantom's verifier).
 */
import { clientSignV4 } from '../src/api/auth/test-signers.ts';
import { GROUP_NAMES } from './api-seed.ts';
import type { LoadRequest } from './support.ts';

type Key = { accessKeyId: string; secretAccessKey: string };

/** A POST of `params` to `url`, SigV4-signed now. */
export function signed(url: string, key: Key, params: ReadonlyArray<[string, string]>): LoadRequest {
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const body = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const headers = {
    host: new URL(url).host,
    'x-amz-date': amzDate,
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
  };
  const { authorization } = clientSignV4({
    method: 'POST',
    path: '/',
    query: [],
    signed: headers,
    body,
    accessKeyId: key.accessKeyId,
    secret: key.secretAccessKey,
    scopeDate: amzDate.slice(0, 8),
    region: 'us-east-1',
    service: 'autoscaling',
    separator: ', ',
  });
  return { method: 'POST', path: '/', headers: { ...headers, authorization }, body };
}

const ACTION: Array<[string, string]> = [
  ['Action', 'DescribeAutoScalingGroups'],
  ['Version', '2011-01-01'],
];

/** The one Describe of all 20 groups the hit scenario replays. */
export const describeAll = (url: string, key: Key): LoadRequest => signed(url, key, ACTION);

/**
 * A Describe of the same 20 groups named in a random order: the same answer, but a distinct
 * input, so each one misses the response cache (20! orders).
 */
export function describeShuffled(url: string, key: Key): LoadRequest {
  const names = [...GROUP_NAMES];
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  return signed(url, key, [
    ...ACTION,
    ...names.map((n, i): [string, string] => [`AutoScalingGroupNames.member.${i + 1}`, n]),
  ]);
}

/** Sends a request with fetch; resolves the status and body text. */
export async function send(url: string, req: LoadRequest): Promise<{ status: number; text: string }> {
  const { host: _host, ...headers } = req.headers;
  const res = await fetch(`${url}${req.path}`, { method: req.method, headers, body: req.body });
  return { status: res.status, text: await res.text() };
}

/**
 * Replaces one InService instance of the churner's domain: terminates it without lowering the
 * desired capacity, so the controller launches another. Resolves whether one was terminated.
 */
export async function replaceOne(url: string, key: Key, group: string): Promise<boolean> {
  const described = await send(url, signed(url, key, [...ACTION, ['AutoScalingGroupNames.member.1', group]]));
  const members = described.text.matchAll(
    /<InstanceId>([^<]+)<\/InstanceId><InstanceType>[^<]*<\/InstanceType><AvailabilityZone>[^<]*<\/AvailabilityZone><LifecycleState>([^<]+)</g,
  );
  const inService = [...members].filter((m) => m[2] === 'InService').map((m) => m[1]!);
  const victim = inService[Math.floor(Math.random() * inService.length)];
  if (victim === undefined) return false;
  const answer = await send(
    url,
    signed(url, key, [
      ['Action', 'TerminateInstanceInAutoScalingGroup'],
      ['Version', '2011-01-01'],
      ['InstanceId', victim],
      ['ShouldDecrementDesiredCapacity', 'false'],
    ]),
  );
  return answer.status === 200;
}
