import type { Logger } from 'pino';
import type { ServiceDeps } from '../../services/deps.ts';
import { runScheduledAction, type ScheduledRunOutcome } from '../../services/scheduled-runs.ts';

/** Options of the scheduled-action runner. */
export interface SchedulerOptions {
  /** Required. The services' dependencies (store and Clock: "due" is read from the Clock). */
  deps: ServiceDeps;
  /** Required. How often due actions are looked for. */
  intervalMs: number;
  log: Logger;
  /** Required. Called after an action changed a group (enqueue its reconcile). Must not throw. */
  onChanged(owner: string, groupName: string): void;
  /** Optional. At most this many due actions are read and run per round (default 100); a full round is followed by another at once. */
  batchSize?: number;
}

/** What one poll did. */
export interface SchedulerPollReport {
  applied: number;
  failed: number;
  skipped: number;
  stale: number;
}

/** A poll goes on with further rounds of this many actions at most this many times (then waits for the next tick). */
const MAX_ROUNDS_PER_POLL = 10;

/**
 * Runs scheduled actions when they fall due. Every `intervalMs` it reads the due actions of every
 * owner in one indexed query (bounded by `batchSize`, earliest first, so within a group they run
 * in time order), runs each through `runScheduledAction` (one transaction per action: applied at
 * most once per due time, even across a restart or a second scheduler), and enqueues the changed
 * groups' reconcile. An action that fails unexpectedly (the store) is logged and stays due: it is
 * tried again at the next poll. Polls never overlap.
 */
export class ScheduledActionScheduler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<SchedulerPollReport>;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {}

  /** Starts polling (and polls once at once). Idempotent. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
    this.timer.unref();
    this.tick();
  }

  private tick(): void {
    this.poll().catch((err: unknown) => this.options.log.error({ err }, 'scheduled actions poll failed'));
  }

  /** Runs every action due now (a poll already running is joined, not doubled). */
  poll(): Promise<SchedulerPollReport> {
    if (this.running) return this.running;
    this.running = this.runDue().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runDue(): Promise<SchedulerPollReport> {
    const report: SchedulerPollReport = { applied: 0, failed: 0, skipped: 0, stale: 0 };
    const batchSize = this.options.batchSize ?? 100;
    for (let round = 0; round < MAX_ROUNDS_PER_POLL && !this.stopped; round++) {
      const due = await this.options.deps.store.listDueScheduledActions(this.options.deps.clock.now(), batchSize);
      let progressed = false;
      for (const action of due) {
        if (this.stopped) break;
        const outcome = await this.runOne(action);
        if (outcome) {
          report[outcome.kind]++;
          progressed = true;
        }
      }
      if (due.length < batchSize || !progressed) break;
    }
    if (report.applied + report.failed + report.skipped > 0) this.options.log.info(report, 'scheduled actions ran');
    return report;
  }

  private async runOne(action: Parameters<typeof runScheduledAction>[1]): Promise<ScheduledRunOutcome | undefined> {
    try {
      const outcome = await runScheduledAction(this.options.deps, action);
      if (outcome.kind === 'applied' || outcome.kind === 'failed') {
        this.options.log.info(
          { owner: outcome.owner, group: outcome.groupName, action: action.name, outcome: outcome.kind },
          'scheduled action executed',
        );
        if (outcome.kind === 'applied') this.options.onChanged(outcome.owner, outcome.groupName);
      }
      return outcome;
    } catch (err) {
      this.options.log.error(
        { err, owner: action.owner, group: action.groupName, action: action.name },
        'scheduled action failed; tried again at the next poll',
      );
      return undefined;
    }
  }

  /** Stops polling and waits for a poll in progress to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
