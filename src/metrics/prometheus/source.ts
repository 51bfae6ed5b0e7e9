import {
  MetricSourceError,
  type MetricQuery,
  type MetricSource,
  type MetricSubject,
} from '../../contracts/metric-source.ts';
import { DEFAULT_BACKOFF, FailureBackoff, type BackoffTimes } from './failure-backoff.ts';
import { ConcurrencyLimiter } from './limiter.ts';
import { resolvePrometheusQuery, type ResolvedQuery } from './resolve.ts';
import { readInstantResult } from './result.ts';
import { PROMETHEUS_NAMESPACE, type PrometheusSettings } from './settings.ts';

/** Largest answer read from Prometheus; a bigger one is refused (one series is a few hundred bytes). */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** What a PrometheusSource needs. */
export interface PrometheusSourceOptions {
  readonly settings: PrometheusSettings;
  /** Optional. The HTTP client (default: Node's fetch); tests inject failures here. */
  readonly fetch?: typeof fetch;
  /** Optional. The pauses after consecutive failures of one query (default 5 s doubling to 5 min). */
  readonly backoff?: BackoffTimes;
}

/**
 * The Prometheus metric source: one instant query (`POST {url}/api/v1/query`, `time` = the
 * evaluation's `now`) per call, with the settings' timeout and concurrency bound, KEDA's result
 * rules (see readInstantResult), and a growing pause for a query that keeps failing. Messages
 * never contain the configured headers or the server's address.
 */
export class PrometheusSource implements MetricSource {
  private readonly settings: PrometheusSettings;
  private readonly fetch: typeof fetch;
  private readonly backoff: FailureBackoff;
  private readonly limiter: ConcurrencyLimiter;

  constructor(options: PrometheusSourceOptions) {
    this.settings = options.settings;
    this.fetch = options.fetch ?? fetch;
    this.backoff = new FailureBackoff(options.backoff ?? DEFAULT_BACKOFF);
    this.limiter = new ConcurrencyLimiter(options.settings.maxConcurrency);
  }

  handles(namespace: string): boolean {
    return namespace === PROMETHEUS_NAMESPACE;
  }

  validate(subject: MetricSubject): void {
    resolvePrometheusQuery(this.settings, subject);
  }

  async query(request: MetricQuery): Promise<number> {
    const resolved = resolvePrometheusQuery(this.settings, request);
    this.backoff.check(resolved.promql, resolved.label, request.now);
    try {
      const value = await this.limiter.run(
        () => this.instantQuery(resolved, request.now, request.signal),
        request.signal,
      );
      this.backoff.succeeded(resolved.promql);
      return value;
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason;
      const failure =
        error instanceof MetricSourceError
          ? error
          : new MetricSourceError('Unavailable', `${resolved.label} failed unexpectedly`, { cause: error });
      this.backoff.failed(resolved.promql, failure.message, request.now);
      throw failure;
    }
  }

  private async instantQuery(resolved: ResolvedQuery, now: Date, signal: AbortSignal): Promise<number> {
    const { timeoutMs } = this.settings;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error('timed out')), timeoutMs);
    try {
      const { status, text } = await this.post(resolved, now, AbortSignal.any([signal, timeout.signal]));
      return readInstantResult(status, parseJson(text), resolved.ignoreNullValues, resolved.label);
    } catch (error) {
      if (signal.aborted || error instanceof MetricSourceError) throw error;
      const { label } = resolved;
      if (timeout.signal.aborted)
        throw new MetricSourceError('Unavailable', `Prometheus did not answer ${label} within ${timeoutMs} ms`);
      const message = `Prometheus could not be reached for ${label} (${reason(error)})`;
      throw new MetricSourceError('Unavailable', message, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** One POST to /api/v1/query: the status and the (capped) body. */
  private async post(
    resolved: ResolvedQuery,
    now: Date,
    signal: AbortSignal,
  ): Promise<{ status: number; text: string }> {
    const { url, headers, timeoutMs } = this.settings;
    const response = await this.fetch(`${url}/api/v1/query`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        query: resolved.promql,
        time: (now.getTime() / 1000).toFixed(3),
        timeout: `${timeoutMs / 1000}s`,
      }).toString(),
      signal,
      redirect: 'error',
    });
    return { status: response.status, text: await readCapped(response, resolved.label) };
  }
}

/** The body as text, refused past MAX_ANSWER_BYTES. */
async function readCapped(response: Response, label: string): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new MetricSourceError(
        'BadResult',
        `Prometheus's answer to ${label} is larger than ${MAX_ANSWER_BYTES} bytes`,
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** A network failure in a few words: the system error code (ECONNREFUSED, …), never an address or a header. */
function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string' && /^[A-Z_0-9]{2,40}$/.test(cause.code)) return cause.code;
  if (cause?.message === 'unexpected redirect') return 'it answered with a redirect, which is not followed';
  return 'network error';
}
