import { PhantomError } from '../contracts/errors.ts';

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
