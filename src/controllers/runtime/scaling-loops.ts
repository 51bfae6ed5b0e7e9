import type { Logger } from 'pino';
import type { MetricStore } from '../../metrics/store/metric-store.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { AlarmEvaluator, type AlarmEvaluatorOptions } from './alarm-evaluator.ts';
import { DemandPublisher } from './demand-metrics.ts';
import { ScheduledActionScheduler } from './scheduler.ts';
import { SensorEvaluator } from './sensor-evaluator.ts';
import { PrometheusSampler } from './prometheus-sampler.ts';
import type { MetricSource } from '../../contracts/metric-source.ts';

/** What the loops that decide how many need. */
export interface ScalingLoopsOptions {
  deps: ServiceDeps;
  metrics: MetricStore;
  log: Logger;
  /** Required. How often scheduled actions are looked for (the controller's poll interval). */
  intervalMs: number;
  /** Required. Whether a site is simulated (its instances report their group's demand model). */
  isSimSite(site: string): boolean;
  /** Required. Enqueues a group's reconcile after a size change. Must not throw. */
  onChanged(owner: string, groupName: string): void;
  /** Required. Invokes one scaling policy for an alarm (see AlarmEvaluator). */
  invokePolicy: AlarmEvaluatorOptions['invokePolicy'];
  /** Optional. The operator's Prometheus (config `metrics.prometheus`): alarms on `Phantom/Prometheus` metrics read it. */
  prometheus?: MetricSource;
}

/** The background loops that change sizes, started and stopped together. */
export interface ScalingLoops {
  start(): void;
  stop(): Promise<void>;
  readonly alarms: AlarmEvaluator;
  readonly demand: DemandPublisher;
  readonly sensors: SensorEvaluator;
  /** Present when a Prometheus is configured. */
  readonly prometheus?: PrometheusSampler;
}

/**
 * The loops that decide *how many* (the controller decides *where*): scheduled actions, the
 * simulated instances' demand metrics, the alarm evaluator that invokes scaling policies, and
 * the original's sensor rule on sensor domains.
 * Each bounds its own work and never overlaps itself.
 */
export function scalingLoops(o: ScalingLoopsOptions): ScalingLoops {
  const { deps, metrics, log } = o;
  const scheduler = new ScheduledActionScheduler({ deps, intervalMs: o.intervalMs, log, onChanged: o.onChanged });
  const demand = new DemandPublisher({ store: deps.store, metrics, clock: deps.clock, log, isSimSite: o.isSimSite });
  const alarms = new AlarmEvaluator({
    store: deps.store,
    metrics,
    clock: deps.clock,
    log,
    invokePolicy: o.invokePolicy,
  });
  const sensors = new SensorEvaluator({ deps, metrics, log, onChanged: o.onChanged });
  const prometheus =
    o.prometheus && new PrometheusSampler({ store: deps.store, metrics, source: o.prometheus, clock: deps.clock, log });
  return {
    alarms,
    demand,
    sensors,
    ...(prometheus ? { prometheus } : {}),
    start() {
      scheduler.start();
      demand.start();
      prometheus?.start();
      alarms.start();
      sensors.start();
    },
    async stop() {
      await Promise.all([scheduler.stop(), demand.stop(), prometheus?.stop(), alarms.stop(), sensors.stop()]);
    },
  };
}
