import type { Logger } from 'pino';
import type { AlarmRecord, AlarmState } from '../../contracts/alarm.ts';
import type { Clock } from '../../contracts/clock.ts';
import type { Store } from '../../contracts/store.ts';
import { rangeDatapoints } from '../../metrics/alarms/datapoints.ts';
import { evaluateAlarm } from '../../metrics/alarms/evaluate.ts';
import { actionsDue, evaluationDue, evaluationRange, latestClosedPeriodStart } from '../../metrics/alarms/schedule.ts';
import type { MetricStore } from '../../metrics/store/metric-store.ts';
import { SerialRounds } from '../../lib/serial-rounds.ts';
import { Yielder } from './yielding.ts';

/** What an alarm tells a scaling policy when it invokes it. */
export interface AlarmInvocation {
  alarmName: string;
  alarmState: AlarmState;
  /** The latest evaluated datapoint's value, when there is one. */
  metricValue?: number;
  threshold: number;
}

/** What the evaluator needs. */
export interface AlarmEvaluatorOptions {
  store: Store;
  metrics: Pick<MetricStore, 'windows'>;
  clock: Clock;
  log: Logger;
  /**
   * Required. Invokes one scaling policy (by ARN) of `owner` for an alarm; resolves with whether it
   * changed anything and why. Must not throw for the policy's own refusals (those are outcomes).
   */
  invokePolicy(
    owner: string,
    policyArn: string,
    invocation: AlarmInvocation,
  ): Promise<{ applied: boolean; reason: string }>;
  /** Optional. How often alarms are looked at (default 5 s: the shortest period is 10 s). */
  tickMs?: number;
  /** Optional. Alarms read per store page (default 500). */
  pageSize?: number;
}

/** What one round did. */
export interface AlarmRoundReport {
  evaluated: number;
  changed: number;
  invoked: number;
  failed: number;
}

/**
 * Evaluates every owner's metric alarms on their own cadence: each alarm once per closed period
 * (one metric read per alarm, from the in-memory metric store), records state changes and their
 * history, and invokes the Auto Scaling policies of the state's action list on entering it and
 * every minute while it stays (as CloudWatch does for Auto Scaling actions). Rounds never
 * overlap; alarms are read a page at a time and the loop is given a turn every few ms. An
 * alarm whose evaluation or action fails is logged and counted; the others go on.
 */
export class AlarmEvaluator {
  /**
   * Each alarm's last evaluated period and the value of its latest datapoint then, by
   * `owner\0name` (after a restart every alarm evaluates at once).
   */
  private readonly evaluated = new Map<string, { period: number; value?: number }>();
  private timer?: NodeJS.Timeout;
  private readonly rounds = new SerialRounds(() => this.evaluateAll());
  private readonly yielder = new Yielder(5);

  constructor(private readonly options: AlarmEvaluatorOptions) {}

  /** Starts the rounds. Idempotent. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 5000);
    this.timer.unref();
  }

  /** Stops the rounds and waits for one in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.rounds.idle();
  }

  private tick(): void {
    this.rounds.tick((err: unknown) => this.options.log.error({ err }, 'alarm round failed'));
  }

  /** One round over every alarm (it starts once a running one has ended; the timer skips while one runs). */
  round(): Promise<AlarmRoundReport> {
    return this.rounds.next();
  }

  private async evaluateAll(): Promise<AlarmRoundReport> {
    const report: AlarmRoundReport = { evaluated: 0, changed: 0, invoked: 0, failed: 0 };
    const seen = new Set<string>();
    const pageSize = this.options.pageSize ?? 500;
    let after: { owner: string; name: string } | undefined;
    for (;;) {
      const page = await this.options.store.listAllAlarms(after, pageSize);
      for (const alarm of page) {
        await this.yielder.maybe();
        const key = `${alarm.owner}\u0000${alarm.definition.name}`;
        seen.add(key);
        await this.visit(alarm, key, report).catch((err: unknown) => {
          report.failed++;
          this.options.log.warn({ err, owner: alarm.owner, alarm: alarm.definition.name }, 'alarm evaluation failed');
        });
      }
      if (page.length < pageSize) break;
      const last = page[page.length - 1]!;
      after = { owner: last.owner, name: last.definition.name };
    }
    for (const key of this.evaluated.keys()) if (!seen.has(key)) this.evaluated.delete(key);
    return report;
  }

