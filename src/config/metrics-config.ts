import { isRecord } from '../lib/is-record.ts';
import {
  parsePrometheusSettings,
  PrometheusSettingsError,
  type PrometheusSettings,
} from '../metrics/prometheus/settings.ts';

/** Where metric values come from (config file `metrics`); absent sources are not available. */
export interface MetricsConfig {
  /** Optional. The operator's Prometheus (`metrics.prometheus`); absent = no Prometheus source. */
  prometheus?: PrometheusSettings;
}

/**
 * Reads the config file's `metrics` key: `metrics: { prometheus: { url, headers?, timeoutMs?,
 * maxConcurrency?, ignoreNullValues?, allowFreeFormQueries?, queries? } }`. `at` prefixes every
 * message (the file). Header values never appear in a message.
 * @throws MetricsConfigError naming the field at fault.
 */
export function readMetricsConfig(at: string, metrics: unknown): MetricsConfig {
  if (metrics === undefined) return {};
  if (!isRecord(metrics))
    throw new MetricsConfigError(`${at}: metrics must be a mapping, e.g. {prometheus: {url: http://127.0.0.1:9090}}`);
  const { prometheus, ...rest } = metrics;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new MetricsConfigError(`${at}: metrics: unknown key ${extra} (known: prometheus)`);
  if (prometheus === undefined) return {};
  try {
    return { prometheus: parsePrometheusSettings(prometheus, 'metrics.prometheus') };
  } catch (error) {
    if (error instanceof PrometheusSettingsError) throw new MetricsConfigError(`${at}: ${error.message}`);
    throw error;
  }
}

/** A `metrics` setting that cannot be used (loadConfig reports it as a ConfigError). */
export class MetricsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsConfigError';
  }
}
