import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeInstancesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type DescribeInstancesCommandInput,
  type EC2Client,
  type RunInstancesCommandInput,
  type TerminateInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { CloudError } from '../../contracts/cloud.ts';
import { Ec2Driver } from './ec2-driver.ts';
import { CLIENT_TOKEN_TAG } from './ec2-mapper.ts';

const live = (): AbortSignal => new AbortController().signal;
type Sent = DescribeInstancesCommand | RunInstancesCommand | TerminateInstancesCommand;

/** A driver over a scripted client: `answer` sees each command and returns or throws. */
function scripted(answer: (command: Sent) => unknown): { driver: Ec2Driver; sent: Sent[] } {
  const sent: Sent[] = [];
  const client = {
    send: async (command: Sent) => {
      sent.push(command);
      return answer(command);
    },
  } as unknown as EC2Client;
  const driver = new Ec2Driver({
    site: 's',
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    keyName: 'site-key',
    client,
  });
  return { driver, sent };
}

const ec2Error = (code: string, message: string): Error =>
  Object.assign(new Error(message), { name: code, Code: code, $metadata: { httpStatusCode: 400 } });

describe('Ec2Driver (scripted client)', () => {
  it('listInstances: one tag filter per tag, pages until NextToken is gone, flattens reservations, exact tag match', async () => {
    const inst = (id: string, v: string) => ({
      InstanceId: id,
      State: { Name: 'running' },
      Tags: [{ Key: 'k', Value: v }],
    });
    const pages = [
      { Reservations: [{ Instances: [inst('i-1', 'v')] }, { Instances: [inst('i-2', 'v')] }], NextToken: 'p2' },
      { Reservations: [{ Instances: [inst('i-3', 'v'), inst('i-4', 'vv')] }], NextToken: '' },
    ];
    const { driver, sent } = scripted(() => pages.shift());
    const found = await driver.listInstances({ tags: { k: 'v' } }, live());
    assert.deepEqual(
      found.map((i) => i.id),
      ['i-1', 'i-2', 'i-3'],
      'i-4 matched a wildcard-ish filter only',
    );
    const inputs = sent.map((c) => c.input as DescribeInstancesCommandInput);
    assert.deepEqual(inputs, [
      { Filters: [{ Name: 'tag:k', Values: ['v'] }], MaxResults: 1000 },
      { Filters: [{ Name: 'tag:k', Values: ['v'] }], MaxResults: 1000, NextToken: 'p2' },
    ]);
  });

  it('launch: looks the token up by tag first, then one RunInstances with tags on the create call', async () => {
    const { driver, sent } = scripted((c) =>
      c instanceof DescribeInstancesCommand
        ? { Reservations: [] }
        : { Instances: [{ InstanceId: 'i-9', State: { Name: 'pending' } }] },
    );
    const launched = await driver.launch(
      {
        clientToken: 'tok',
        imageId: 'ami-1',
        instanceType: 'm1.small',
        userData: 'aGk=',
        securityGroups: ['web'],
        tags: { o: 'a' },
      },
      live(),
    );
    assert.deepEqual(launched.tags, { o: 'a' });
    assert.equal(launched.clientToken, 'tok');
    assert.deepEqual((sent[0]?.input as DescribeInstancesCommandInput).Filters, [
      { Name: `tag:${CLIENT_TOKEN_TAG}`, Values: ['tok'] },
    ]);
    assert.deepEqual(sent[1]?.input as RunInstancesCommandInput, {
      MinCount: 1,
      MaxCount: 1,
      ClientToken: 'tok',
      ImageId: 'ami-1',
      InstanceType: 'm1.small',
      KeyName: 'site-key',
      UserData: 'aGk=',
      SecurityGroups: ['web'],
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'o', Value: 'a' },
            { Key: CLIENT_TOKEN_TAG, Value: 'tok' },
          ],
        },
      ],
    });
    assert.equal(sent.length, 2);
  });

  it('launch: an instance already tagged with the token is returned without RunInstances', async () => {
    const { driver, sent } = scripted(() => ({
      Reservations: [
        {
          Instances: [
            { InstanceId: 'i-7', State: { Name: 'running' }, Tags: [{ Key: CLIENT_TOKEN_TAG, Value: 'tok' }] },
          ],
        },
      ],
    }));
    assert.equal(
      (await driver.launch({ clientToken: 'tok', imageId: 'ami-1', instanceType: 'm1.small', tags: {} }, live())).id,
      'i-7',
    );
    assert.ok(sent.every((c) => c instanceof DescribeInstancesCommand));
  });

  it('launch: a capacity error is a CloudError capacity with the provider’s words', async () => {
    const { driver } = scripted((c) => {
      if (c instanceof DescribeInstancesCommand) return { Reservations: [] };
      throw Object.assign(ec2Error('InsufficientInstanceCapacity', 'no m1.small left'), {
        $metadata: { httpStatusCode: 500 },
      });
    });
    await assert.rejects(
      driver.launch({ clientToken: 't', imageId: 'ami-1', instanceType: 'm1.small', tags: {} }, live()),
      (e) =>
        e instanceof CloudError &&
        e.kind === 'capacity' &&
        e.providerMessage === 'InsufficientInstanceCapacity: no m1.small left',
    );
  });

  it('terminate: batches of at most 1000 ids', async () => {
    const { driver, sent } = scripted(() => ({}));
    const ids = Array.from({ length: 2500 }, (_, n) => `i-${n.toString(16).padStart(8, '0')}`);
    await driver.terminate(ids, live());
    const batches = sent.map((c) => (c.input as TerminateInstancesCommandInput).InstanceIds ?? []);
    assert.deepEqual(
      batches.map((b) => b.length),
      [1000, 1000, 500],
    );
    assert.deepEqual(batches.flat(), ids);
  });

  it('terminate: retries the batch without the ids the NotFound/Malformed errors name', async () => {
    const { driver, sent } = scripted((c) => {
      const ids = (c.input as TerminateInstancesCommandInput).InstanceIds ?? [];
      if (ids.includes('i-gone1'))
        throw ec2Error('InvalidInstanceID.NotFound', "The instance IDs 'i-gone1, i-gone2' do not exist");
      if (ids.includes('bad')) throw ec2Error('InvalidInstanceID.Malformed', 'Invalid id: "bad".');
      return {};
    });
    await driver.terminate(['i-a', 'i-gone1', 'i-gone2', 'bad', 'i-b'], live());
    assert.deepEqual(
      sent.map((c) => (c.input as TerminateInstancesCommandInput).InstanceIds),
      [
        ['i-a', 'i-gone1', 'i-gone2', 'bad', 'i-b'],
        ['i-a', 'bad', 'i-b'],
        ['i-a', 'i-b'],
      ],
    );
  });

  it('terminate: a NotFound naming no id is settled id by id; other errors propagate', async () => {
    const { driver, sent } = scripted((c) => {
      const ids = (c.input as TerminateInstancesCommandInput).InstanceIds ?? [];
      if (ids.includes('i-x')) throw ec2Error('InvalidInstanceID.NotFound', 'Some instances do not exist');
      return {};
    });
    await driver.terminate(['i-a', 'i-x', 'i-b'], live());
    assert.deepEqual(
      sent.map((c) => (c.input as TerminateInstancesCommandInput).InstanceIds),
      [['i-a', 'i-x', 'i-b'], ['i-a'], ['i-x'], ['i-b']],
    );
    const failing = scripted(() => {
      throw ec2Error('UnauthorizedOperation', 'not yours');
    });
    await assert.rejects(
      failing.driver.terminate(['i-a'], live()),
      (e) => e instanceof CloudError && e.kind === 'auth',
    );
  });

  it('an aborted call rejects with the signal’s reason, not a CloudError', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const { driver } = scripted(() => {
      controller.abort(reason);
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    });
    await assert.rejects(driver.listInstances({ tags: {} }, controller.signal), (e) => e === reason);
  });
});
