import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  escapeRegex,
  escapeStringContent,
  MAX_VALUE_LENGTH,
  parsePromqlTemplate,
  renderPromqlTemplate,
  TemplateError,
} from './promql-template.ts';

const values = (group: string, owner = 'alice', dimensions: Record<string, string> = {}) => ({
  group,
  owner,
  dimensions: new Map(Object.entries(dimensions)),
});
const render = (template: string, group: string, dimensions: Record<string, string> = {}) =>
  renderPromqlTemplate(parsePromqlTemplate(template), values(group, 'alice', dimensions));
/** The value of the string literal `{g="…"}` renders to, read back with JSON's (Go-compatible) unquoting. */
const readBack = (rendered: string): string => {
  const match = /^\{g=~?"(.*)"\}$/s.exec(rendered);
  assert.ok(match, `not one matcher: ${rendered}`);
  assert.doesNotMatch(match[1]!, /(?<!\\)(?:\\\\)*"/, 'an unescaped quote ends the string early');
  return JSON.parse(`"${match[1]}"`) as string;
};

const HOSTILE = [
  'plain',
  'with "quotes"',
  '"}',
  '"} or up{job="',
  '\\',
  'back\\slash\\"',
  'new\nline',
  'cr\rtab\t',
  'nul\u0000bell\u0007del\u007f',
  'ünïcödé ✓ 𝄞 emoji 😀',
  '{{group}}',
  "`backtick` and 'single'",
  '# not a comment',
  'x'.repeat(MAX_VALUE_LENGTH),
];

describe('PromQL templates: substitution', () => {
  for (const value of HOSTILE) {
    it(`keeps ${JSON.stringify(value.slice(0, 40))} inside its string`, () => {
      assert.equal(readBack(render('{g="{{group}}"}', value)), value);
    });
  }

  it('escapes a value after =~ as an RE2 literal, so it cannot widen the match', () => {
    for (const value of ['.*', 'a|b', 'x.+', '(a)', '[a-z]', 'a{2}', '^$', 'back\\slash', '"}|.*']) {
      const pattern = readBack(render('{g=~"{{group}}"}', value));
      const re = new RegExp(`^(?:${pattern})$`);
      assert.ok(re.test(value), `${pattern} matches ${value}`);
      assert.ok(!re.test('other-group'), `${pattern} matches nothing else`);
    }
  });

  it('substitutes owner, group and declared dimensions, keeping the template text around them', () => {
    const rendered = render(
      'sum(rate(x{owner="{{owner}}", group="{{ group }}", stage!="{{dimension.Stage}}-canary"}[1m])) # {note}',
      'web',
      { Stage: 'prod' },
    );
    assert.equal(rendered, 'sum(rate(x{owner="alice", group="web", stage!="prod-canary"}[1m])) # {note}');
  });

  it('lists the declared dimensions once, in order of first use', () => {
    const t = parsePromqlTemplate('a{x="{{dimension.B}}", y="{{dimension.A}}"} + b{z="{{dimension.B}}"}');
    assert.deepEqual(t.dimensions, ['B', 'A']);
  });

  it('refuses values that cannot be escaped faithfully: too long, unpaired surrogates', () => {
    assert.throws(() => render('{g="{{group}}"}', 'x'.repeat(MAX_VALUE_LENGTH + 1)), /longer than 1024/);
    assert.throws(() => render('{g="{{group}}"}', 'a\uD800b'), /unpaired surrogate/);
    assert.throws(() => render('{g="{{group}}"}', '\uDC00'), TemplateError);
  });

  it('refuses a missing dimension value', () => {
    assert.throws(() => render('{g="{{dimension.Q}}"}', 'web'), /no value for dimension Q/);
  });
});

describe('PromQL templates: where placeholders may stand', () => {
  const refused: [string, RegExp][] = [
    ['up{job={{group}}}', /only stand inside a label matcher/],
    ['{{group}}', /only stand inside a label matcher/],
    ["up{job='{{group}}'}", /only stand inside a label matcher/],
    ['up{job=`{{group}}`}', /only stand inside a label matcher/],
    ['label_replace(up, "dst", "{{group}}", "src", ".*")', /only stand inside a label matcher/],
    ['up{"{{group}}"="x"}', /only stand inside a label matcher/],
    ['up == "{{group}}"', /only stand inside a label matcher/],
    ['up{job="x"} # {{group}}', /comment/],
    ['up{job="{{tenant}}"}', /unknown placeholder/],
    ['up{job="{{dimension.}}"}', /unknown placeholder/],
    ['up{job="{{group}"}', /unknown placeholder/],
    ['up{job="{{group}}}', /unterminated string/],
  ];
  for (const [template, pattern] of refused) {
    it(`refuses ${template}`, () => {
      assert.throws(
        () => parsePromqlTemplate(template),
        (e: unknown) => e instanceof TemplateError && pattern.test(e.message),
      );
    });
  }

  it('accepts placeholders after every matcher operator and keeps escaped quotes in the template', () => {
    for (const op of ['=', '!=', '=~', '!~'])
      assert.doesNotThrow(() => parsePromqlTemplate(`up{a="say \\"hi\\"", job${op}"{{group}}"}`));
  });

  it('leaves a template without placeholders as it is', () => {
    const source = 'sum(up{job="a"}) by (instance) > bool 0';
    assert.equal(renderPromqlTemplate(parsePromqlTemplate(source), values('g')), source);
  });
});

describe('PromQL escaping helpers', () => {
  it('escapes like Go: quotes, backslashes, control characters; other characters as they are', () => {
    assert.equal(escapeStringContent('a"b\\c\nd\u0001é'), 'a\\"b\\\\c\\nd\\u0001é');
    assert.equal(escapeRegex('a.b*c'), 'a\\.b\\*c');
  });
});
