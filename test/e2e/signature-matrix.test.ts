/**
 * Request authentication as each real client sees it, against the real `phantom server`
 * binary. For every client (boto 2 SigV4 and SigV2, boto3 SigV4 and SigV2, aws-cli v2, the JS
 * SDK) a describe call is refused with the right code when
 *   - one byte of the signed request is changed on the way (tamper proxy) → SignatureDoesNotMatch
 *   - the secret is wrong                                                → SignatureDoesNotMatch
 *   - the access key is unknown                                          → InvalidClientTokenId
 *   - the client's clock is 20 minutes slow                              → RequestExpired
 * and the same call succeeds unmodified, directly and through a pass-through proxy, so every
 * refusal is proven to come from the one thing that was changed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  AutoScalingClient,
  AutoScalingServiceException,
} from '@aws-sdk/client-auto-scaling';
import {
  awsCliAvailable,
  boto2Available,
  boto3Available,
  requireClient,
  scratchDir,
  faketimeAvailable,
  startPhantom,
  type Availability,
  type Credentials,
  type PhantomProcess,
  type ProcessUser,
} from '../support/process.ts';
import { startTamperProxy, type TamperProxy } from '../support/tamper-proxy.ts';
import {
  awsCli,
  awsError,
  boto2Error,
  boto2Script,
  boto3Program,
  limiter,
  type Boto3Call,
  type ClientHome,
  type Target,
  stopServer,
} from './clients.ts';

/** What a describe call came back with, whatever the client. */
type Outcome = { ok: true; names: string[] } | { ok: false; code: string; status?: number; message: string };

interface MatrixClient {
  name: string;
  available: Availability;
  /** DescribeAutoScalingGroups through this client. */
  describe(target: Target): Promise<Outcome>;
}

const home: ClientHome = { dir: '' };
/** Python and aws-cli start-ups are CPU-bound; a few at a time is as fast as it gets. */
const slot = limiter(3);

function boto2Client(sigv2: boolean): MatrixClient {
  return {
    name: `boto 2 ${sigv2 ? 'SigV2' : 'SigV4'} (asg_list.py)`,
    available: boto2Available(),
    async describe(target) {
      const r = await slot(() => boto2Script(home, target, sigv2, 'asg_list.py'));
      if (r.code === 0) {
        assert.equal(r.stderr, '', 'asg_list.py stderr');
        return { ok: true, names: r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('\t')) };
      }
      const e = boto2Error(r);
      return { ok: false, code: e.code, status: e.status, message: e.message };
    },
  };
}

function boto3Client(sigv2: boolean): MatrixClient {
  return {
    name: `boto3 ${sigv2 ? "Config(signature_version='v2')" : 'SigV4'}`,
    available: boto3Available(),
    async describe(target) {
      const out = await slot(() =>
        boto3Program<{ r: Boto3Call<{ AutoScalingGroups: Array<{ AutoScalingGroupName: string }> }> }>(
          home,
          target,
          sigv2,
          "out['r'] = call('describe_auto_scaling_groups')",
        ),
      );
      if (out.r.ok) return { ok: true, names: out.r.ok.AutoScalingGroups.map((g) => g.AutoScalingGroupName) };
      const e = out.r.error!;
      assert.equal(e.clientError, true);
      return { ok: false, code: e.code, status: e.status, message: e.message };
    },
  };
}

const awsCliClient: MatrixClient = {
  name: 'aws-cli v2',
  available: awsCliAvailable(),
  async describe(target) {
    const r = await slot(() => awsCli(home, target, ['describe-auto-scaling-groups']));
    if (r.code === 0)
      return {
        ok: true,
        names: (r.json as { AutoScalingGroups: Array<{ AutoScalingGroupName: string }> }).AutoScalingGroups.map(
          (g) => g.AutoScalingGroupName,
        ),
      };
    const e = awsError('describe-auto-scaling-groups', r, 'DescribeAutoScalingGroups');
    return { ok: false, ...e };
  },
};

const jsSdkClient: MatrixClient = {
  name: '@aws-sdk/client-auto-scaling',
  available: true,
  async describe(target) {
    const client = new AutoScalingClient({
      endpoint: target.url,
      region: 'us-east-1',
      credentials: { accessKeyId: target.creds.accessKeyId, secretAccessKey: target.creds.secretAccessKey },
      maxAttempts: 1,
      ...(target.skewMinutes ? { systemClockOffset: target.skewMinutes * 60_000 } : {}),
    });
    try {
      const out = await client.send(new DescribeAutoScalingGroupsCommand({}));
      return { ok: true, names: (out.AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupName!) };
    } catch (error) {
      assert.ok(error instanceof AutoScalingServiceException, `expected a service error, got ${String(error)}`);
      return { ok: false, code: error.name, status: error.$metadata.httpStatusCode, message: error.message };
    } finally {
      client.destroy();
    }
  },
};

