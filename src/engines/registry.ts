import type { DecisionEngine } from '../contracts/engine.ts';
import { nPreservingOverflow } from './n-preserving-overflow/engine.ts';

/**
 * Engine names a domain can carry: `error_overflow_n_preserving` for Phantom domains
 * (PHANTOM_DEFINITION), `aws-overflow` for plain AWS groups over their mapped sites.
 */
export type EngineName = 'error_overflow_n_preserving' | 'aws-overflow';

/**
 * Static engine registry (no scanning). Both names map to the n-preserving overflow engine for
 * now. Callers pass the engine's `parseConfig` result, never raw settings, to `decide`.
 */
export function engineFor(name: EngineName): DecisionEngine {
  switch (name) {
    case 'error_overflow_n_preserving':
    case 'aws-overflow':
      return nPreservingOverflow;
    default: {
      const unreachable: never = name;
      throw new Error(`unknown decision engine ${String(unreachable)}`);
    }
  }
}
