import type { Logger } from 'pino';
import type { Clock } from '../../contracts/clock.ts';
import type { GroupRecord } from '../../contracts/records.ts';
import type { Store } from '../../contracts/store.ts';
import { DEMAND_TAG, demandAt, parseDemand, utilisation, type DemandModel } from '../../domain/demand.ts';
import { ingestInstanceMetrics, type InstanceSample } from '../../metrics/store/ec2.ts';
import type { MetricStore } from '../../metrics/store/metric-store.ts';
import { SerialRounds } from '../../lib/serial-rounds.ts';
import { Yielder } from './yielding.ts';

/** What the publisher needs. */
export interface DemandPublisherOptions {
  store: Store;
  metrics: MetricStore;
  clock: Clock;
  log: Logger;
  /** Required. Whether a site is simulated (only simulated instances report the model's load). */
  isSimSite(site: string): boolean;
  /** Optional. How often instances report (default 10 s: high-resolution data). */
  intervalMs?: number;
}

/** What one round published. */
export interface DemandRoundReport {
  groups: number;
  samples: number;
}

/**
 * Makes the instances of simulated sites report `AWS/EC2` `CPUUtilization` (dimension
 * InstanceId, and the group's series under AutoScalingGroupName) from their group's demand
 * model (the `phantom_demand` tag): every round, the model's demand now is spread over the
 * group's InService instances on simulated sites. A group without the tag reports nothing; a
 * model that no longer parses is logged once and skipped. Rounds never overlap.
 */
export class DemandPublisher {
  private timer?: NodeJS.Timeout;
  private readonly rounds = new SerialRounds(() => this.publish());
  private readonly yielder = new Yielder(5);
  /** Parsed models by tag text (a handful of distinct texts; cleared when it grows past 1,000). */
  private readonly models = new Map<string, DemandModel | undefined>();

  constructor(private readonly options: DemandPublisherOptions) {}

  /** Starts the rounds. Idempotent. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.rounds.tick((err: unknown) => this.options.log.error({ err }, 'demand metrics round failed'));
    }, this.options.intervalMs ?? 10_000);
    this.timer.unref();
  }

  /** Stops the rounds and waits for one in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.rounds.idle();
  }

  /** One round (it starts once a running one has ended; the timer skips while one runs). */
  round(): Promise<DemandRoundReport> {
    return this.rounds.next();
  }

  private async publish(): Promise<DemandRoundReport> {
    const report: DemandRoundReport = { groups: 0, samples: 0 };
    for (const group of await this.options.store.listAllGroups()) {
      if (group.deleting) continue;
      const tag = group.tags.find((t) => t.key === DEMAND_TAG);
      const model = tag && this.modelOf(group, tag.value);
      if (!model) continue;
      await this.yielder.maybe();
      report.samples += await this.publishGroup(group, model);
      report.groups++;
    }
    return report;
  }

  private modelOf(group: GroupRecord, text: string): DemandModel | undefined {
    if (this.models.has(text)) return this.models.get(text);
    if (this.models.size >= 1000) this.models.clear();
    let model: DemandModel | undefined;
    try {
      model = parseDemand(text);
    } catch (error) {
      this.options.log.warn(
        { owner: group.owner, group: group.name, reason: (error as Error).message },
        'demand model ignored',
      );
    }
    this.models.set(text, model);
    return model;
  }

  /** Reports the group's InService simulated instances' utilisation now; returns the samples written. */
  private async publishGroup(group: GroupRecord, model: DemandModel): Promise<number> {
    const now = this.options.clock.now().getTime();
    const instances = (await this.options.store.listInstances(group.owner, { groupName: group.name })).filter(
      (i) => i.lifecycleState === 'InService' && this.options.isSimSite(i.site),
    );
    const value = utilisation(demandAt(model, now), instances.length);
    if (value === undefined) return 0;
    const samples: InstanceSample[] = instances.map((i) => ({
      instanceId: i.instanceId,
      groupName: group.name,
      metricName: 'CPUUtilization',
      value,
      unit: 'Percent',
      timestampMs: now,
    }));
    return ingestInstanceMetrics(this.options.metrics, group.owner, samples, { highResolution: true }).written;
  }
}
