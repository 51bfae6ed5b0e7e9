import { PhantomError } from '../../contracts/errors.ts';

/** Settings of the n-preserving overflow engine. */
export interface OverflowConfig {
  /**
   * How many instances above `desired` the engine may launch while moving load back to a
   * higher-ranked site (launch before terminate). 0 disables moving load back. Default 1.
   */
  maxSurge: number;
}

/** The settings used when a domain gives none. */
export const DEFAULT_OVERFLOW_CONFIG: Readonly<OverflowConfig> = Object.freeze({ maxSurge: 1 });

const KNOWN_FIELDS = new Set(['maxSurge']);
const MAX_SURGE_LIMIT = 1000;

const invalid = (message: string) => new PhantomError('Validation', message);

/**
 * Validates the engine's own settings: `undefined`/`null` → defaults; otherwise a plain object
 * with optional `maxSurge` (integer 0..1000). Unknown fields are refused so typos surface.
 * @throws PhantomError `Validation` naming the offending field.
 */
export function parseOverflowConfig(raw: unknown): OverflowConfig {
  if (raw === undefined || raw === null) return { ...DEFAULT_OVERFLOW_CONFIG };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('overflow engine config: expected an object');
  const fields = raw as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!KNOWN_FIELDS.has(key)) throw invalid(`overflow engine config: unknown field ${key}`);
  }
  const maxSurge = fields['maxSurge'] ?? DEFAULT_OVERFLOW_CONFIG.maxSurge;
  if (typeof maxSurge !== 'number' || !Number.isInteger(maxSurge) || maxSurge < 0 || maxSurge > MAX_SURGE_LIMIT) {
    throw invalid(`overflow engine config: maxSurge must be an integer from 0 to ${MAX_SURGE_LIMIT}`);
  }
  return { maxSurge };
}
