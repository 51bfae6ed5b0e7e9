import {
  MetricSourceError,
  type MetricQuery,
  type MetricSource,
  type MetricSubject,
} from '../contracts/metric-source.ts';
import type { PrometheusSettings } from './prometheus/settings.ts';
import { PrometheusSource } from './prometheus/source.ts';

/**
 * Several metric sources behind one: each call goes to the first source that handles the
 * reference's namespace. A namespace no source handles is a `NotConfigured` error.
 */
export class MetricSources implements MetricSource {
  constructor(private readonly sources: readonly MetricSource[]) {}

  handles(namespace: string): boolean {
    return this.sources.some((source) => source.handles(namespace));
  }

  validate(subject: MetricSubject): void {
    this.sourceFor(subject).validate(subject);
  }

  query(request: MetricQuery): Promise<number> {
    try {
      return this.sourceFor(request).query(request);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private sourceFor(subject: MetricSubject): MetricSource {
    const { namespace } = subject.metric;
    const source = this.sources.find((s) => s.handles(namespace));
    if (!source)
      throw new MetricSourceError(
        'NotConfigured',
        `no metric source on this Phantom serves the namespace ${namespace}`,
      );
    return source;
  }
}

/**
 * The metric sources a configuration enables: `others` first (e.g. Phantom's own metric store),
 * then the Prometheus source when `metrics.prometheus` is set. Never throws (settings are validated).
 */
export function metricSourcesFromConfig(
  metrics: { readonly prometheus?: PrometheusSettings },
  others: readonly MetricSource[] = [],
): MetricSources {
  const prometheus = metrics.prometheus ? [new PrometheusSource({ settings: metrics.prometheus })] : [];
  return new MetricSources([...others, ...prometheus]);
}