  /**
   * Runs the actions due for the alarm's stored state first (a state set by SetAlarmState acts
   * before the next evaluation replaces it, as in CloudWatch), then evaluates the alarm when a
   * period has closed, and runs the new state's actions when it changed.
   */
  private async visit(alarm: AlarmRecord, key: string, report: AlarmRoundReport): Promise<void> {
    await this.runActions(alarm, this.valueOf(alarm, key), report);
    const now = this.options.clock.now().getTime();
    const definition = alarm.definition;
    if (!evaluationDue(definition, this.evaluated.get(key)?.period, now)) return;
    const range = evaluationRange(definition, now);
    const last = range[range.length - 1]!;
    const windows = this.options.metrics.windows(
      alarm.owner,
      definition.metric,
      definition.period,
      last + definition.period * 1000,
      range.length,
      definition.metric.unit,
    );
    const datapoints = rangeDatapoints(range, windows, definition.metric.statistic);
    const value = datapoints.at(-1)?.value;
    const verdict = evaluateAlarm({
      alarm: { ...definition, statistic: definition.metric.statistic },
      range,
      datapoints,
      current: alarm.state,
      now,
    });
    this.evaluated.set(key, {
      period: latestClosedPeriodStart(definition, now),
      ...(value !== undefined ? { value } : {}),
    });
    report.evaluated++;
    if (!verdict.changed) return;
    const changed = await this.recordChange(alarm, verdict.state, verdict.reason, JSON.stringify(verdict.reasonData));
    report.changed++;
    await this.runActions(changed, value, report);
  }

  /**
   * The value an invoked policy is given: the alarm's latest evaluated datapoint, else the newest
   * datapoint of its StateReasonData (what SetAlarmState callers put there for step policies).
   */
  private valueOf(alarm: AlarmRecord, key: string): number | undefined {
    const evaluated = this.evaluated.get(key)?.value;
    if (evaluated !== undefined) return evaluated;
    return reasonDataValue(alarm.stateReasonData);
  }

  private async recordChange(alarm: AlarmRecord, state: AlarmState, reason: string, reasonData: string) {
    const at = this.options.clock.now();
    const name = alarm.definition.name;
    await this.options.store.transaction(async (tx) => {
      await tx.setAlarmState(alarm.owner, name, { state, reason, reasonData, at });
      await tx.addAlarmHistory([
        {
          owner: alarm.owner,
          alarmName: name,
          type: 'StateUpdate',
          timestamp: at,
          summary: `Alarm updated from ${alarm.state} to ${state}`,
          data: JSON.stringify({
            version: '1.0',
            oldState: { stateValue: alarm.state },
            newState: { stateValue: state, stateReason: reason },
          }),
        },
      ]);
    });
    return { ...alarm, state, stateReason: reason, stateReasonData: reasonData, stateUpdatedTime: at };
  }

  /** Invokes the state's policies when due; records one Action history item per policy. */
  private async runActions(
    alarm: AlarmRecord,
    metricValue: number | undefined,
    report: AlarmRoundReport,
  ): Promise<void> {
    const definition = alarm.definition;
    if (!definition.actionsEnabled) return;
    const now = this.options.clock.now();
    const list = actionsDue(
      alarm.lastActionTime?.getTime(),
      alarm.state,
      alarm.stateUpdatedTime.getTime(),
      now.getTime(),
    );
    if (list === undefined || definition[list].length === 0) return;
    await this.options.store.markAlarmActed(alarm.owner, definition.name, now);
    for (const policyArn of definition[list]) {
      const invocation: AlarmInvocation = {
        alarmName: definition.name,
        alarmState: alarm.state,
        threshold: definition.threshold,
        ...(metricValue !== undefined ? { metricValue } : {}),
      };
      const outcome = await this.options.invokePolicy(alarm.owner, policyArn, invocation).catch((err: unknown) => ({
        applied: false,
        reason: `failed: ${err instanceof Error ? err.message : String(err)}`,
      }));
      report.invoked++;
      await this.options.store.addAlarmHistory([
        {
          owner: alarm.owner,
          alarmName: definition.name,
          type: 'Action',
          timestamp: now,
          summary: `${outcome.applied ? 'Successfully executed' : 'Executed'} action ${policyArn}: ${outcome.reason}`,
          data: JSON.stringify({
            actionState: outcome.applied ? 'Succeeded' : 'Skipped',
            stateUpdateTimestamp: alarm.stateUpdatedTime.getTime(),
            notificationResource: policyArn,
          }),
        },
      ]);
    }
  }
}

/** The newest datapoint value in CloudWatch-shaped StateReasonData (`recentDatapoints` or `evaluatedDatapoints`), if any. */
export function reasonDataValue(reasonData: string | undefined): number | undefined {
  if (reasonData === undefined) return undefined;
  try {
    const data = JSON.parse(reasonData) as { recentDatapoints?: unknown; evaluatedDatapoints?: unknown };
    const recent = Array.isArray(data.recentDatapoints) ? data.recentDatapoints.at(-1) : undefined;
    if (typeof recent === 'number' && Number.isFinite(recent)) return recent;
    const evaluated = Array.isArray(data.evaluatedDatapoints)
      ? (data.evaluatedDatapoints[0] as { value?: unknown })
      : undefined;
    return typeof evaluated?.value === 'number' && Number.isFinite(evaluated.value) ? evaluated.value : undefined;
  } catch {
    return undefined;
  }
}
