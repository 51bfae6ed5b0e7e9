import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PhantomError } from '../contracts/errors.ts';
import { checkHealthCheckHost, healthCheckTarget, parseHealthCheck } from './health-check.ts';

const tag = (key: string, value: string) => ({ key, value, propagateAtLaunch: false });
const urlTag = (url: string) => [tag('health_check_url', url)];

/** Parses and applies the write-time host rule, as checkTags does. */
const accept = (url: string, allowHosts: readonly string[] = []) =>
  checkHealthCheckHost(parseHealthCheck(urlTag(url))!, allowHosts);

const refusedByHostRule = (url: string, allowHosts: readonly string[] = []) =>
  assert.throws(
    () => accept(url, allowHosts),
    (e: unknown) =>
      e instanceof PhantomError &&
      e.code === 'Validation' &&
      /host must be \{address\}, \{public_address\} or \{private_address\}/.test(e.message),
    url,
  );

describe('health check URL hosts', () => {
  it("accept only the instance's own address placeholders as host, with any port and path", () => {
    for (const url of [
      'http://{address}/health',
      'http://{address}:8080/health?id={instance_id}',
      'https://{public_address}:443/',
      'http://{private_address}',
      'HTTP://{address}:1/x',
      'http://{address}\\@169.254.169.254/', // a backslash ends the host in http URLs: the path is /@169…
    ])
      assert.doesNotThrow(() => accept(url), url);
  });

  it('refuse IP literals, names, userinfo tricks, encoded and IPv6 hosts', () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://127.0.0.1:8445/',
      'http://localhost:8445/',
      'http://[::1]:8445/',
      'http://[fe80::1]/',
      'http://0x7f000001/',
      'http://%31%36%39.254.169.254/',
      'http://{address}@169.254.169.254/',
      'http://user:{address}@169.254.169.254/',
      'http://{address}:80@169.254.169.254/',
      'http://169.254.169.254#@{address}/',
      'http://169.254.169.254?@{address}/',
      'http://{address}.evil.example/',
      'http://evil.example/{address}',
      'http://{instance_id}/',
      'http:{address}/',
      'http:/{address}/',
    ])
      refusedByHostRule(url);
    assert.throws(
      () => accept('http://{address}{private_address}/'),
      (e: unknown) => e instanceof PhantomError && e.code === 'Validation',
      'two addresses side by side make no host',
    );
  });

  it('refuse other schemes', () => {
    for (const url of ['ftp://{address}/', 'file:///etc/passwd', 'gopher://{address}:70/', 'javascript:alert(1)'])
      assert.throws(
        () => accept(url),
        (e: unknown) => e instanceof PhantomError && e.code === 'Validation' && /http or https URL/.test(e.message),
        url,
      );
  });

  it('accept a host the operator allows, in canonical form, and no other', () => {
    assert.doesNotThrow(() => accept('http://health.internal:9000/ping', ['health.internal']));
    assert.doesNotThrow(() => accept('http://HEALTH.internal/ping', ['health.internal']));
    assert.doesNotThrow(() => accept('http://127.0.0.1:9000/ping', ['127.0.0.1']));
    assert.doesNotThrow(() => accept('http://0x7f000001/', ['127.0.0.1']), 'the same address, spelled otherwise');
    assert.doesNotThrow(() => accept('http://[::1]:9000/', ['::1']));
    refusedByHostRule('http://health.internal.evil.example/', ['health.internal']);
    refusedByHostRule('http://169.254.169.254/', ['127.0.0.1']);
    refusedByHostRule('http://127.0.0.1@169.254.169.254/', ['127.0.0.1']);
  });
});

describe('health check probe targets', () => {
  const instance = { id: 'i-1', privateAddress: '127.1.0.1', publicAddress: '127.2.0.1' };

  it("fill the template with the instance's address", () => {
    const check = parseHealthCheck(urlTag('http://{private_address}:8080/h/{instance_id}'))!;
    assert.deepEqual(healthCheckTarget(check, instance, []), { url: 'http://127.1.0.1:8080/h/i-1' });
  });

  it('refuse, at probe time, a stored template whose host is no longer allowed', () => {
    const check = parseHealthCheck(urlTag('http://169.254.169.254/latest'))!;
    const target = healthCheckTarget(check, instance, []);
    assert.ok('refused' in target);
    assert.match(target.refused, /host must be \{address\}/);
    assert.deepEqual(healthCheckTarget(check, instance, ['169.254.169.254']), {
      url: 'http://169.254.169.254/latest',
    });
  });

  it('say so when the instance lacks the address', () => {
    const check = parseHealthCheck(urlTag('http://{public_address}/'))!;
    const target = healthCheckTarget(check, { id: 'i-2', privateAddress: '127.1.0.2' }, []);
    assert.deepEqual(target, { refused: 'instance i-2 has no address for http://{public_address}/' });
  });
});
