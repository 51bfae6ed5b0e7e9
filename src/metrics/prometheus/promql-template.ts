/**
 * PromQL templates with placeholders: `{{group}}`, `{{owner}}` and `{{dimension.NAME}}`. A
 * placeholder may only stand inside the double-quoted value of a label matcher
 * (`{phantom_group="{{group}}"}`, `{job=~"{{dimension.Job}}-.*"}`), where the substituted value
 * is escaped as a PromQL string (and, after `=~` / `!~`, as an RE2 literal first), so no value
 * can leave its string or widen a regex. Placeholders anywhere else are refused when the
 * template is parsed. Pure.
 */

/** What a placeholder stands for. */
export type Placeholder =
  { readonly kind: 'group' } | { readonly kind: 'owner' } | { readonly kind: 'dimension'; readonly name: string };

type Part = { readonly text: string } | { readonly placeholder: Placeholder; readonly regex: boolean };

/** A parsed template: literal text and placeholders, in order. */
export interface PromqlTemplate {
  readonly source: string;
  readonly parts: readonly Part[];
  /** The dimension names the template declares, in first-use order. */
  readonly dimensions: readonly string[];
}

/** The values substituted into a template. */
export interface TemplateValues {
  readonly group: string;
  readonly owner: string;
  readonly dimensions: ReadonlyMap<string, string>;
}

/** A template that cannot be parsed, or a value that cannot be substituted safely. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Longest value substituted (CloudWatch's limit for a dimension value). */
export const MAX_VALUE_LENGTH = 1024;
const PLACEHOLDER = /^\{\{\s*(group|owner|dimension\.([A-Za-z_][A-Za-z0-9_.:-]{0,254}))\s*\}\}/;
/** Text before a double quote that makes the string a label matcher's value; group 1 is the operator. */
const MATCHER_BEFORE = /(=~|!~|!=|(?<![=<>!])=)\s*$/;

/**
 * Parses `source`. @throws TemplateError naming the offending position (a placeholder outside a
 * matcher's double-quoted value, an unknown placeholder, an unterminated string or placeholder).
 */
export function parsePromqlTemplate(source: string): PromqlTemplate {
  const lexer = new TemplateLexer(source);
  lexer.run();
  return { source, parts: lexer.parts.filter((p) => !('text' in p) || p.text !== ''), dimensions: lexer.dimensions };
}

/** One pass over a template: literal text, strings (with their placeholders), comments, brace depth. */
class TemplateLexer {
  readonly parts: Part[] = [];
  readonly dimensions: string[] = [];
  private text = '';
  /** Text outside strings since the last string, to see what precedes a quote. */
  private outside = '';
  private depth = 0;
  private i = 0;

  constructor(private readonly source: string) {}

  run(): void {
    const { source } = this;
    while (this.i < source.length) {
      const c = source[this.i]!;
      if (source.startsWith('{{', this.i)) this.fail('a placeholder may only stand inside a label matcher\'s "value"');
      if (c === '#') this.comment();
      else if (c === '"' || c === "'" || c === '`') this.string(c);
      else {
        if (c === '{') this.depth++;
        if (c === '}') this.depth = Math.max(0, this.depth - 1);
        this.text += c;
        this.outside += c;
        this.i++;
      }
    }
    this.parts.push({ text: this.text });
  }

  private fail(why: string): never {
    throw new TemplateError(`${why} at offset ${this.i}`);
  }

  private comment(): void {
    const newline = this.source.indexOf('\n', this.i);
    const end = newline < 0 ? this.source.length : newline;
    if (this.source.slice(this.i, end).includes('{{')) this.fail('a placeholder may not stand in a comment');
    this.text += this.source.slice(this.i, end);
    this.i = end;
  }

  private string(quote: string): void {
    const { source } = this;
    const matcher = quote === '"' && this.depth > 0 ? MATCHER_BEFORE.exec(this.outside)?.[1] : undefined;
    this.text += quote;
    this.i++;
    for (;;) {
      if (this.i >= source.length) this.fail('unterminated string');
      const s = source[this.i]!;
      const step = s === '\\' && quote !== '`' ? 2 : 1;
      if (source.startsWith('{{', this.i)) {
        this.placeholder(matcher);
        continue;
      }
      this.text += source.slice(this.i, this.i + step);
      this.i += step;
      if (s === quote) break;
    }
    this.outside = '';
  }

  private placeholder(matcher: string | undefined): void {
    const found = PLACEHOLDER.exec(this.source.slice(this.i));
    if (!found) this.fail('unknown placeholder (known: {{group}}, {{owner}}, {{dimension.NAME}})');
    if (matcher === undefined) this.fail('a placeholder may only stand inside a label matcher\'s "value"');
    const placeholder: Placeholder =
      found[2] !== undefined ? { kind: 'dimension', name: found[2] } : { kind: found[1] as 'group' | 'owner' };
    if (placeholder.kind === 'dimension' && !this.dimensions.includes(placeholder.name))
      this.dimensions.push(placeholder.name);
    this.parts.push({ text: this.text }, { placeholder, regex: matcher === '=~' || matcher === '!~' });
    this.text = '';
    this.i += found[0].length;
  }
}

/** The template with every placeholder replaced by its escaped value. @throws TemplateError for a value that cannot be escaped. */
export function renderPromqlTemplate(template: PromqlTemplate, values: TemplateValues): string {
  return template.parts
    .map((part) => {
      if ('text' in part) return part.text;
      const { placeholder } = part;
      const [what, value] =
        placeholder.kind === 'dimension'
          ? [`dimension ${placeholder.name}`, values.dimensions.get(placeholder.name)]
          : [placeholder.kind, values[placeholder.kind]];
      if (value === undefined) throw new TemplateError(`no value for ${what}`);
      checkValue(what, value);
      return escapeStringContent(part.regex ? escapeRegex(value) : value);
    })
    .join('');
}

/** Refuses a value no escaping can carry faithfully: too long, or not well-formed Unicode. */
export function checkValue(what: string, value: string): void {
  if (value.length > MAX_VALUE_LENGTH)
    throw new TemplateError(`the ${what} is longer than ${MAX_VALUE_LENGTH} characters`);
  if (/[\uD800-\uDFFF]/u.test(value))
    throw new TemplateError(`the ${what} holds an unpaired surrogate (not valid Unicode)`);
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\\"\u0000-\u001f\u007f]/g;

/** `value` as the content of a double-quoted PromQL string (Go escaping): quotes, backslashes and control characters escaped. */
export const escapeStringContent = (value: string): string =>
  value.replace(NEEDS_ESCAPE, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** `value` as an RE2 pattern matching exactly that text (Go's regexp.QuoteMeta). */
export const escapeRegex = (value: string): string => value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
