import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { startTestServer, type TestCredentials, type TestServer } from '../support/harness.ts';
import { call, errorCode, send, signV4 } from '../support/sign.ts';

/** Sends raw bytes with node:http so any method, header and body can be used. */
function raw(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | string = '',
): Promise<{ status: number; body: string; requestId?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          requestId: res.headers['x-amzn-requestid'] as string | undefined,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Writes raw bytes to the server's port and returns everything it answers. */
function rawSocket(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('bad input gets the right AWS error and stores nothing', () => {
  let server: TestServer;
  let creds: TestCredentials;
  before(async () => {
    server = await startTestServer({ env: { PHANTOM_MAX_BODY_BYTES: '4096' } });
    creds = await server.addUser('erin');
  });
  after(() => server.close());

  const expectError = (
    res: { status: number; body: string; requestId?: string | null },
    status: number,
    code: string,
  ) => {
    assert.equal(res.status, status, res.body);
    assert.equal(errorCode(res.body), code);
    assert.match(
      res.body,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<ErrorResponse xmlns="http:\/\/autoscaling.amazonaws.com\/doc\/2011-01-01\/"><Error><Type>Sender<\/Type>/,
    );
    assert.match(res.requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(res.body.includes(`<RequestId>${res.requestId}</RequestId>`));
  };

  it('unsigned → MissingAuthenticationToken', async () => {
    expectError(
      await raw(server.url, 'GET', '/?Action=DescribeAutoScalingGroups&Version=2011-01-01', {}),
      403,
      'MissingAuthenticationToken',
    );
  });
  it('unknown key → InvalidClientTokenId; wrong secret → SignatureDoesNotMatch', async () => {
    expectError(
      await call(
        server.url,
        { accessKeyId: 'AKIDUNKNOWN000000000', secretAccessKey: 'x' },
        { Action: 'DescribeAutoScalingGroups' },
      ),
      403,
      'InvalidClientTokenId',
    );
    expectError(
      await call(server.url, { ...creds, secretAccessKey: 'wrong' }, { Action: 'DescribeAutoScalingGroups' }),
      403,
      'SignatureDoesNotMatch',
    );
  });
  it('expired or future-dated → RequestExpired', async () => {
    for (const skew of [-16, 16]) {
      expectError(
        await call(
          server.url,
          creds,
          { Action: 'DescribeAutoScalingGroups' },
          { date: new Date(Date.now() + skew * 60_000) },
        ),
        400,
        'RequestExpired',
      );
    }
  });
  it('a body changed after signing → SignatureDoesNotMatch, and nothing is created', async () => {
    const signed = await signV4(server.url, creds, {
      Action: 'CreateLaunchConfiguration',
      LaunchConfigurationName: 'lc1',
      ImageId: 'ami-1',
      InstanceType: 'm1',
    });
    expectError(
      await send(server.url, { ...signed, body: signed.body.replace('lc1', 'lc2') }),
      403,
      'SignatureDoesNotMatch',
    );
    const listed = await call(server.url, creds, { Action: 'DescribeLaunchConfigurations' });
    assert.match(listed.body, /<LaunchConfigurations><\/LaunchConfigurations>/);
  });
  it('oversized body → 413 RequestEntityTooLarge, before reading it', async () => {
    expectError(
      await raw(
        server.url,
        'POST',
        '/',
        { 'content-type': 'application/x-www-form-urlencoded' },
        `Action=DescribeAutoScalingGroups&Pad=${'x'.repeat(5000)}`,
      ),
      413,
      'RequestEntityTooLarge',
    );
  });
  it('other methods → 405; bad percent-encoding → MalformedQueryString', async () => {
    expectError(await raw(server.url, 'PUT', '/', {}), 405, 'MethodNotAllowed');
    expectError(await raw(server.url, 'GET', '/?Action=%ZZ', {}), 404, 'MalformedQueryString');
  });
  it('unparseable HTTP and oversized headers still get XML errors', async () => {
    const garbage = await rawSocket(server.url, 'NONSENSE\r\n\r\n');
    assert.match(garbage, /^HTTP\/1.1 404 MalformedQueryString\r\n[\s\S]*<Code>MalformedQueryString<\/Code>/);
    const huge = await rawSocket(server.url, `GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20000)}\r\n\r\n`);
    assert.match(
      huge,
      /^HTTP\/1.1 431 RequestHeaderFieldsTooLarge\r\n[\s\S]*x-amzn-RequestId: [0-9a-f-]{36}[\s\S]*<Code>RequestHeaderFieldsTooLarge<\/Code>/,
    );
    expectError(await raw(server.url, 'GET', '/?Action=DescribeAccountLimits', {}), 403, 'MissingAuthenticationToken');
  });
  it('a signed request without Action → MissingAction; non-form body → InvalidParameterValue', async () => {
    expectError(await call(server.url, creds, {}), 400, 'MissingAction');
    const signed = await signV4(server.url, creds, { Action: 'DescribeAutoScalingGroups' });
    expectError(
      await send(server.url, { ...signed, headers: { ...signed.headers, 'content-type': 'application/json' } }),
      400,
      'InvalidParameterValue',
    );
  });
  it('invalid input → ValidationError and nothing partial is stored', async () => {
    await call(server.url, creds, {
      Action: 'CreateLaunchConfiguration',
      LaunchConfigurationName: 'ok',
      ImageId: 'i',
      InstanceType: 't',
    });
    const res = await call(server.url, creds, {
      Action: 'CreateAutoScalingGroup',
      AutoScalingGroupName: 'half',
      LaunchConfigurationName: 'ok',
      MinSize: '1',
      MaxSize: '1',
      'AvailabilityZones.member.1': 'hotel',
      'Tags.member.1.Key': 'a',
      'Tags.member.1.Value': '1',
      'Tags.member.2.Key': 'a',
      'Tags.member.2.Value': '2',
    });
    expectError(res, 400, 'ValidationError');
    assert.match(
      (await call(server.url, creds, { Action: 'DescribeAutoScalingGroups' })).body,
      /<AutoScalingGroups><\/AutoScalingGroups>/,
    );
    expectError(
      await call(server.url, creds, {
        Action: 'SetDesiredCapacity',
        AutoScalingGroupName: 'x',
        DesiredCapacity: 'ten',
      }),
      400,
      'ValidationError',
    );
    expectError(
      await call(server.url, creds, {
        Action: 'CreateLaunchConfiguration',
        LaunchConfigurationName: 'u',
        ImageId: 'i',
        InstanceType: 't',
        UserData: 'not base64!',
      }),
      400,
      'ValidationError',
    );
  });
  it('answers GET and POST on any path, with and without a trailing slash', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['POST', '/'],
      ['GET', '/api/autoscale'],
      ['POST', '/api/autoscale/'],
    ] as const) {
      const res = await call(server.url, creds, { Action: 'DescribeAccountLimits' }, { method, path });
      assert.equal(res.status, 200, res.body);
      assert.match(
        res.body,
        /<DescribeAccountLimitsResult><MaxNumberOfAutoScalingGroups>500<\/MaxNumberOfAutoScalingGroups>/,
      );
      assert.equal(res.contentType, 'text/xml');
    }
  });
});
