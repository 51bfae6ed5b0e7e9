import type { Logger } from 'pino';
import type { AlarmRecord } from '../../contracts/alarm.ts';
import type { Clock } from '../../contracts/clock.ts';
import { isMetricSourceError, type MetricSource } from '../../contracts/metric-source.ts';
import type { Store } from '../../contracts/store.ts';
import { PROMETHEUS_NAMESPACE } from '../../metrics/prometheus/settings.ts';
import type { MetricStore } from '../../metrics/store/metric-store.ts';
import { SerialRounds } from '../../lib/serial-rounds.ts';
import { causeTime, instantActivity } from '../../services/activities.ts';
import { Yielder } from './yielding.ts';

/** What the sampler needs. */
export interface PrometheusSamplerOptions {
  store: Store;
  metrics: Pick<MetricStore, 'put'>;
  /** Required. The source that answers `Phantom/Prometheus` metrics (the operator's Prometheus). */
  source: MetricSource;
  clock: Clock;
  log: Logger;
  /** Optional. How often each metric is sampled (default 10 s: the shortest alarm period). */
  intervalMs?: number;
  /** Optional. Time one query may take (default 15 s). */
  queryTimeoutMs?: number;
}

/** The group an alarm's metric is about: its AutoScalingGroupName dimension, else its owning policy's group. */
function groupOf(alarm: AlarmRecord): string | undefined {
  const dimension = alarm.definition.metric.dimensions.find((d) => d.name === 'AutoScalingGroupName');
  if (dimension) return dimension.value;
  return alarm.ownerPolicyArn?.match(/:autoScalingGroupName\/(.*):policyName\//)?.[1];
}

/**
 * Brings Prometheus metrics into the metric store so alarms (and the target tracking alarms
 * policies own) evaluate them like any other: every round, each distinct `Phantom/Prometheus`
 * metric an alarm watches is one instant query (per owner, group and metric — an AlarmHigh and
 * an AlarmLow on the same metric share it), stored as a high-resolution datapoint at the
 * evaluation time. A failing query (an unknown name, NaN, several series, Prometheus down) is a
 * Failed activity on the group, once per distinct failure until it succeeds again; the alarm
 * meanwhile sees missing data. Rounds never overlap.
 */
export class PrometheusSampler {
  private timer?: NodeJS.Timeout;
  private readonly rounds = new SerialRounds(() => this.sampleAll());
  private readonly yielder = new Yielder(5);
  /** The last failure message per sampled metric, so a standing failure is said once. */
  private readonly failing = new Map<string, string>();

  constructor(private readonly options: PrometheusSamplerOptions) {}

  /** Starts the rounds. Idempotent. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.rounds.tick((err: unknown) => this.options.log.error({ err }, 'prometheus sampling failed'));
    }, this.options.intervalMs ?? 10_000);
    this.timer.unref();
  }

  /** Stops the rounds and waits for one in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.rounds.idle();
  }

  /** One round; resolves with the number of metrics sampled (it starts once a running one has ended; the timer skips while one runs). */
  round(): Promise<number> {
    return this.rounds.next();
  }

  private async sampleAll(): Promise<number> {
    const seen = new Set<string>();
    for (let after: { owner: string; name: string } | undefined; ;) {
      const page = await this.options.store.listAllAlarms(after, 500);
      for (const alarm of page) {
        const group = groupOf(alarm);
        if (alarm.definition.metric.namespace !== PROMETHEUS_NAMESPACE || group === undefined) continue;
        const key = JSON.stringify([
          alarm.owner,
          group,
          alarm.definition.metric.metricName,
          alarm.definition.metric.dimensions,
        ]);
        if (seen.has(key)) continue;
        seen.add(key);
        await this.yielder.maybe();
        await this.sample(alarm, group, key);
      }
      if (page.length < 500) break;
      after = { owner: page.at(-1)!.owner, name: page.at(-1)!.definition.name };
    }
    for (const key of this.failing.keys()) if (!seen.has(key)) this.failing.delete(key);
    return seen.size;
  }

  private async sample(alarm: AlarmRecord, group: string, key: string): Promise<void> {
    const { metric } = alarm.definition;
    const now = this.options.clock.now();
    try {
      const value = await this.options.source.query({
        owner: alarm.owner,
        group,
        metric: { namespace: metric.namespace, metricName: metric.metricName, dimensions: metric.dimensions },
        now,
        signal: AbortSignal.timeout(this.options.queryTimeoutMs ?? 15_000),
      });
      this.options.metrics.put(alarm.owner, metric.namespace, [
        {
          metricName: metric.metricName,
          dimensions: metric.dimensions,
          timestampMs: now.getTime(),
          stats: { sampleCount: 1, sum: value, minimum: value, maximum: value },
          unit: metric.unit ?? 'None',
          highResolution: true,
        },
      ]);
      this.failing.delete(key);
    } catch (error) {
      if (!isMetricSourceError(error)) throw error;
      // A query in backoff is the same failure going on; the failure's text drops the backoff's note.
      if (error.code === 'BackingOff') return;
      const failure = `${error.code}: ${error.message.replace(/ \(\d+ failures in a row[^)]*\)$/, '')}`;
      if (this.failing.get(key) === failure) return;
      this.failing.set(key, failure);
      await this.recordFailure(alarm.owner, group, metric.metricName, error.message, now);
    }
  }

  private async recordFailure(owner: string, group: string, metricName: string, message: string, now: Date) {
    if (!(await this.options.store.getGroup(owner, group))) return;
    await this.options.store.putActivity(
      instantActivity({
        owner,
        groupName: group,
        description: `Reading the Prometheus metric ${metricName}`,
        cause: `At ${causeTime(now)} the Prometheus query ${metricName} for AutoScalingGroup ${group} failed; its alarms see no data until it answers.`,
        at: now,
        failure: message,
      }),
    );
  }
}
