import { PhantomError } from '../../contracts/errors.ts';
import type { ScalingDirection } from './target-tracking.ts';

/**
 * Cooldown and warm-up gates (AWS, "Consolidated view of warm-up and cooldown settings" and
 * "Step and simple scaling policies"). Pure: every instant is a plain `now` in epoch ms, every
 * duration in seconds as AWS gives it.
 * - Simple scaling waits for in-flight activity to finish and then for the cooldown (the policy's
 *   Cooldown, else the group's DefaultCooldown) after the last scaling activity.
 * - Step scaling keeps evaluating, but while scaling out does not count warming instances as
 *   current capacity, so repeated breaches within one step make a single activity; scale-in
 *   waits for every warm-up to end.
 * - Warm-up = the policy's EstimatedInstanceWarmup ?? the group's DefaultInstanceWarmup ?? its DefaultCooldown.
 */

const invalid = (message: string): PhantomError => new PhantomError('Validation', message);

function seconds(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw invalid(`${name} must be a whole number of seconds ≥ 0, got ${value}.`);
  return value;
}

function instant(name: string, value: number): number {
  if (!Number.isFinite(value)) throw invalid(`${name} must be a finite instant, got ${value}.`);
  return value;
}

/** The warm-up settings in play. */
export interface WarmupSettings {
  /** Optional. The policy's EstimatedInstanceWarmup. */
  readonly policyWarmup?: number;
  /** Optional. The group's DefaultInstanceWarmup; -1 (AWS's "remove it") counts as unset. */
  readonly groupDefaultInstanceWarmup?: number;
  /** Required. The group's DefaultCooldown (AWS default 300). */
  readonly groupDefaultCooldown: number;
}

/**
 * The warm-up in seconds: EstimatedInstanceWarmup ?? DefaultInstanceWarmup ?? DefaultCooldown.
 * @throws PhantomError Validation for a negative (other than -1 on the group), fractional or non-finite value.
 */
export function effectiveWarmupSeconds(settings: WarmupSettings): number {
  if (settings.policyWarmup !== undefined) return seconds('EstimatedInstanceWarmup', settings.policyWarmup);
  const group = settings.groupDefaultInstanceWarmup;
  if (group !== undefined && group !== -1) return seconds('DefaultInstanceWarmup', group);
  return seconds('DefaultCooldown', settings.groupDefaultCooldown);
}

/** What warm-up needs to know about one instance. */
export interface WarmupInstance {
  /** Launched but not yet InService: it reports nothing yet, so it is warming. */
  readonly pending: boolean;
  /** Optional. When it entered InService (epoch ms). */
  readonly inServiceSince?: number;
}

/**
 * Whether the instance is still warming at `now`: pending, or InService for less than the warm-up.
 * @throws PhantomError Validation for non-finite instants or a bad warm-up.
 */
export function isWarming(instance: WarmupInstance, warmupSeconds: number, now: number): boolean {
  seconds('warm-up', warmupSeconds);
  instant('now', now);
  if (instance.pending || instance.inServiceSince === undefined) return true;
  return now - instant('inServiceSince', instance.inServiceSince) < warmupSeconds * 1000;
}

/** How many of `instances` are warming at `now` (see {@link isWarming}). */
export const warmingCount = (instances: readonly WarmupInstance[], warmupSeconds: number, now: number): number =>
  instances.filter((i) => isWarming(i, warmupSeconds, now)).length;

/** Input of {@link simpleScalingGate}. */
export interface SimpleGateInput {
  readonly now: number;
  /** Optional. When the group's last scaling activity finished (epoch ms); undefined if none. */
  readonly lastActivityEndedAt?: number;
  /** True while a scaling activity (or health replacement) is still running. */
  readonly activityInProgress: boolean;
  /** Optional. The policy's Cooldown in seconds. */
  readonly policyCooldown?: number;
  /** Required. The group's DefaultCooldown in seconds. */
  readonly groupDefaultCooldown: number;
}

