import { MetricSourceError } from '../../contracts/metric-source.ts';
import { isRecord } from '../../lib/is-record.ts';

/** Longest piece of Prometheus's own error text put in a message. */
const MAX_ERROR_TEXT = 300;
/** Prometheus error types that mean "try again later" rather than "this query is wrong". */
const TRANSIENT_ERROR_TYPES = new Set(['timeout', 'canceled', 'unavailable']);

/**
 * The one number of an instant query's answer, with KEDA's rules: exactly one series of an
 * instant vector; none reads as 0 when `ignoreNullValues`, else is an error; several series,
 * NaN, ±Inf, or another result type are errors. `status` is the HTTP status, `body` the
 * parsed JSON (undefined when the body was not JSON); `label` names the query in messages. Pure.
 * @throws MetricSourceError `QueryFailed` (Prometheus refused it), `Unavailable` (a server-side
 * or transient failure), `BadResult` (not exactly one finite number).
 */
export function readInstantResult(status: number, body: unknown, ignoreNullValues: boolean, label: string): number {
  if (isRecord(body) && body.status === 'error') {
    const type = typeof body.errorType === 'string' ? body.errorType : 'error';
    const text = typeof body.error === 'string' ? clip(body.error) : 'no reason given';
    const code = status >= 500 || TRANSIENT_ERROR_TYPES.has(type) ? 'Unavailable' : 'QueryFailed';
    throw new MetricSourceError(code, `Prometheus refused ${label}: ${type}: ${text}`);
  }
  if (status < 200 || status > 299)
    throw new MetricSourceError(
      status >= 500 ? 'Unavailable' : 'QueryFailed',
      `Prometheus answered HTTP ${status} to ${label}`,
    );
  const data = isRecord(body) && body.status === 'success' && isRecord(body.data) ? body.data : undefined;
  if (!data || typeof data.resultType !== 'string' || !Array.isArray(data.result))
    throw new MetricSourceError('Unavailable', `Prometheus's answer to ${label} is not a query result`);
  if (data.resultType !== 'vector')
    throw bad(`${label} returned a ${data.resultType}, not an instant vector (wrap a scalar in vector(...))`);
  const series = data.result;
  if (series.length === 0) {
    if (ignoreNullValues) return 0;
    throw bad(`${label} returned no series (the target may be lost)`);
  }
  if (series.length > 1)
    throw bad(`${label} returned ${series.length} series; exactly one is expected (aggregate it, e.g. with sum)`);
  return sampleValue(series[0], label);
}

function sampleValue(sample: unknown, label: string): number {
  const pair = isRecord(sample) ? sample.value : undefined;
  const text = Array.isArray(pair) && pair.length === 2 ? pair[1] : undefined;
  if (typeof text !== 'string')
    throw new MetricSourceError('Unavailable', `Prometheus's answer to ${label} has no sample value`);
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw bad(`${label} returned ${clip(text, 40)}, not a finite number`);
  return value;
}

const clip = (text: string, max = MAX_ERROR_TEXT): string => (text.length > max ? `${text.slice(0, max)}…` : text);
const bad = (message: string): MetricSourceError => new MetricSourceError('BadResult', message);
