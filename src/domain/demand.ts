import { PhantomError } from '../contracts/errors.ts';

/**
 * A domain's demand model on simulated sites: how much work the domain's application has at a
 * time, in percent of one instance's CPU (250 = two and a half instances fully busy). The sim
 * spreads it over the domain's InService instances as their `CPUUtilization`, so target
 * tracking on ASGAverageCPUUtilization works on the simulated clouds, and `phantom simulate`
 * drives its scenarios with the same models.
 *
 * Written as text (the group tag `phantom_demand`, the CLI, scenario files):
 * - `constant:LEVEL` — e.g. `constant:150`;
 * - `steps@ANCHOR:OFFSET=LEVEL,…` — piecewise constant from the ISO-8601 UTC anchor, e.g.
 *   `steps@2026-12-08T10:00:00Z:0m=100,5m=400,30m=100`; before the first offset the first level;
 * - `sine:mean=M,amplitude=A,period=P[,phase=Q]` — M + A·sin(2π(t − Q)/P), t from the Unix
 *   epoch (so `period=24h,phase=6h` peaks at 12:00 UTC each day), never below 0;
 * - `trace@ANCHOR:STEP:V1,V2,…` — a value every STEP from the anchor, the last one held.
 * Durations are a number with `s`, `m`, `h` or `d`.
 */
export type DemandModel =
  | { readonly kind: 'constant'; readonly level: number }
  | { readonly kind: 'steps'; readonly anchorMs: number; readonly steps: readonly DemandStep[] }
  | {
      readonly kind: 'sine';
      readonly mean: number;
      readonly amplitude: number;
      readonly periodMs: number;
      readonly phaseMs: number;
    }
  | { readonly kind: 'trace'; readonly anchorMs: number; readonly stepMs: number; readonly values: readonly number[] };

/** One step of a `steps` model: from `offsetMs` after the anchor, `level`. */
export interface DemandStep {
  readonly offsetMs: number;
  readonly level: number;
}

/** The tag that sets a domain's demand model on simulated sites. */
export const DEMAND_TAG = 'phantom_demand';

/** The largest level accepted: a million instances' worth. */
const MAX_LEVEL = 100_000_000;
/** The most values or steps one model holds. */
const MAX_POINTS = 100_000;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const invalid = (text: string, why: string): PhantomError =>
  new PhantomError('Validation', `Invalid demand model '${text.slice(0, 80)}': ${why}`);

function level(text: string, raw: string): number {
  const value = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(value >= 0 && value <= MAX_LEVEL))
    throw invalid(text, `a level must be a number from 0 to ${MAX_LEVEL}, not '${raw}'.`);
  return value;
}

function duration(text: string, raw: string, allowZero: boolean): number {
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(raw.trim());
  const ms = match ? Math.round(Number(match[1]) * UNIT_MS[match[2]!]!) : Number.NaN;
  if (!(ms >= (allowZero ? 0 : 1)) || ms > 3650 * UNIT_MS.d!)
    throw invalid(text, `a duration is a number with s, m, h or d (at most 3650d), not '${raw}'.`);
  return ms;
}

function anchor(text: string, raw: string): number {
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(ms))
    throw invalid(text, `the anchor must be an ISO-8601 UTC time such as 2026-12-08T10:00:00Z, not '${raw}'.`);
  return ms;
}

/** `key=value,…` into a map; every key must be one of `allowed`, none repeated. */
function fields(text: string, body: string, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of body.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    if (eq < 0 || !allowed.includes(key) || out.has(key))
      throw invalid(text, `expected ${allowed.join(', ')} as key=value pairs, each once.`);
    out.set(key, part.slice(eq + 1));
  }
  return out;
}

/** `KIND@ANCHOR:REST` into the anchor and the rest. */
function anchored(text: string, head: string): [number, string] {
  const at = text.indexOf('@');
  // The anchor's own colons: split after the `Z` that ends it.
  const end = text.indexOf('Z:', at);
  if (at !== head.length || end < 0) throw invalid(text, `${head} needs an anchor: ${head}@2026-12-08T10:00:00Z:…`);
  return [anchor(text, text.slice(at + 1, end + 1)), text.slice(end + 2)];
}

