import { isPhantomError } from '../../contracts/errors.ts';
import type { MetricStore } from './metric-store.ts';
import type { MetricDatum } from './types.ts';

/** The namespace of Phantom's own instance metrics (as AWS's). */
export const EC2_NAMESPACE = 'AWS/EC2';

/** One sample of one instance's metric, as a simulated instance reports it. */
export interface InstanceSample {
  instanceId: string;
  /** Optional. The group the instance belongs to: the sample is also added to the group's series. */
  groupName?: string;
  /** e.g. CPUUtilization. */
  metricName: string;
  value: number;
  /** A CloudWatch StandardUnit, e.g. Percent. */
  unit: string;
  timestampMs: number;
}

/** What {@link ingestInstanceMetrics} did. */
export interface IngestReport {
  /** Datapoints stored (one per sample, two when the sample names a group). */
  written: number;
  /** Samples that were not finite, plus datapoints refused by the owner's series cap. */
  dropped: number;
}

/**
 * Phantom's internal ingest of `AWS/EC2` metrics (no API, no namespace check): each sample is
 * stored under the dimension InstanceId and, when it names a group, also under
 * AutoScalingGroupName, so an evaluator reads one series per group, never one per instance.
 * Standard resolution (1-minute buckets) unless `opts.highResolution` (also 10-second buckets). Never throws for bad samples: it drops them and
 * counts them (a series-cap refusal drops the samples of new series only).
 * @param owner Required. The user who owns the instances.
 */
export function ingestInstanceMetrics(
  store: MetricStore,
  owner: string,
  samples: readonly InstanceSample[],
  opts: { highResolution?: boolean } = {},
): IngestReport {
  const data: MetricDatum[] = [];
  let dropped = 0;
  for (const s of samples) {
    if (!Number.isFinite(s.value) || !Number.isFinite(s.timestampMs)) {
      dropped++;
      continue;
    }
    const base = {
      metricName: s.metricName,
      timestampMs: s.timestampMs,
      unit: s.unit,
      highResolution: opts.highResolution ?? false,
    };
    const stats = { sampleCount: 1, sum: s.value, minimum: s.value, maximum: s.value };
    data.push({ ...base, stats, dimensions: [{ name: 'InstanceId', value: s.instanceId }] });
    if (s.groupName !== undefined)
      data.push({ ...base, stats, dimensions: [{ name: 'AutoScalingGroupName', value: s.groupName }] });
  }
  try {
    store.put(owner, EC2_NAMESPACE, data);
    return { written: data.length, dropped };
  } catch (error) {
    if (!isPhantomError(error) || error.code !== 'LimitExceeded') throw error;
  }
  // Over the cap: write datum by datum, keeping what fits.
  let refused = 0;
  for (const datum of data) {
    try {
      store.put(owner, EC2_NAMESPACE, [datum]);
    } catch (error) {
      if (!isPhantomError(error) || error.code !== 'LimitExceeded') throw error;
      refused++;
    }
  }
  return { written: data.length - refused, dropped: dropped + refused };
}
