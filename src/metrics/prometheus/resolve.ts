import { MetricSourceError, type MetricSubject } from '../../contracts/metric-source.ts';
import { parsePromqlTemplate, renderPromqlTemplate, TemplateError, type PromqlTemplate } from './promql-template.ts';
import { FREE_FORM_DIMENSION, FREE_FORM_METRIC, PROMETHEUS_NAMESPACE, type PrometheusSettings } from './settings.ts';

/** The dimension AWS clients habitually add; accepted when it names the evaluated group. */
const GROUP_DIMENSION = 'AutoScalingGroupName';

/** What to send to Prometheus for one subject. */
export interface ResolvedQuery {
  /** The PromQL, placeholders substituted and escaped. */
  readonly promql: string;
  readonly ignoreNullValues: boolean;
  /** How messages name the query: `query cpu` or `the free-form query`. */
  readonly label: string;
}

/**
 * Maps a metric reference onto the PromQL to run: Namespace `Phantom/Prometheus` and a
 * MetricName naming one of the operator's queries; the dimensions give the values of the
 * template's `{{dimension.NAME}}` placeholders (all required, no others accepted, except
 * AutoScalingGroupName equal to the group). MetricName `PromQL` with dimension `Query` carries
 * the policy's own PromQL, only when the operator allows free-form queries. Pure.
 * @throws MetricSourceError `InvalidMetric` saying what is wrong (never echoing a value).
 */
export function resolvePrometheusQuery(settings: PrometheusSettings, subject: MetricSubject): ResolvedQuery {
  const { metric } = subject;
  if (metric.namespace !== PROMETHEUS_NAMESPACE)
    throw invalid(`namespace ${shown(metric.namespace)} is not served by Prometheus (use ${PROMETHEUS_NAMESPACE})`);
  const dimensions = new Map<string, string>();
  for (const { name, value } of metric.dimensions) {
    if (dimensions.has(name)) throw invalid(`dimension ${shown(name)} is given twice`);
    dimensions.set(name, value);
  }
  const { template, ignoreNullValues, label } = chooseTemplate(settings, metric.metricName, dimensions);
  const takes = new Set(template.dimensions);
  if (label === 'the free-form query') takes.add(FREE_FORM_DIMENSION);
  for (const [name, value] of dimensions) {
    if (takes.has(name)) continue;
    if (name === GROUP_DIMENSION && value === subject.group) continue;
    if (name === GROUP_DIMENSION) throw invalid(`dimension ${GROUP_DIMENSION} must name this group, ${subject.group}`);
    throw invalid(`${label} takes no dimension ${shown(name)} (it takes: ${[...takes].join(', ') || 'none'})`);
  }
  const missing = template.dimensions.find((name) => !dimensions.has(name));
  if (missing !== undefined) throw invalid(`${label} needs the dimension ${missing}`);
  try {
    return { promql: renderPromqlTemplate(template, { ...subject, dimensions }), ignoreNullValues, label };
  } catch (error) {
    if (error instanceof TemplateError) throw invalid(`${label}: ${error.message}`);
    throw error;
  }
}

function chooseTemplate(
  settings: PrometheusSettings,
  metricName: string,
  dimensions: ReadonlyMap<string, string>,
): { template: PromqlTemplate; ignoreNullValues: boolean; label: string } {
  if (metricName === FREE_FORM_METRIC) {
    if (!settings.allowFreeFormQueries)
      throw invalid(`free-form PromQL is not enabled on this Phantom; name one of its queries (${known(settings)})`);
    const source = dimensions.get(FREE_FORM_DIMENSION);
    if (source === undefined || source.trim() === '')
      throw invalid(`MetricName ${FREE_FORM_METRIC} needs its PromQL in the dimension ${FREE_FORM_DIMENSION}`);
    try {
      return {
        template: parsePromqlTemplate(source),
        ignoreNullValues: settings.ignoreNullValues,
        label: 'the free-form query',
      };
    } catch (error) {
      if (error instanceof TemplateError) throw invalid(`the free-form query: ${error.message}`);
      throw error;
    }
  }
  const named = settings.queries.get(metricName);
  if (!named)
    throw invalid(`no Prometheus query is named ${shown(metricName)} (this Phantom defines: ${known(settings)})`);
  return { ...named, label: `query ${metricName}` };
}

const known = (settings: PrometheusSettings): string => {
  const names = [...settings.queries.keys()];
  if (names.length === 0) return 'none';
  return names.length > 20 ? `${names.slice(0, 20).join(', ')}, …` : names.join(', ');
};

/** A name from the request as a message shows it: clipped, and quoted when it holds anything unprintable. */
export function shown(name: string): string {
  const clipped = name.length > 100 ? `${name.slice(0, 100)}…` : name;
  return /^[\x21-\x7e\u00a0-\uffff]+$/u.test(clipped) && !/[\uD800-\uDFFF]/u.test(clipped)
    ? clipped
    : JSON.stringify(clipped);
}

const invalid = (message: string): MetricSourceError => new MetricSourceError('InvalidMetric', message);
