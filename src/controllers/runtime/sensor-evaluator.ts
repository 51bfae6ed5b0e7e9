import type { Logger } from 'pino';
import type { GroupRecord, InstanceRecord } from '../../contracts/records.ts';
import { isSensorDomain } from '../../domain/placement.ts';
import { decideSensor, parseSensorConfig, type SensorConfig } from '../../engines/policies/sensor.ts';
import type { MetricStore } from '../../metrics/store/metric-store.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { applySensorStep } from '../../services/sensor-runs.ts';
import { SerialRounds } from '../../lib/serial-rounds.ts';
import { Yielder } from './yielding.ts';

/** The tag naming the namespace of a sensor domain's metric (default {@link DEFAULT_SENSOR_NAMESPACE}). */
export const SENSOR_NAMESPACE_TAG = 'metric_namespace';
/** Where a sensor domain's metric is read when no namespace is tagged (PutMetricData with Namespace=Phantom). */
export const DEFAULT_SENSOR_NAMESPACE = 'Phantom';
/** The sensor rule reads the average of the last closed minute. */
const SENSOR_PERIOD_SECONDS = 60;

/** What the evaluator needs. */
export interface SensorEvaluatorOptions {
  deps: ServiceDeps;
  metrics: Pick<MetricStore, 'windows'>;
  log: Logger;
  /** Required. Enqueues the group's reconcile after a change. Must not throw. */
  onChanged(owner: string, groupName: string): void;
  /** Optional. How often sensor domains are evaluated (default 10 s). */
  intervalMs?: number;
}

/** What one round did. */
export interface SensorRoundReport {
  evaluated: number;
  changed: number;
}

/**
 * Phantom's sensor domains (the original's tags: `metric`, thresholds, step sizes,
 * `cooldown_period`, MinSize/MaxSize as bounds): every round, each domain's metric is averaged
 * over its healthy instances from the last closed minute — the owner's metric `metric` in
 * `metric_namespace` (default `Phantom`), one series per instance (dimension InstanceId), an
 * instance without a datapoint counting 0, plus a domain-level series (AutoScalingGroupName)
 * counted as one more value when it has data — and a threshold crossing moves the desired
 * capacity by the step (applySensorStep: bounds, caps, instance limit, an activity). Cooldown is
 * kept in memory from each domain's last change (a restart forgets it). Rounds never overlap.
 */
export class SensorEvaluator {
  private timer?: NodeJS.Timeout;
  private readonly rounds = new SerialRounds(() => this.evaluateAll());
  private readonly yielder = new Yielder(5);
  private readonly lastChange = new Map<string, number>();
  private readonly refused = new Set<string>();

  constructor(private readonly options: SensorEvaluatorOptions) {}

  /** Starts the rounds. Idempotent. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.rounds.tick((err: unknown) => this.options.log.error({ err }, 'sensor round failed'));
    }, this.options.intervalMs ?? 10_000);
    this.timer.unref();
  }

  /** Stops the rounds and waits for one in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.rounds.idle();
  }

  /** One round over every sensor domain (it starts once a running one has ended; the timer skips while one runs). */
  round(): Promise<SensorRoundReport> {
    return this.rounds.next();
  }

  private async evaluateAll(): Promise<SensorRoundReport> {
    const report: SensorRoundReport = { evaluated: 0, changed: 0 };
    for (const group of await this.options.deps.store.listAllGroups()) {
      if (group.deleting || !isSensorDomain(group.tags)) continue;
      const config = this.configOf(group);
      if (!config) continue;
      await this.yielder.maybe();
      report.evaluated++;
      if (await this.evaluate(group, config)) report.changed++;
    }
    return report;
  }

  /** The domain's rule, or undefined (logged once per tag set) when its tags no longer parse. */
  private configOf(group: GroupRecord): SensorConfig | undefined {
    try {
      return parseSensorConfig(group.tags, group);
    } catch (error) {
      const key = `${group.owner}\u0000${group.name}\u0000${JSON.stringify(group.tags)}`;
      if (!this.refused.has(key)) {
        if (this.refused.size >= 1000) this.refused.clear();
        this.refused.add(key);
        this.options.log.warn(
          { owner: group.owner, group: group.name, reason: (error as Error).message },
          'sensor rule ignored',
        );
      }
      return undefined;
    }
  }

  private async evaluate(group: GroupRecord, config: SensorConfig): Promise<boolean> {
    const { deps } = this.options;
    const now = deps.clock.now().getTime();
    const key = `${group.owner}\u0000${group.name}`;
    const healthy = (await deps.store.listInstances(group.owner, { groupName: group.name })).filter(isHealthy);
    const namespace = group.tags.find((t) => t.key === SENSOR_NAMESPACE_TAG)?.value ?? DEFAULT_SENSOR_NAMESPACE;
    const average = (name: string, value: string) => {
      const metric = { namespace, metricName: config.metric, dimensions: [{ name, value }] };
      const [set] = this.options.metrics.windows(group.owner, metric, SENSOR_PERIOD_SECONDS, now, 1);
      return set && set.sampleCount > 0 ? set.sum / set.sampleCount : undefined;
    };
    const instanceValues = healthy.map((i) => average('InstanceId', i.instanceId)).filter((v) => v !== undefined);
    const domainValue = average('AutoScalingGroupName', group.name);
    const lastScaleAt = this.lastChange.get(key);
    const decision = decideSensor(config, {
      healthy: healthy.length,
      instanceValues,
      ...(domainValue !== undefined ? { domainValue } : {}),
      now,
      ...(lastScaleAt !== undefined ? { lastScaleAt } : {}),
    });
    // The rule's step moves the desired capacity (not the healthy count, which lags while instances boot).
    const step = stepOf(config, decision.average);
    if (step === 0) return false;
    const outcome = await applySensorStep(deps, {
      owner: group.owner,
      groupName: group.name,
      delta: step,
      reason: decision.reason,
    });
    if (outcome.kind !== 'applied') return false;
    this.lastChange.set(key, now);
    this.options.onChanged(group.owner, group.name);
    return true;
  }
}

/** The rule's step for an average: up above the scale-up threshold, down below the scale-down one (both strict). */
function stepOf(config: SensorConfig, average: number | undefined): number {
  if (average === undefined) return 0;
  if (average > config.scaleUpThreshold) return config.scaleUpNVms;
  if (average < config.scaleDownThreshold) return -config.scaleDownNVms;
  return 0;
}

/** Instances the original counted as healthy: pending or running, and not unhealthy. */
const isHealthy = (i: InstanceRecord): boolean =>
  (i.lifecycleState === 'Pending' || i.lifecycleState === 'InService') && i.healthStatus === 'Healthy';
