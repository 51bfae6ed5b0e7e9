/** Source of the current time. Everything that reads time takes a Clock so tests can fix it. */
export interface Clock {
  /** Required. The current instant; never throws. */
  now(): Date;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock tests move by hand. */
export class FixedClock implements Clock {
  constructor(private current: Date = new Date('2026-11-25T12:00:00Z')) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(date: Date): void {
    this.current = new Date(date.getTime());
  }
}
