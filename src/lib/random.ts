import { randomInt } from 'node:crypto';

/**
 * A seeded uniform [0, 1) source (mulberry32): the same seed gives the same sequence. For
 * tests and reproducible chaos runs. Each call returns an independent generator.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/** A uniform [0, 1) source from the OS CSPRNG (48 bits), for production use. */
export const cryptoRandom = (): number => randomInt(0, 2 ** 48 - 1) / 2 ** 48;
