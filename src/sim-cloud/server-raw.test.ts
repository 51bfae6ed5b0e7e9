import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FixedClock } from '../contracts/clock.ts';
import { seededRandom } from '../lib/random.ts';
import { startSimCloudServer, type SimCloudServer } from './server.ts';

/** Raw (unsigned) requests: what a misbehaving client can send. No keys are configured. */
describe('sim-cloud server: garbage in, EC2 XML errors out', () => {
  let server: SimCloudServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sim-cloud-raw-'));
    server = await startSimCloudServer({
      host: '127.0.0.1',
      port: 0,
      site: 'sierra',
      stateFile: join(dir, 's.json'),
      knobs: {},
      clock: new FixedClock(),
      random: seededRandom(3),
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async (body: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(server.url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    return { status: res.status, text: await res.text() };
  };
  const code = (text: string): string | undefined => /<Response><Errors><Error><Code>([^<]*)<\/Code>/.exec(text)?.[1];

  const cases: Array<[string, string, number, string]> = [
    ['unknown action', 'Action=LaunchMissiles&Version=2016-11-15', 400, 'InvalidAction'],
    ['missing action', 'Version=2016-11-15', 400, 'MissingAction'],
    [
      'bad percent-encoding',
      'Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=%ZZ',
      400,
      'MalformedQueryString',
    ],
    ['invalid UTF-8', 'Action=DescribeInstances&Version=2016-11-15&X=%FF', 400, 'MalformedQueryString'],
    [
      'huge MaxResults',
      'Action=DescribeInstances&Version=2016-11-15&MaxResults=99999999999999999999',
      400,
      'InvalidParameterValue',
    ],
    [
      'non-numeric MaxResults',
      'Action=DescribeInstances&Version=2016-11-15&MaxResults=ten',
      400,
      'InvalidParameterValue',
    ],
    [
      'MaxResults with InstanceId',
      'Action=DescribeInstances&Version=2016-11-15&MaxResults=5&InstanceId.1=i-1',
      400,
      'InvalidParameterCombination',
    ],
    [
      'unknown InstanceId',
      'Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-404',
      400,
      'InvalidInstanceID.NotFound',
    ],
    [
      'RunInstances without ImageId',
      'Action=RunInstances&Version=2016-11-15&MinCount=1&MaxCount=1',
      400,
      'MissingParameter',
    ],
    ['RunInstances without counts', 'Action=RunInstances&Version=2016-11-15&ImageId=ami-1', 400, 'MissingParameter'],
    [
      'RunInstances with MaxCount=3',
      'Action=RunInstances&Version=2016-11-15&ImageId=ami-1&MinCount=1&MaxCount=3',
      400,
      'InvalidParameterValue',
    ],
    [
      'RunInstances with bad user data',
      'Action=RunInstances&Version=2016-11-15&ImageId=ami-1&MinCount=1&MaxCount=1&UserData=***',
      400,
      'InvalidParameterValue',
    ],
    [
      'tag spec without ResourceType',
      'Action=RunInstances&Version=2016-11-15&ImageId=ami-1&MinCount=1&MaxCount=1&TagSpecification.1.Tag.1.Key=a',
      400,
      'MissingParameter',
    ],
    ['TerminateInstances without ids', 'Action=TerminateInstances&Version=2016-11-15', 400, 'MissingParameter'],
    ['missing Version', 'Action=DescribeRegions', 400, 'MissingParameter'],
    ['prototype-named action', 'Action=constructor&Version=2016-11-15', 400, 'InvalidAction'],
  ];
  for (const [name, body, status, expected] of cases) {
    it(`${name} → ${expected}`, async () => {
      const res = await post(body);
      assert.equal(res.status, status, res.text);
      assert.equal(code(res.text), expected, res.text);
      assert.match(res.text, /<RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/);
    });
  }

  it('answers GET queries and the ec2 list encoding', async () => {
    const body =
      'Action=RunInstances&Version=2016-11-15&ImageId=ami-1&MinCount=1&MaxCount=1&ClientToken=raw-1' +
      '&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=v%20w' +
      '&TagSpecification.2.ResourceType=volume&TagSpecification.2.Tag.1.Key=vol&SecurityGroupId.1=sg-1';
    const run = await post(body);
    assert.equal(run.status, 200, run.text);
    assert.match(
      run.text,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<RunInstancesResponse xmlns="http:\/\/ec2.amazonaws.com\/doc\/2016-11-15\/"><requestId>/,
    );
    assert.match(run.text, /<tagSet><item><key>k<\/key><value>v w<\/value><\/item><\/tagSet>/);
    assert.match(run.text, /<groupSet><item><groupId>sg-1<\/groupId><\/item><\/groupSet>/);
    assert.match(run.text, /<instanceType>m1.small<\/instanceType>/);
    const res = await fetch(
      `${server.url}/?Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3Ak&Filter.1.Value.1=v%20w`,
    );
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.equal(text.match(/<instanceId>/g)?.length, 1);
  });

  it('refuses other methods and survives a malformed HTTP request', async () => {
    const put = await fetch(server.url, { method: 'PUT', body: 'x' });
    assert.equal(put.status, 405);
    assert.equal(code(await put.text()), 'MethodNotAllowed');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(server.url, { method: 'POST', headers: { 'content-length': 'abc' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 400);
    const alive = await post('Action=DescribeRegions&Version=2016-11-15');
    assert.equal(alive.status, 200);
  });
});
