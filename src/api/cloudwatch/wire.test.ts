import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerMap } from '../http/raw-request.ts';
import { CwError } from './errors.ts';
import { decodePairs, protocolOf, queryInput } from './wire.ts';

const request = (headers: string[], body = '', rawQuery = '', method = 'POST') => ({
  method,
  path: '/',
  rawQuery,
  headers: headerMap(headers),
  body: Buffer.from(body),
});

describe('CloudWatch routing', () => {
  it('claims JSON by target or content type, Query by credential scope or Version, and nothing else', () => {
    assert.equal(protocolOf(request(['X-Amz-Target', 'GraniteServiceVersion20100801.ListMetrics'])), 'json');
    assert.equal(protocolOf(request(['X-Amz-Target', 'Wrong.Prefix'])), 'json');
    assert.equal(protocolOf(request(['Content-Type', 'application/x-amz-json-1.0'])), 'json');
    const scope =
      'AWS4-HMAC-SHA256 Credential=AK/20261125/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=00';
    assert.equal(protocolOf(request(['Authorization', scope], 'Action=ListMetrics')), 'query');
    assert.equal(protocolOf(request([], 'Action=ListMetrics&Version=2010-08-01')), 'query');
    assert.equal(protocolOf(request([], '', 'Action=ListMetrics&Version=2010-08-01', 'GET')), 'query');
    const autoscaling = scope.replace('monitoring', 'autoscaling');
    assert.equal(
      protocolOf(request(['Authorization', autoscaling], 'Action=DescribeAutoScalingGroups&Version=2011-01-01')),
      undefined,
    );
    assert.equal(protocolOf(request([], 'Action=X&Version=2010-08-010')), undefined);
  });
});

describe('queryInput', () => {
  it('turns member lists into arrays in index order and keeps leaves as strings', () => {
    const input = queryInput(
      decodePairs(
        'Action=PutMetricData&Version=2010-08-01&Namespace=N&MetricData.member.2.MetricName=b&MetricData.member.1.MetricName=a' +
          '&MetricData.member.1.Dimensions.member.1.Name=x&MetricData.member.1.Dimensions.member.1.Value=1%2B2' +
          '&MetricData.member.2.Dimensions=&MetricData.member.2.Values.member.1=3.5',
      ),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(input)), {
      Namespace: 'N',
      MetricData: [
        { MetricName: 'a', Dimensions: [{ Name: 'x', Value: '1+2' }] },
        { MetricName: 'b', Dimensions: '', Values: ['3.5'] },
      ],
    });
  });

  it('keeps __proto__ a plain member', () => {
    const input = queryInput(decodePairs('__proto__.Namespace=X&MetricData.member.1.__proto__.MetricName=y'));
    assert.equal(input.Namespace, undefined);
    assert.equal((input.MetricData as Record<string, unknown>[])[0]!.MetricName, undefined);
  });

  it('refuses repeated parameters and bad list indexes', () => {
    assert.throws(() => queryInput(decodePairs('Namespace=a&Namespace=b')), CwError);
    assert.throws(() => queryInput(decodePairs('MetricData.member.0.MetricName=a')), /list index/);
    assert.throws(() => queryInput(decodePairs('MetricData.member.1001.MetricName=a')), /list index/);
    assert.throws(() => queryInput(decodePairs('MetricData.member.x.MetricName=a')), /list index/);
  });
});
