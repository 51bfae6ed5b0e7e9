import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeInput, paramTree } from './decode.ts';
import { ApiError } from './errors.ts';
import { checkParamCount, decodeForm, MAX_PARAMS } from './form.ts';
import { bool, int, list, opt, req, str, struct, xmlString } from './shape.ts';

const shape = struct({
  Name: req(xmlString(10)),
  Size: opt(int({ min: 0 })),
  Force: opt(bool()),
  Zones: opt(list(str())),
  Tags: opt(list(struct({ Key: req(str()), Value: opt(str()) }), 3)),
  Monitoring: opt(struct({ Enabled: opt(bool()) })),
});
const decode = (raw: string) => decodeInput(shape, paramTree(decodeForm(raw)));
const validation = (raw: string, pattern: RegExp) =>
  assert.throws(
    () => decode(raw),
    (e: unknown) => e instanceof ApiError && e.code === 'ValidationError' && pattern.test(e.message),
  );

describe('form decoding', () => {
  it('treats + as space and decodes UTF-8 percent escapes', () => {
    assert.deepEqual(decodeForm('a=asg+1&b=a%2Bb&c=%E2%9C%93&d'), [
      ['a', 'asg 1'],
      ['b', 'a+b'],
      ['c', '✓'],
      ['d', ''],
    ]);
  });
  it('refuses more than MAX_PARAMS parameters, counting query and body together', () => {
    const many = (n: number, prefix = 'P') => Array.from({ length: n }, (_, i) => `${prefix}${i}=v`).join('&');
    assert.equal(decodeForm(many(MAX_PARAMS)).length, MAX_PARAMS);
    const tooMany = (e: unknown) =>
      e instanceof ApiError && e.code === 'InvalidParameterValue' && e.message.includes(`more than ${MAX_PARAMS}`);
    assert.throws(() => decodeForm(many(MAX_PARAMS + 1)), tooMany);
    assert.throws(() => decodeForm(many(40_000)), tooMany);
    const fromQuery = decodeForm(many(MAX_PARAMS - 1, 'Q'));
    assert.equal(decodeForm('A=1', fromQuery).length, MAX_PARAMS);
    assert.throws(() => decodeForm('B=2', fromQuery), tooMany);
    checkParamCount(Buffer.from(many(MAX_PARAMS)), 0);
    checkParamCount(Buffer.from(many(MAX_PARAMS - 1)), 1);
    assert.throws(() => checkParamCount(Buffer.from(many(MAX_PARAMS)), 1), tooMany);
    assert.throws(() => checkParamCount(Buffer.from(many(40_000)), 0), tooMany);
  });
  it('refuses a malformed escape', () => {
    assert.throws(
      () => decodeForm('a=%E2%9C'),
      (e: unknown) => e instanceof ApiError && e.code === 'MalformedQueryString',
    );
    assert.throws(
      () => decodeForm('a=%zz'),
      (e: unknown) => e instanceof ApiError && e.code === 'MalformedQueryString',
    );
  });
});

describe('input decoding', () => {
  it('decodes scalars, member lists in index order, structures and nested fields', () => {
    const input = decode(
      'Name=n&Size=3&Force=TRUE&Zones.member.2=b&Zones.member.1=a&Tags.member.1.Key=k&Tags.member.1.Value=v&Monitoring.Enabled=false&Unknown=x&Action=X&Version=2011-01-01',
    );
    assert.deepEqual(input, {
      Name: 'n',
      Size: 3,
      Force: true,
      Zones: ['a', 'b'],
      Tags: [{ Key: 'k', Value: 'v' }],
      Monitoring: { Enabled: false },
    });
  });
  it('reads a bare key as an empty list', () => {
    assert.deepEqual(decode('Name=n&Zones='), { Name: 'n', Zones: [] });
  });
  it('reports a missing required member in AWS wording', () =>
    validation(
      'Size=1',
      /^1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null$/,
    ));
  it('counts several errors', () => validation('Size=-1&Force=maybe', /^3 validation errors detected/));
  it('refuses bad integers, booleans and lengths', () => {
    validation('Name=n&Size=1.5', /Member must be an integer/);
    validation('Name=n&Size=99999999999', /Member must be an integer|32-bit/);
    validation('Name=n&Force=yes', /boolean/);
    validation('Name=01234567890', /length less than or equal to 10/);
    validation('Name=', /length greater than or equal to 1/);
    validation('Name=a%00b', /regular expression/);
  });
  it('refuses bad list indexes and over-long lists', () => {
    validation('Name=n&Zones.member.0=a', /index/);
    validation('Name=n&Zones.member.x=a', /index/);
    validation('Name=n&Zones.member.1001=a', /index/);
    validation(
      'Name=n&Tags.member.1.Key=a&Tags.member.2.Key=b&Tags.member.3.Key=c&Tags.member.4.Key=d',
      /length less than or equal to 3/,
    );
    validation('Name=n&Tags.member.1.Value=v', /tags\.1\.member\.key/i);
  });
  it('refuses a parameter given twice', () => {
    assert.throws(
      () => decode('Name=a&Name=b'),
      (e: unknown) => e instanceof ApiError && e.code === 'InvalidParameterValue',
    );
  });
  it('refuses Action or Version given twice, in one place or across query and body', () => {
    const twice = (params: Array<[string, string]>) =>
      assert.throws(
        () => paramTree(params),
        (e: unknown) => e instanceof ApiError && e.code === 'InvalidParameterValue' && /more than once/.test(e.message),
      );
    twice(decodeForm('Action=DescribeAutoScalingGroups&Action=DeleteAutoScalingGroup&Name=n'));
    twice(decodeForm('Version=2011-01-01&Name=n&Version=2011-01-01'));
    // requestParams puts the query's parameters first, then the body's.
    twice([...decodeForm('Action=DescribeAutoScalingGroups'), ...decodeForm('Action=DeleteAutoScalingGroup')]);
    assert.deepEqual(decode('Action=A&Version=2011-01-01&Name=n'), { Name: 'n' });
  });
  it('ignores signature parameters', () => {
    assert.deepEqual(
      decode('Name=n&AWSAccessKeyId=AK&Signature=s&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=t'),
      { Name: 'n' },
    );
  });
});

describe('XML-safe strings', () => {
  it('accept supplementary characters and refuse lone surrogates', () => {
    assert.deepEqual(decode('Name=%F0%9F%98%80'), { Name: '😀' });
    assert.throws(
      () => decodeInput(shape, paramTree([['Name', 'a\uD800']])),
      (e: unknown) => e instanceof ApiError && e.code === 'ValidationError',
    );
  });
});
