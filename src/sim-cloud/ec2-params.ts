import { invalidParameter, missingParameter } from './ec2-errors.ts';
import type { Param } from '../api/query/form.ts';

const INDEX = /^[1-9][0-9]{0,5}$/;

/**
 * The parameters of one EC2 Query request, read with the ec2 protocol's list encoding: lists
 * are `Name.N` and structure lists `Name.N.Field` — no `.member` segment (unlike the Auto
 * Scaling query protocol). The first occurrence of a repeated name wins.
 */
export class Ec2Params {
  private readonly values: Map<string, string>;

  /** @param params Decoded `name=value` pairs (query string then form body). */
  constructor(params: Iterable<Param> | Map<string, string>) {
    if (params instanceof Map) {
      this.values = params;
      return;
    }
    this.values = new Map();
    for (const [name, value] of params) if (!this.values.has(name)) this.values.set(name, value);
  }

  /** The value of `name`, or undefined. */
  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** The value of `name`. @throws Ec2Error MissingParameter when absent or empty. */
  require(name: string): string {
    const value = this.values.get(name);
    if (value === undefined || value === '') throw missingParameter(name);
    return value;
  }

  /**
   * An optional integer parameter within [min, max].
   * @throws Ec2Error InvalidParameterValue when not an integer in range.
   */
  integer(name: string, min: number, max: number): number | undefined {
    const raw = this.values.get(name);
    if (raw === undefined) return undefined;
    const value = /^-?[0-9]{1,12}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw invalidParameter(
        `Value (${raw.slice(0, 40)}) for parameter ${name} is invalid. Expecting a value between ${min} and ${max}.`,
      );
    }
    return value;
  }

  /** The values of `prefix.1`, `prefix.2`, … in index order (gaps allowed). */
  list(prefix: string): string[] {
    return this.indexed(prefix)
      .filter(([, rest]) => rest === '')
      .map(([, , value]) => value);
  }

  /** The sub-structures `prefix.N.*`, in index order, each with the `prefix.N.` part removed. */
  structs(prefix: string): Ec2Params[] {
    const groups = new Map<number, Map<string, string>>();
    for (const [index, rest, value] of this.indexed(prefix)) {
      if (!rest.startsWith('.')) continue;
      let group = groups.get(index);
      if (!group) groups.set(index, (group = new Map()));
      group.set(rest.slice(1), value);
    }
    return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => new Ec2Params(group));
  }

  /** `[index, remainder after the index, value]` for every `prefix.N…` name, sorted by index. */
  private indexed(prefix: string): Array<[number, string, string]> {
    const out: Array<[number, string, string]> = [];
    const head = `${prefix}.`;
    for (const [name, value] of this.values) {
      if (!name.startsWith(head)) continue;
      const tail = name.slice(head.length);
      const dot = tail.indexOf('.');
      const digits = dot < 0 ? tail : tail.slice(0, dot);
      if (!INDEX.test(digits)) continue;
      out.push([Number(digits), dot < 0 ? '' : tail.slice(dot), value]);
    }
    return out.sort(([a], [b]) => a - b);
  }
}