/** Whether a policy may act now, and if not, why and from when it may try again. */
export interface GateVerdict {
  readonly open: boolean;
  readonly reason: string;
  /** Epoch ms the gate opens, when known (not while an activity runs). */
  readonly opensAt?: number;
}

/**
 * The simple-scaling gate: closed while an activity runs, then for the cooldown after the last one.
 * @throws PhantomError Validation for non-finite instants or bad cooldowns.
 */
export function simpleScalingGate(input: SimpleGateInput): GateVerdict {
  const now = instant('now', input.now);
  const cooldown =
    input.policyCooldown !== undefined
      ? seconds('Cooldown', input.policyCooldown)
      : seconds('DefaultCooldown', input.groupDefaultCooldown);
  if (input.activityInProgress) return { open: false, reason: 'a scaling activity is still in progress' };
  if (input.lastActivityEndedAt === undefined) return { open: true, reason: 'no earlier scaling activity' };
  const opensAt = instant('lastActivityEndedAt', input.lastActivityEndedAt) + cooldown * 1000;
  if (now < opensAt)
    return { open: false, reason: `in cooldown (${cooldown} s) until ${new Date(opensAt).toISOString()}`, opensAt };
  return { open: true, reason: 'cooldown over', opensAt };
}

/** Input of {@link stepScalingOutcome}. */
export interface StepOutcomeInput {
  /** Required. The group's current (desired) capacity, warming instances included. */
  readonly currentCapacity: number;
  readonly warmingInstances: number;
  /**
   * Required. The capacity the chosen step asks for, computed from {@link stepScalingBase}
   * (the current capacity without warming instances).
   */
  readonly proposed: number;
  readonly minSize: number;
  readonly maxSize: number;
}

/**
 * The capacity a step adjustment applies to: the current capacity less the warming instances
 * (AWS does not count them as current capacity while scaling out).
 * @throws PhantomError Validation for negative or fractional counts, or more warming than capacity.
 */
export function stepScalingBase(currentCapacity: number, warmingInstances: number): number {
  for (const [name, v] of [
    ['currentCapacity', currentCapacity],
    ['warmingInstances', warmingInstances],
  ] as const)
    if (!Number.isInteger(v) || v < 0) throw invalid(`${name} must be a whole number ≥ 0, got ${v}.`);
  if (warmingInstances > currentCapacity)
    throw invalid(`warmingInstances (${warmingInstances}) exceeds currentCapacity (${currentCapacity}).`);
  return currentCapacity - warmingInstances;
}

/**
 * Whether a step policy's proposal makes a scaling activity. Out: only when the proposal, clamped
 * to MaxSize, exceeds the current capacity (so a second breach of the same step while the first
 * step's instances warm makes none). In: only when nothing warms, clamped to MinSize.
 * @throws PhantomError Validation for bad counts, a non-integer proposal, or MinSize > MaxSize.
 */
export function stepScalingOutcome(input: StepOutcomeInput): {
  direction: ScalingDirection;
  desired: number;
  reason: string;
} {
  const { currentCapacity: current, warmingInstances: warming, minSize, maxSize } = input;
  stepScalingBase(current, warming);
  if (!Number.isInteger(input.proposed))
    throw invalid(`The proposed capacity must be a whole number, got ${input.proposed}.`);
  if (!Number.isInteger(minSize) || !Number.isInteger(maxSize) || minSize < 0 || minSize > maxSize)
    throw invalid(`MinSize (${minSize}) and MaxSize (${maxSize}) must be whole numbers with 0 ≤ MinSize ≤ MaxSize.`);
  const desired = Math.min(Math.max(input.proposed, minSize), maxSize);
  if (desired > current) return { direction: 'out', desired, reason: `step adjustment: ${current} → ${desired}` };
  if (desired < current && input.proposed < current - warming) {
    if (warming > 0)
      return { direction: 'none', desired: current, reason: `scale-in waits for ${warming} warming instance(s)` };
    return { direction: 'in', desired, reason: `step adjustment: ${current} → ${desired}` };
  }
  return {
    direction: 'none',
    desired: current,
    reason: `capacity ${current} already covers the step (${warming} warming)`,
  };
}
