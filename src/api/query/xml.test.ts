import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorXml, escapeXml, RawXml, successXml } from './xml.ts';

describe('XML writer', () => {
  it('writes the AWS success envelope with members in order and omits absent fields', () => {
    const xml = successXml('DescribeThings', 'rid-1', {
      Things: [
        { Name: 'a&b', Size: 0, Empty: undefined, Gone: null, Flag: false, When: new Date('2026-01-02T03:04:05.006Z') },
      ],
      NextToken: undefined,
    });
    assert.equal(
      xml,
      '<?xml version="1.0" encoding="UTF-8"?>\n<DescribeThingsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeThingsResult><Things><member><Name>a&amp;b</Name><Size>0</Size><Flag>false</Flag><When>2026-01-02T03:04:05.006Z</When></member></Things></DescribeThingsResult><ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata></DescribeThingsResponse>',
    );
  });
  it('has no Result element for actions without output', () => {
    assert.doesNotMatch(successXml('CreateThing', 'r', undefined), /Result/);
  });
  it('writes an empty list as an empty element', () => {
    assert.match(successXml('X', 'r', { Items: [] }), /<Items><\/Items>/);
  });
  it('emits RawXml verbatim, inside its element', () => {
    assert.match(
      successXml('X', 'r', { Items: new RawXml('<member>a&amp;b</member>') }),
      /<Items><member>a&amp;b<\/member><\/Items>/,
    );
  });
  it('escapes markup and replaces characters XML 1.0 cannot carry', () => {
    assert.equal(
      escapeXml(`<a href="x">'&\u0000\u0007\uD800x\uDFFF`),
      '&lt;a href=&quot;x&quot;&gt;&apos;&amp;\uFFFD\uFFFD\uFFFDx\uFFFD',
    );
    assert.equal(escapeXml('😀'), '😀');
  });
  it('writes the error envelope with Sender or Receiver', () => {
    assert.match(
      errorXml('ValidationError', 'bad <x>', 400, 'r'),
      /<Error><Type>Sender<\/Type><Code>ValidationError<\/Code><Message>bad &lt;x&gt;<\/Message><\/Error><RequestId>r<\/RequestId>/,
    );
    assert.match(errorXml('InternalFailure', 'oops', 500, 'r'), /<Type>Receiver<\/Type>/);
  });
});
