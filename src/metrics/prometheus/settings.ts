import { isRecord } from '../../lib/is-record.ts';
import { parsePromqlTemplate, TemplateError, type PromqlTemplate } from './promql-template.ts';

/** The reserved CloudWatch namespace whose metrics Phantom reads from Prometheus. */
export const PROMETHEUS_NAMESPACE = 'Phantom/Prometheus';
/** The reserved MetricName of a free-form query (its PromQL in the dimension FREE_FORM_DIMENSION). */
export const FREE_FORM_METRIC = 'PromQL';
/** The dimension holding a free-form query's PromQL. */
export const FREE_FORM_DIMENSION = 'Query';

/** One operator-defined query, selected by a policy's MetricName. */
export interface NamedQuery {
  readonly template: PromqlTemplate;
  /** An empty result reads as 0 (true, KEDA's default) or is an error (false). */
  readonly ignoreNullValues: boolean;
}

/** The Prometheus metric source's settings (config file `metrics.prometheus`). */
export interface PrometheusSettings {
  /** The server's base URL (http or https, no credentials, query or fragment); `/api/v1/query` is appended. */
  readonly url: string;
  /** Sent with every query (e.g. Authorization). Secret: never logged, never in a message. */
  readonly headers: Readonly<Record<string, string>>;
  /** One query is abandoned after this long. Default 5000. */
  readonly timeoutMs: number;
  /** Queries in flight at once, over all groups. Default 4. */
  readonly maxConcurrency: number;
  /** Default for queries that do not set their own. Default true. */
  readonly ignoreNullValues: boolean;
  /** Whether a policy may give its own PromQL (MetricName PromQL, dimension Query). Default false: trusted single-tenant setups only. */
  readonly allowFreeFormQueries: boolean;
  /** The named queries, by MetricName. */
  readonly queries: ReadonlyMap<string, NamedQuery>;
}

/** A `metrics.prometheus` setting that cannot be used; the message names the field, never a header value. */
export class PrometheusSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusSettingsError';
  }
}

const KNOWN = ['url', 'headers', 'timeoutMs', 'maxConcurrency', 'ignoreNullValues', 'allowFreeFormQueries', 'queries'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the source sets itself, or that would break the request. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'connection', 'transfer-encoding']);
const QUERY_NAME = /^[A-Za-z0-9_.:/-]{1,255}$/;

/**
 * Validates `raw` (the config file's `metrics.prometheus` mapping) into settings; `at` prefixes
 * every message (e.g. `metrics.prometheus`). Pure.
 * @throws PrometheusSettingsError naming the field at fault.
 */
export function parsePrometheusSettings(raw: unknown, at: string): PrometheusSettings {
  if (!isRecord(raw)) throw new PrometheusSettingsError(`${at} must be a mapping with at least a url`);
  const extra = Object.keys(raw).find((key) => !KNOWN.includes(key));
  if (extra !== undefined)
    throw new PrometheusSettingsError(`${at}: unknown key ${extra} (known: ${KNOWN.join(', ')})`);
  const ignoreNullValues = readBoolean(raw.ignoreNullValues, `${at}.ignoreNullValues`, true);
  return {
    url: readUrl(raw.url, `${at}.url`),
    headers: readHeaders(raw.headers, `${at}.headers`),
    timeoutMs: readInteger(raw.timeoutMs, `${at}.timeoutMs`, 5000, [1, 600_000]),
    maxConcurrency: readInteger(raw.maxConcurrency, `${at}.maxConcurrency`, 4, [1, 256]),
    ignoreNullValues,
    allowFreeFormQueries: readBoolean(raw.allowFreeFormQueries, `${at}.allowFreeFormQueries`, false),
    queries: readQueries(raw.queries, `${at}.queries`, ignoreNullValues),
  };
}

function readUrl(raw: unknown, at: string): string {
  let url: URL | undefined;
  try {
    url = typeof raw === 'string' ? new URL(raw) : undefined;
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new PrometheusSettingsError(`${at} must be an http or https URL, e.g. http://127.0.0.1:9090`);
  if (url.username || url.password)
    throw new PrometheusSettingsError(`${at} must not hold credentials: put them in headers (e.g. Authorization)`);
  if (url.search || url.hash) throw new PrometheusSettingsError(`${at} must not have a query or fragment`);
  return url.href.replace(/\/+$/, '');
}

function readHeaders(raw: unknown, at: string): Record<string, string> {
  if (raw === undefined) return {};
  if (!isRecord(raw)) throw new PrometheusSettingsError(`${at} must map header names to string values`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!HEADER_NAME.test(name))
      throw new PrometheusSettingsError(`${at}: ${JSON.stringify(name)} is not a header name`);
    if (RESERVED_HEADERS.has(name.toLowerCase()))
      throw new PrometheusSettingsError(`${at}.${name} is set by Phantom and may not be configured`);
    // The value is a secret: the messages say what is wrong with it, never what it is.
    if (typeof value !== 'string') throw new PrometheusSettingsError(`${at}.${name} must be a string`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000a-\u001f\u007f]|[^\u0000-\u00ff]/.test(value))
      throw new PrometheusSettingsError(`${at}.${name} holds a control or non-Latin-1 character`);
    headers[name] = value;
  }
  return headers;
}

function readQueries(raw: unknown, at: string, ignoreNullValues: boolean): Map<string, NamedQuery> {
  const queries = new Map<string, NamedQuery>();
  if (raw === undefined) return queries;
  if (!isRecord(raw)) throw new PrometheusSettingsError(`${at} must map query names to PromQL templates`);
  for (const [name, value] of Object.entries(raw)) {
    const where = `${at}.${name}`;
    if (!QUERY_NAME.test(name))
      throw new PrometheusSettingsError(
        `${at}: ${JSON.stringify(name)} is not a query name (1-255 of A-Z a-z 0-9 _ . : / -)`,
      );
    if (name === FREE_FORM_METRIC)
      throw new PrometheusSettingsError(`${at}: ${FREE_FORM_METRIC} is reserved for free-form queries`);
    const spec = typeof value === 'string' ? { query: value } : value;
    if (!isRecord(spec) || typeof spec.query !== 'string' || spec.query.trim() === '')
      throw new PrometheusSettingsError(`${where} must be a PromQL template, or a mapping {query, ignoreNullValues}`);
    const extra = Object.keys(spec).find((key) => key !== 'query' && key !== 'ignoreNullValues');
    if (extra !== undefined)
      throw new PrometheusSettingsError(`${where}: unknown key ${extra} (known: query, ignoreNullValues)`);
    queries.set(name, {
      template: readTemplate(spec.query, where),
      ignoreNullValues: readBoolean(spec.ignoreNullValues, `${where}.ignoreNullValues`, ignoreNullValues),
    });
  }
  return queries;
}

function readTemplate(query: string, at: string): PromqlTemplate {
  try {
    return parsePromqlTemplate(query);
  } catch (error) {
    if (error instanceof TemplateError) throw new PrometheusSettingsError(`${at}: ${error.message}`);
    throw error;
  }
}

function readBoolean(raw: unknown, at: string, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'boolean') throw new PrometheusSettingsError(`${at} must be true or false`);
  return raw;
}

function readInteger(raw: unknown, at: string, fallback: number, [min, max]: [number, number]): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max)
    throw new PrometheusSettingsError(`${at} must be an integer from ${min} to ${max}`);
  return raw;
}
