import { PhantomError } from '../../contracts/errors.ts';
import type { Dimension, MetricIdentity } from './types.ts';

/**
 * Sorts dimensions by name (code-unit order) into a new array.
 * @throws PhantomError Validation when two dimensions share a name.
 */
export function sortDimensions(dimensions: readonly Dimension[]): Dimension[] {
  const sorted = dimensions.map((d) => ({ name: d.name, value: d.value }));
  sorted.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.name === sorted[i - 1]!.name)
      throw new PhantomError('Validation', `The dimension name ${sorted[i]!.name} is given more than once.`);
  }
  return sorted;
}

/**
 * The series key of a metric within one owner: namespace, metric name and the dimensions
 * sorted by name, joined with separators no valid name contains (U+0000 cannot appear in XML
 * nor in validated JSON input). The same metric always gives the same key whatever the order
 * its dimensions were given in; keys sort by namespace, then metric name, then dimensions.
 * @throws PhantomError Validation on a repeated dimension name.
 */
export function metricKey(namespace: string, metricName: string, dimensions: readonly Dimension[]): string {
  let key = `${namespace}\u0000${metricName}`;
  for (const d of sortDimensions(dimensions)) key += `\u0000${d.name}\u0001${d.value}`;
  return key;
}

/** The key of an identity (see {@link metricKey}). */
export const identityKey = (m: MetricIdentity): string => metricKey(m.namespace, m.metricName, m.dimensions);
