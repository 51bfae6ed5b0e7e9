/**
 * Polls `probe` every `intervalMs` until it returns a value other than undefined, and returns
 * that value. A probe that throws is polled again (the cloud or server may not be up yet).
 * @throws Error naming `what`, the time allowed and the probe's last error, once `ms` pass.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what} did not happen within ${ms} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
