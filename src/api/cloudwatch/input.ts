import { XML_SAFE } from '../query/shape.ts';
import { invalidValue, missing } from './errors.ts';
import type { CloudWatchProtocol } from './wire.ts';

/** Constraints of a string member. */
export interface StringRule {
  min?: number;
  max?: number;
  enum?: readonly string[];
  pattern?: RegExp;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads members of a decoded request (a JSON object, or the object queryInput built from Query
 * parameters) with CloudWatch's types and limits. JSON members must have their JSON type; Query
 * members are strings and are parsed. Every refusal names the member's path.
 */
export class InputReader {
  constructor(readonly protocol: CloudWatchProtocol) {}

  /** The member `name` of `obj`, or undefined; JSON null counts as absent. */
  private raw(obj: Record<string, unknown>, name: string): unknown {
    const v = obj[name];
    return v === null ? undefined : v;
  }

  /** A structure member. @throws CwError when it is not an object. */
  struct(obj: Record<string, unknown>, name: string, path: string): Record<string, unknown> | undefined {
    const v = this.raw(obj, name);
    if (v === undefined) return undefined;
    if (!isRecord(v)) throw invalidValue(`The parameter ${path} must be a structure.`);
    return v;
  }

  /** A list member (Query: `Name=` is an empty list). @throws CwError when not a list or too long. */
  list(obj: Record<string, unknown>, name: string, path: string, max: number): unknown[] | undefined {
    const v = this.raw(obj, name);
    if (v === undefined) return undefined;
    const list = this.protocol === 'query' && v === '' ? [] : v;
    if (!Array.isArray(list)) throw invalidValue(`The parameter ${path} must be a list.`);
    if (list.length > max)
      throw invalidValue(`The collection ${path} must not have more than ${max} members; it has ${list.length}.`);
    return list;
  }

  /** A list of structures. */
  structs(
    obj: Record<string, unknown>,
    name: string,
    path: string,
    max: number,
  ): Record<string, unknown>[] | undefined {
    return this.list(obj, name, path, max)?.map((item, i) => {
      if (!isRecord(item)) throw invalidValue(`The parameter ${path}.member.${i + 1} must be a structure.`);
      return item;
    });
  }

  string(obj: Record<string, unknown>, name: string, path: string, rule: StringRule = {}): string | undefined {
    const v = this.raw(obj, name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw invalidValue(`The parameter ${path} must be a string.`);
    return checkString(v, path, rule);
  }

  requiredString(obj: Record<string, unknown>, name: string, path: string, rule: StringRule = {}): string {
    const v = this.string(obj, name, path, rule);
    if (v === undefined) throw missing(path);
    return v;
  }

  /**
   * A finite double. JSON: a number (its "NaN"/"Infinity" strings are refused by name); Query: a
   * decimal string. @throws CwError InvalidParameterValue otherwise.
   */
  number(obj: Record<string, unknown>, name: string, path: string): number | undefined {
    const v = this.raw(obj, name);
    if (v === undefined) return undefined;
    let n: number;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'string' && (this.protocol === 'query' || /^-?(NaN|Infinity)$/.test(v)))
      n = v.trim() === '' ? NaN : Number(v);
    else throw invalidValue(`The parameter ${path} must be a number.`);
    if (!Number.isFinite(n))
      throw invalidValue(
        `The value ${String(v).slice(0, 40)} for parameter ${path} is invalid: it must be a finite number.`,
      );
    return n;
  }

  /** An integer. */
  integer(obj: Record<string, unknown>, name: string, path: string): number | undefined {
    const n = this.number(obj, name, path);
    if (n !== undefined && !Number.isSafeInteger(n)) throw invalidValue(`The parameter ${path} must be an integer.`);
    return n;
  }

  boolean(obj: Record<string, unknown>, name: string, path: string): boolean | undefined {
    const v = this.raw(obj, name);
    if (v === undefined) return undefined;
    if (typeof v === 'boolean') return v;
    if (this.protocol === 'query' && (v === 'true' || v === 'false')) return v === 'true';
    throw invalidValue(`The parameter ${path} must be true or false.`);
  }

  /** A timestamp as epoch ms: epoch seconds (JSON number) or an ISO 8601 date-time string. */
  timestamp(obj: Record<string, unknown>, name: string, path: string): number | undefined {
    const v = this.raw(obj, name);
    if (v === undefined) return undefined;
    let ms = NaN;
    if (typeof v === 'number') ms = v * 1000;
    else if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(v))
      ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(v) ? v : `${v}Z`);
    else if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v)) ms = Number(v) * 1000;
    if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15)
      throw invalidValue(`The parameter ${path} must be a timestamp (ISO 8601, or epoch seconds).`);
    return ms;
  }

  requiredTimestamp(obj: Record<string, unknown>, name: string, path: string): number {
    const v = this.timestamp(obj, name, path);
    if (v === undefined) throw missing(path);
    return v;
  }
}

/** Checks a string against its rule and XML-safety. @returns it. @throws CwError InvalidParameterValue. */
export function checkString(v: string, path: string, rule: StringRule): string {
  const shown = v.length > 64 ? `${v.slice(0, 64)}…` : v;
  if (rule.min !== undefined && v.length < rule.min)
    throw invalidValue(`The parameter ${path} must be at least ${rule.min} characters long.`);
  if (rule.max !== undefined && v.length > rule.max)
    throw invalidValue(`The parameter ${path} must be at most ${rule.max} characters long; it has ${v.length}.`);
  if (!XML_SAFE.test(v)) throw invalidValue(`The parameter ${path} contains characters that are not allowed.`);
  if (rule.enum && !rule.enum.includes(v))
    throw invalidValue(
      `The value ${shown} for parameter ${path} is invalid: it must be one of ${rule.enum.join(', ')}.`,
    );
  if (rule.pattern && !rule.pattern.test(v)) throw invalidValue(`The value ${shown} for parameter ${path} is invalid.`);
  return v;
}
