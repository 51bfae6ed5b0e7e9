import { DEFINITION_TAG, OVERFLOW_DEFINITION, SENSOR_DEFINITION } from '../domain/placement.ts';
import type { DecisionEngine, EngineInput, Plan } from '../contracts/engine.ts';
import type { Tag } from '../contracts/records.ts';
import { nPreservingOverflow } from './n-preserving-overflow/engine.ts';

/**
 * Engine names a domain can carry: `error_overflow_n_preserving` for Phantom domains
 * (PHANTOM_DEFINITION; the original's `sensor_engine` domains are placed by it too: its sensor
 * rule only moves the desired capacity), `aws-overflow` for plain AWS groups over their mapped sites.
 */
export type EngineName = 'error_overflow_n_preserving' | 'aws-overflow';

/**
 * Static engine registry (no scanning). Both names map to the n-preserving overflow engine for
 * now. Callers pass the engine's `parseConfig` result, never raw settings, to `decide`.
 * @throws Error naming an unknown engine.
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

/**
 * The engine a group's definition selects: its PHANTOM_DEFINITION tag for a Phantom domain,
 * `aws-overflow` for a plain AWS group.
 * @throws Error naming a definition no engine implements (writes refuse those).
 */
export function engineNameOf(tags: readonly Tag[]): EngineName {
  const definition = tags.find((t) => t.key === DEFINITION_TAG)?.value;
  if (definition === undefined) return 'aws-overflow';
  if (definition === OVERFLOW_DEFINITION || definition === SENSOR_DEFINITION) return OVERFLOW_DEFINITION;
  throw new Error(`no decision engine implements the definition ${definition}`);
}

/** An engine bound to one group's parsed config: `decide` is the engine's, pure. */
export interface SelectedEngine {
  readonly name: EngineName;
  decide(input: EngineInput): Plan;
}

/** Whatever settings the group record gives its engine; none are defined yet, so the engine's defaults apply. */
const rawConfigOf = (_group: { tags: readonly Tag[] }): unknown => undefined;

/**
 * Selects each group's engine by its definition and parses the engine's config once per group
 * record (records are replaced, never mutated, when a group changes: a new record is selected
 * afresh). Memory: a WeakMap, gone with the records.
 */
export class EngineRegistry {
  private readonly selected = new WeakMap<object, SelectedEngine>();

  /**
   * The engine for `group`, with its config parsed. Idempotent per record.
   * @throws Error for a definition no engine implements, or the engine's config error.
   */
  select(group: { tags: readonly Tag[] }): SelectedEngine {
    let engine = this.selected.get(group);
    if (!engine) {
      const name = engineNameOf(group.tags);
      const chosen = engineFor(name);
      const config = chosen.parseConfig(rawConfigOf(group));
      engine = { name, decide: (input) => chosen.decide(input, config) };
      this.selected.set(group, engine);
    }
    return engine;
  }
}
