import type { GroupRecord } from '../../contracts/records.ts';
import { byCodePoint } from '../../lib/code-point-order.ts';
import { defineAction, type ActionContext } from '../query/action.ts';
import { ApiError } from '../query/errors.ts';
import { pageSize, paginate } from '../query/pagination.ts';
import { int, list, opt, resourceName, str, struct, xmlString } from '../query/shape.ts';
import { RawXml } from '../query/xml.ts';
import { groupMemberXml } from './group-xml.ts';

/** A group as DescribeAutoScalingGroups shows it: its record and its `<member>` element. */
interface GroupView {
  record: GroupRecord;
  xml: string;
}

/** Bytes a view is counted as beyond its XML: the record's objects, roughly. */
const RECORD_BYTES = 2048;
const viewKey = (name: string) => `asg-view\u0000${name}`;

function remember(ctx: ActionContext, view: GroupView): GroupView {
  ctx.memo.set(viewKey(view.record.name), view, view.xml.length * 2 + RECORD_BYTES);
  return view;
}

/**
 * The views of `records` (read from the store under the request's stamp), each from the memo
 * when it holds one, else built from the record and its members (one store read for all those).
 */
async function viewsOf(ctx: ActionContext, records: readonly GroupRecord[]): Promise<GroupView[]> {
  const held = records.map((r) => ctx.memo.get(viewKey(r.name)) as GroupView | null | undefined);
  const missing = records.filter((_, i) => !held[i]);
  if (missing.length === 0) return held as GroupView[];
  const members = await ctx.deps.store.listGroupMembers(
    ctx.user.id,
    missing.map((r) => r.name),
  );
  return records.map(
    (record, i) => held[i] || remember(ctx, { record, xml: groupMemberXml(record, members.get(record.name) ?? []) }),
  );
}

/**
 * The views of the named groups that exist, sorted by name: from the memo, and for the rest one
 * read of their records and one of their members. A name with no group is remembered as such.
 */
async function viewsByName(ctx: ActionContext, names: readonly string[]): Promise<GroupView[]> {
  const found: GroupView[] = [];
  const missing: string[] = [];
  for (const name of new Set(names)) {
    const held = ctx.memo.get(viewKey(name)) as GroupView | null | undefined;
    if (held === undefined) missing.push(name);
    else if (held !== null) found.push(held);
  }
  if (missing.length > 0) {
    const records = await ctx.deps.store.listGroups(ctx.user.id, { names: missing, limit: missing.length });
    found.push(...(await viewsOf(ctx, records)));
    const existing = new Set(records.map((r) => r.name));
    for (const name of missing) if (!existing.has(name)) ctx.memo.set(viewKey(name), null, 0);
  }
  return found.sort((a, b) => byCodePoint(a.record.name, b.record.name));
}

interface Filter {
  name: string;
  values: readonly string[];
}

function checkFilters(filters: readonly Filter[]): void {
  for (const f of filters) {
    if (!/^(tag-key|tag-value|tag:.+)$/.test(f.name))
      throw new ApiError(
        'ValidationError',
        `Filter name ${f.name} is not supported; use tag-key, tag-value or tag:<key>.`,
      );
  }
}

const matchesAll = (filters: readonly Filter[]) => (g: GroupRecord) =>
  filters.every((f) =>
    f.name === 'tag-key'
      ? g.tags.some((t) => f.values.includes(t.key))
      : f.name === 'tag-value'
        ? g.tags.some((t) => f.values.includes(t.value))
        : g.tags.some((t) => `tag:${t.key}` === f.name && f.values.includes(t.value)),
  );

/** One page (plus one) of the owner's groups in name order after `after`, filters applied. */
async function listedRecords(
  ctx: ActionContext,
  after: string | undefined,
  limit: number,
  matches: (g: GroupRecord) => boolean,
): Promise<GroupRecord[]> {
  const rows: GroupRecord[] = [];
  // Filters are applied after the store's page, so keep reading until the page is full.
  for (;;) {
    const batch = await ctx.deps.store.listGroups(ctx.user.id, { after, limit: limit + 1 });
    rows.push(...batch.filter(matches));
    if (rows.length > limit || batch.length <= limit) return rows;
    after = batch[batch.length - 1]!.name;
  }
}

/**
 * DescribeAutoScalingGroups. Each group's `<member>` element is kept in the caller's read memo,
 * so a Describe of unchanged groups in another order, subset or page builds no XML and, when it
 * names its groups, reads nothing from the store.
 */
export const describeGroupsAction = defineAction({
  name: 'DescribeAutoScalingGroups',
  readOnly: true,
  input: struct({
    AutoScalingGroupNames: opt(list(resourceName())),
    MaxRecords: opt(int()),
    NextToken: opt(str({ max: 4096 })),
    Filters: opt(list(struct({ Name: opt(xmlString(255)), Values: opt(list(xmlString(255))) }))),
  }),
  async handle(ctx, input) {
    const limit = pageSize(input.MaxRecords, 50, 100);
    const names = input.AutoScalingGroupNames?.length ? input.AutoScalingGroupNames : undefined;
    const filters = (input.Filters ?? []).map((f) => ({ name: f.Name ?? '', values: f.Values ?? [] }));
    checkFilters(filters);
    const scope = `asg|${ctx.user.id}|${JSON.stringify([names ?? [], filters])}`;
    const after = input.NextToken === undefined ? undefined : ctx.deps.pageTokens.decode(scope, input.NextToken);
    const matches = matchesAll(filters);
    const views = names
      ? (await viewsByName(ctx, names)).filter(
          (v) => (after === undefined || byCodePoint(v.record.name, after) > 0) && matches(v.record),
        )
      : await viewsOf(ctx, await listedRecords(ctx, after, limit, matches));
    const page = paginate(views, limit, (v) => v.record.name, ctx.deps.pageTokens, scope);
    return {
      AutoScalingGroups: new RawXml(page.items.map((v) => v.xml).join('')),
      NextToken: page.nextToken,
    };
  },
});
