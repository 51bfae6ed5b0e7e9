/**
 * Rounds of a background loop that never overlap. `tick` (the timer's) starts a round only when
 * none is running; `next` (a caller that needs a round to start *after* now, e.g. a test that
 * just moved the clock) waits for a running round, then runs a fresh one.
 */
export class SerialRounds<T> {
  private running?: Promise<T>;

  constructor(private readonly round: () => Promise<T>) {}

  /** Starts a round unless one is running. Never rejects (`onError` gets a failure). */
  tick(onError: (error: unknown) => void): void {
    if (this.running) return;
    this.start().catch(onError);
  }

  /** A round that starts after any running one has ended. */
  async next(): Promise<T> {
    while (this.running) await this.running.catch(() => undefined);
    return this.start();
  }

  /** Resolves when no round is running. Never rejects. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private start(): Promise<T> {
    const running = this.round().finally(() => {
      if (this.running === running) this.running = undefined;
    });
    this.running = running;
    return running;
  }
}
