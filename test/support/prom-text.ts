/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: every line must be
 * a HELP, a TYPE or a sample; names, label syntax, escapes and values are checked; each family
 * has one TYPE before its samples and its samples are contiguous; histograms have cumulative
 * buckets ending in `le="+Inf"` equal to `_count`. Anything else throws naming the line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly string[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count', ''],
};

function parseValue(raw: string, line: number): number {
  if (raw === '+Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  if (raw === 'NaN') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new Error(`line ${line}: bad value ${raw}`);
  return Number(raw);
}

/** Parses `{a="x",b="y"}` starting at `text[0] === '{'`; returns the labels and the rest. */
function parseLabels(text: string, line: number): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1;
  while (text[i] !== '}') {
    const eq = text.indexOf('=', i);
    const name = text.slice(i, eq);
    if (eq < 0 || !LABEL_NAME.test(name)) throw new Error(`line ${line}: bad label name ${name}`);
    if (name in labels) throw new Error(`line ${line}: duplicate label ${name}`);
    if (text[eq + 1] !== '"') throw new Error(`line ${line}: label ${name} value must be quoted`);
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\n') throw new Error(`line ${line}: raw newline in label ${name}`);
      if (text[j] !== '\\') {
        value += text[j];
        continue;
      }
      const escaped = text[++j];
      if (escaped === 'n') value += '\n';
      else if (escaped === '\\' || escaped === '"') value += escaped;
      else throw new Error(`line ${line}: bad escape \\${escaped} in label ${name}`);
    }
    if (j >= text.length) throw new Error(`line ${line}: unterminated label ${name}`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`line ${line}: expected , or } after label ${name}`);
  }
  return { labels, rest: text.slice(i + 1) };
}

function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  for (const [base, family] of families) {
    const suffixes = SUFFIXES[family.type] ?? [''];
    if (suffixes.some((suffix) => sampleName === base + suffix)) return family;
  }
  return undefined;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Sample[]>();
  const keyOf = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le'));
  for (const s of family.samples.filter((x) => x.name.endsWith('_bucket'))) {
    if (s.labels.le === undefined) throw new Error(`${family.name}: bucket without le`);
    series.set(keyOf(s.labels), [...(series.get(keyOf(s.labels)) ?? []), s]);
  }
  for (const [key, buckets] of series) {
    for (let i = 1; i < buckets.length; i++)
      if (buckets[i]!.value < buckets[i - 1]!.value) throw new Error(`${family.name}${key}: buckets not cumulative`);
    const last = buckets[buckets.length - 1]!;
    if (last.labels.le !== '+Inf') throw new Error(`${family.name}${key}: last bucket is not le="+Inf"`);
    const count = family.samples.find((s) => s.name === `${family.name}_count` && keyOf(s.labels) === key);
    if (count?.value !== last.value) throw new Error(`${family.name}${key}: _count differs from the +Inf bucket`);
  }
}

/** Parses exposition text into families by name. @throws Error naming the first bad line. */
export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const finished = new Set<string>();
  let current: Family | undefined;
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new Error('the text must end with a newline');
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw === '') return;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) throw new Error(`line ${line}: bad metric name ${name}`);
      if (finished.has(name)) throw new Error(`line ${line}: family ${name} appears twice`);
      if (current && current.name !== name) finished.add(current.name);
      current = families.get(name) ?? { name, type: 'untyped', help: '', samples: [] };
      families.set(name, current);
      if (kind === 'TYPE') {
        if (!TYPES.includes(rest)) throw new Error(`line ${line}: bad type ${rest}`);
        if (current.samples.length > 0) throw new Error(`line ${line}: TYPE after samples of ${name}`);
        current.type = rest as MetricType;
      } else current.help = rest;
      return;
    }
    if (raw.startsWith('#')) throw new Error(`line ${line}: unexpected comment ${raw}`);
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(raw)?.[0];
    if (!name) throw new Error(`line ${line}: bad sample ${raw}`);
    let rest = raw.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, line));
    const parts = rest.split(' ');
    if (parts[0] !== '' || parts.length < 2 || parts.length > 3) throw new Error(`line ${line}: bad sample ${raw}`);
    const family = familyOf(name, families);
    if (!family || family !== current) throw new Error(`line ${line}: sample ${name} outside its family's block`);
    family.samples.push({ name, labels, value: parseValue(parts[1]!, line) });
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when none. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const family of families.values())
    for (const s of family.samples)
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
  return undefined;
}

export const PROMTOOL = '/usr/bin/promtool';

/**
 * Runs `promtool check metrics` (lint included) on `text`. Returns undefined when promtool is
 * not installed (Debian package `prometheus`); with PHANTOM_REQUIRE_CLIENTS=1 that throws.
 */
export function promtoolCheck(text: string): { ok: boolean; output: string } | undefined {
  if (!existsSync(PROMTOOL)) {
    if (process.env.PHANTOM_REQUIRE_CLIENTS === '1')
      throw new Error(`${PROMTOOL} is missing (apt-get install prometheus)`);
    return undefined;
  }
  const run = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}
