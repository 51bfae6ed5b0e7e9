import type { User } from '../../contracts/records.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import type { InputOf, StructShape } from './shape.ts';
import type { XmlValue } from './xml.ts';

/** What the server provides every action: the verified caller and the services. */
export interface ActionContext {
  /** The authenticated caller; every resource an action touches belongs to this user. */
  user: User;
  requestId: string;
  deps: ServiceDeps;
}

/**
 * One Query API action: its input shape and its handler. The handler receives input already
 * decoded and validated against the shape; it returns the `<ActionResult>` content, or
 * undefined for actions whose AWS output has no Result element.
 */
export interface ActionDefinition<S extends StructShape = StructShape> {
  name: string;
  input: S;
  /**
   * Optional. True for actions that only read: their answer depends only on the caller, the
   * input and the caller's records (plus records of no owner: users, sites), so it may be served
   * from a cache keyed by the caller's per-owner change stamp.
   */
  readOnly?: boolean;
  handle(ctx: ActionContext, input: InputOf<S>): Promise<XmlValue>;
}

/** Declares an action with its input type inferred from the shape. */
export const defineAction = <S extends StructShape>(def: ActionDefinition<S>): ActionDefinition<S> => def;