function parseSteps(text: string): DemandModel {
  const [anchorMs, body] = anchored(text, 'steps');
  const steps = body.split(',').map((part) => {
    const [offset, value, extra] = part.split('=');
    if (offset === undefined || value === undefined || extra !== undefined)
      throw invalid(text, 'each step is OFFSET=LEVEL, e.g. 5m=400.');
    return { offsetMs: duration(text, offset, true), level: level(text, value) };
  });
  if (steps.length > MAX_POINTS) throw invalid(text, `at most ${MAX_POINTS} steps.`);
  for (let i = 1; i < steps.length; i++)
    if (steps[i]!.offsetMs <= steps[i - 1]!.offsetMs) throw invalid(text, 'step offsets must increase.');
  return { kind: 'steps', anchorMs, steps };
}

function parseSine(text: string): DemandModel {
  const f = fields(text, text.slice('sine:'.length), ['mean', 'amplitude', 'period', 'phase']);
  if (!f.has('mean') || !f.has('amplitude') || !f.has('period'))
    throw invalid(text, 'sine needs mean, amplitude and period.');
  return {
    kind: 'sine',
    mean: level(text, f.get('mean')!),
    amplitude: level(text, f.get('amplitude')!),
    periodMs: duration(text, f.get('period')!, false),
    phaseMs: f.has('phase') ? duration(text, f.get('phase')!, true) : 0,
  };
}

function parseTrace(text: string): DemandModel {
  const [anchorMs, body] = anchored(text, 'trace');
  const colon = body.indexOf(':');
  if (colon < 0) throw invalid(text, 'trace is trace@ANCHOR:STEP:V1,V2,…');
  const values = body.slice(colon + 1).split(',');
  if (values.length > MAX_POINTS) throw invalid(text, `at most ${MAX_POINTS} values.`);
  return {
    kind: 'trace',
    anchorMs,
    stepMs: duration(text, body.slice(0, colon), false),
    values: values.map((v) => level(text, v)),
  };
}

/**
 * Parses a demand model's text (see {@link DemandModel}).
 * @throws PhantomError Validation naming what is wrong; nothing else.
 */
export function parseDemand(text: string): DemandModel {
  const trimmed = text.trim();
  if (trimmed.startsWith('constant:')) return { kind: 'constant', level: level(trimmed, trimmed.slice(9)) };
  if (trimmed.startsWith('steps@')) return parseSteps(trimmed);
  if (trimmed.startsWith('sine:')) return parseSine(trimmed);
  if (trimmed.startsWith('trace@')) return parseTrace(trimmed);
  throw invalid(trimmed, 'it must start with constant:, steps@, sine: or trace@.');
}

/** The demand at `atMs` (ms since the epoch), at least 0. Pure. */
export function demandAt(model: DemandModel, atMs: number): number {
  switch (model.kind) {
    case 'constant':
      return model.level;
    case 'steps': {
      let current = model.steps[0]!.level;
      for (const step of model.steps) if (atMs - model.anchorMs >= step.offsetMs) current = step.level;
      return current;
    }
    case 'sine': {
      const angle = (2 * Math.PI * (atMs - model.phaseMs)) / model.periodMs;
      return Math.max(0, model.mean + model.amplitude * Math.sin(angle));
    }
    case 'trace': {
      const index = Math.floor((atMs - model.anchorMs) / model.stepMs);
      return model.values[Math.min(Math.max(0, index), model.values.length - 1)]!;
    }
  }
}

/**
 * Each InService instance's CPU utilisation (percent) when `demand` is spread over `inService`
 * instances: demand / inService, at most 100. Undefined when no instance is in service (no
 * instance reports a datapoint). Pure.
 */
export function utilisation(demand: number, inService: number): number | undefined {
  if (inService <= 0) return undefined;
  return Math.min(100, demand / inService);
}
