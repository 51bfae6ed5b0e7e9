import { PhantomError } from '../contracts/errors.ts';
import type { Placement } from './placement.ts';

/** A group's size bounds. */
export interface Capacity {
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
}

const invalid = (message: string) => new PhantomError('Validation', message);

/**
 * Checks min ≤ desired ≤ max with AWS's wording.
 * @throws PhantomError Validation.
 */
export function checkCapacity(c: Capacity): Capacity {
  if (c.minSize > c.maxSize)
    throw invalid(`Max bound, ${c.maxSize}, must be greater than or equal to min bound, ${c.minSize}`);
  if (c.desiredCapacity < c.minSize)
    throw invalid(
      `Desired capacity:${c.desiredCapacity} must be between the specified min size:${c.minSize} and max size:${c.maxSize}`,
    );
  if (c.desiredCapacity > c.maxSize)
    throw invalid(
      `Desired capacity:${c.desiredCapacity} must be between the specified min size:${c.minSize} and max size:${c.maxSize}`,
    );
  return c;
}

/**
 * UpdateAutoScalingGroup's rule (AWS): only given bounds change; a new MinSize above the
 * current desired raises desired to it, a new MaxSize below lowers desired to it.
 * @throws PhantomError Validation when the result violates min ≤ desired ≤ max.
 */
export function updateCapacity(current: Capacity, change: Partial<Capacity>): Capacity {
  const minSize = change.minSize ?? current.minSize;
  const maxSize = change.maxSize ?? current.maxSize;
  let desiredCapacity = change.desiredCapacity ?? current.desiredCapacity;
  if (change.desiredCapacity === undefined) {
    if (desiredCapacity < minSize) desiredCapacity = minSize;
    if (desiredCapacity > maxSize) desiredCapacity = maxSize;
  }
  return checkCapacity({ minSize, maxSize, desiredCapacity });
}

/**
 * SetDesiredCapacity. A Phantom domain pins min = max = N (the original's "n-preserving"
 * semantics the seed's asg_alter relies on); a plain AWS group requires min ≤ N ≤ max.
 * @throws PhantomError Validation with AWS's wording.
 */
export function setDesired(current: Capacity, desired: number, phantomDomain: boolean): Capacity {
  if (phantomDomain) return { minSize: desired, maxSize: desired, desiredCapacity: desired };
  if (desired > current.maxSize)
    throw invalid(
      `New SetDesiredCapacity value ${desired} is above max value ${current.maxSize} for the AutoScalingGroup.`,
    );
  if (desired < current.minSize)
    throw invalid(
      `New SetDesiredCapacity value ${desired} is below min value ${current.minSize} for the AutoScalingGroup.`,
    );
  return { ...current, desiredCapacity: desired };
}

/**
 * Terminate-with-decrement. A Phantom domain pins min = max = N - 1 (the original's rule);
 * a plain AWS group lowers desired and refuses to go below MinSize with AWS's message.
 * @throws PhantomError Validation.
 */
export function decrementDesired(current: Capacity, phantomDomain: boolean): Capacity {
  const n = Math.max(0, current.desiredCapacity - 1);
  if (phantomDomain) return { minSize: n, maxSize: n, desiredCapacity: n };
  if (current.desiredCapacity <= current.minSize) {
    throw invalid(
      `Currently, desiredSize equals minSize (${current.minSize}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
    );
  }
  return { ...current, desiredCapacity: n };
}

/**
 * The most instances a placement can ever hold: the sum of a Phantom domain's caps when every
 * cap is finite; unbounded for a domain with an unlimited (-1) site and for plain AWS groups.
 */
export function capsTotal(placement: Placement): number {
  if (placement.kind !== 'phantom' || placement.sites.some((s) => s.max < 0)) return Infinity;
  return placement.sites.reduce((sum, s) => sum + s.max, 0);
}

/**
 * Refuses a desired capacity the domain's caps can never hold: the domain would stay short
 * for ever without a word. (MinSize ≤ desired, so a MinSize above the caps is refused too.)
 * @throws PhantomError Validation naming the desired capacity, the total and each cap.
 */
export function checkWithinCaps(capacity: Capacity, placement: Placement): void {
  const total = capsTotal(placement);
  if (capacity.desiredCapacity <= total) return;
  const caps = placement.sites.map((s) => `${s.site}:${s.max}`).join(',');
  throw invalid(`DesiredCapacity ${capacity.desiredCapacity} exceeds the domain's total cap of ${total} (${caps}).`);
}