const CLIENTS: MatrixClient[] = [
  boto2Client(false),
  boto2Client(true),
  boto3Client(false),
  boto3Client(true),
  awsCliClient,
  jsSdkClient,
];

/** Asserts a refusal: the code, the HTTP status (where the client shows it) and a message. */
function assertRefused(outcome: Outcome, code: string, status: number): void {
  assert.equal(outcome.ok, false, `expected ${code}, but the call succeeded: ${JSON.stringify(outcome)}`);
  if (outcome.ok) return;
  assert.equal(outcome.code, code, `error code (message: ${outcome.message})`);
  if (outcome.status !== undefined) assert.equal(outcome.status, status, 'HTTP status');
  assert.ok(outcome.message.length > 0, 'a message is given');
}

describe('signature matrix: every client is refused for exactly the broken part', { concurrency: true }, () => {
  let server: PhantomProcess;
  let user: ProcessUser;
  let passThrough: TamperProxy;
  const tamperProxies = new Map<string, TamperProxy>();
  let removeHome: () => void = () => {};

  before(async () => {
    server = await startPhantom();
    const scratch = scratchDir('phantom-matrix-');
    home.dir = scratch.dir;
    removeHome = scratch.remove;
    user = await server.addUser('matrix');
    const sdk = server.sdk(user);
    await sdk.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: 'probe',
        ImageId: 'hello-cloud',
        InstanceType: 'm1.small',
      }),
    );
    await sdk.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'matrix-probe',
        LaunchConfigurationName: 'probe',
        MinSize: 0,
        MaxSize: 0,
        AvailabilityZones: ['us-east-1a'],
      }),
    );
    passThrough = await startTamperProxy(server, { tamper: false });
    for (const c of CLIENTS) tamperProxies.set(c.name, await startTamperProxy(server));
  });

  after(async () => {
    await Promise.all([passThrough?.close(), ...[...tamperProxies.values()].map((p) => p.close())]);
    removeHome();
    await stopServer(server);
  });

  for (const client of CLIENTS) {
    const need = requireClient(client.name, client.available);
    const good = (): Credentials => ({ accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });

    describe(client.name, { concurrency: true }, () => {
      it('succeeds unmodified (directly)', need, async () => {
        assert.deepEqual(await client.describe({ url: server.url, creds: good() }), {
          ok: true,
          names: ['matrix-probe'],
        });
      });

      it('succeeds unmodified through the pass-through proxy', need, async () => {
        assert.deepEqual(await client.describe({ url: passThrough.url, creds: good() }), {
          ok: true,
          names: ['matrix-probe'],
        });
        assert.equal(passThrough.tampered(), 0);
      });

      it('one byte changed on the way (2011-01-01 → 2011-01-02): SignatureDoesNotMatch', need, async () => {
        const proxy = tamperProxies.get(client.name)!;
        assertRefused(await client.describe({ url: proxy.url, creds: good() }), 'SignatureDoesNotMatch', 403);
        assert.ok(proxy.tampered() >= 1, 'the proxy changed the request');
      });

      it('wrong secret: SignatureDoesNotMatch', need, async () => {
        const secret = user.secretAccessKey;
        const wrong = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
        assertRefused(
          await client.describe({ url: server.url, creds: { accessKeyId: user.accessKeyId, secretAccessKey: wrong } }),
          'SignatureDoesNotMatch',
          403,
        );
      });

      it('unknown access key: InvalidClientTokenId', need, async () => {
        assertRefused(
          await client.describe({
            url: server.url,
            creds: { accessKeyId: 'AKIDNOSUCHKEY0000000', secretAccessKey: user.secretAccessKey },
          }),
          'InvalidClientTokenId',
          403,
        );
      });

      const clockNeed =
        client === jsSdkClient ? need : need.skip ? need : requireClient('faketime', faketimeAvailable());
      const how = client === jsSdkClient ? 'systemClockOffset -20 min' : 'faketime -f -20m';
      it(`client clock 20 minutes slow (${how}): RequestExpired`, clockNeed, async () => {
        assertRefused(
          await client.describe({ url: server.url, creds: good(), skewMinutes: -20 }),
          'RequestExpired',
          400,
        );
      });
    });
  }
});
