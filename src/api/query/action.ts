import type { User } from '../../contracts/records.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import type { WriteEffect } from '../../services/write-effect.ts';
import type { InputOf, StructShape } from './shape.ts';
import type { XmlValue } from './xml.ts';

/**
 * Values a read action may keep between requests (e.g. a record's serialised form), scoped to
 * the caller and valid only while the caller's per-owner change stamp holds: any write to the
 * caller's records retires them. Bounded by bytes; an entry may be evicted at any time.
 */
export interface ReadMemo {
  /** Optional hit: the value stored for `key`, or undefined. */
  get(key: string): unknown;
  /** Keeps `value` for `key`, counted as `bytes` (the caller's estimate of its size). Never throws. */
  set(key: string, value: unknown, bytes: number): void;
}

/** A memo that keeps nothing (write actions get this one: their reads must see the store). */
export const NO_MEMO: ReadMemo = { get: () => undefined, set: () => {} };

/** What the server provides every action: the verified caller and the services. */
export interface ActionContext {
  /** The authenticated caller; every resource an action touches belongs to this user. */
  user: User;
  requestId: string;
  deps: ServiceDeps;
  /** Read actions: values kept across requests while the caller's records are unchanged. */
  memo: ReadMemo;
}

/** What a write action's handler returns: its `<ActionResult>` content, and what it changed. */
export interface WriteOutcome {
  /** Optional; absent for actions whose AWS output has no Result element. */
  result?: XmlValue;
  /** Required: the groups the write touched, handed to the controller once the write has committed. */
  effect: WriteEffect;
}

interface ActionBase<S extends StructShape> {
  name: string;
  input: S;
}

/**
 * A read-only action: its answer depends only on the caller, the input and the caller's records
 * (plus records of no owner: users, sites), so it may be served from a cache keyed by the
 * caller's per-owner change stamp. The handler returns the `<ActionResult>` content, or
 * undefined for actions whose AWS output has no Result element.
 */
export interface ReadAction<S extends StructShape = StructShape> extends ActionBase<S> {
  readOnly: true;
  handle(ctx: ActionContext, input: InputOf<S>): Promise<XmlValue>;
}

/** A write action: the handler says what it changed ({@link WriteOutcome}); never cached. */
export interface WriteAction<S extends StructShape = StructShape> extends ActionBase<S> {
  readOnly?: false;
  handle(ctx: ActionContext, input: InputOf<S>): Promise<WriteOutcome>;
}

/**
 * One Query API action: its input shape and its handler, which receives input already decoded
 * and validated against the shape.
 */
export type ActionDefinition<S extends StructShape = StructShape> = ReadAction<S> | WriteAction<S>;

/** Declares an action with its input type inferred from the shape. */
export function defineAction<S extends StructShape>(def: ReadAction<S>): ReadAction<S>;
export function defineAction<S extends StructShape>(def: WriteAction<S>): WriteAction<S>;
export function defineAction<S extends StructShape>(def: ActionDefinition<S>): ActionDefinition<S> {
  return def;
}
