import type { Tag } from '../../contracts/records.ts';
import { createOrUpdateTags, deleteTags, TAG_FILTER_NAMES, tagMatches, type GroupTag } from '../../services/tags.ts';
import { defineAction } from '../query/action.ts';
import { ApiError } from '../query/errors.ts';
import { pageSize, paginate } from '../query/pagination.ts';
import { bool, int, list, opt, req, str, struct, xmlString } from '../query/shape.ts';
import type { XmlValue } from '../query/xml.ts';

/** The AWS `Tag` input structure. */
export const tagInput = struct({
  ResourceId: opt(xmlString(255)),
  ResourceType: opt(xmlString(255)),
  Key: req(xmlString(128)),
  Value: opt(xmlString(256, 0)),
  PropagateAtLaunch: opt(bool()),
});

/** The AWS `TagDescription` member. */
export const tagXml = (groupName: string, t: Tag): XmlValue => ({
  ResourceId: groupName,
  ResourceType: 'auto-scaling-group',
  Key: t.key,
  Value: t.value,
  PropagateAtLaunch: t.propagateAtLaunch,
});

type TagInput = {
  ResourceId?: string;
  ResourceType?: string;
  Key: string;
  Value?: string;
  PropagateAtLaunch?: boolean;
};

/** Checks the resource addressing of Create/DeleteTags input (only groups can be tagged). */
function addressed(tags: TagInput[]): Array<TagInput & { ResourceId: string }> {
  return tags.map((t) => {
    if (t.ResourceId === undefined)
      throw new ApiError('ValidationError', `Tag ${t.Key} needs a ResourceId (the AutoScalingGroup name).`);
    if (t.ResourceType !== undefined && t.ResourceType !== 'auto-scaling-group') {
      throw new ApiError(
        'ValidationError',
        `ResourceType ${t.ResourceType} is not supported; only auto-scaling-group can be tagged.`,
      );
    }
    return { ...t, ResourceId: t.ResourceId };
  });
}

export const createOrUpdateTagsAction = defineAction({
  name: 'CreateOrUpdateTags',
  input: struct({ Tags: req(list(tagInput)) }),
  async handle(ctx, input) {
    const tags: GroupTag[] = addressed(input.Tags).map((t) => ({
      resourceId: t.ResourceId,
      key: t.Key,
      value: t.Value ?? '',
      propagateAtLaunch: t.PropagateAtLaunch ?? false,
    }));
    return createOrUpdateTags(ctx.deps, ctx.user, tags);
  },
});

export const deleteTagsAction = defineAction({
  name: 'DeleteTags',
  input: struct({ Tags: req(list(tagInput)) }),
  async handle(ctx, input) {
    return deleteTags(
      ctx.deps,
      ctx.user,
      addressed(input.Tags).map((t) => ({ resourceId: t.ResourceId, key: t.Key, value: t.Value })),
    );
  },
});

export const describeTagsAction = defineAction({
  name: 'DescribeTags',
  readOnly: true,
  input: struct({
    Filters: opt(list(struct({ Name: opt(xmlString(255)), Values: opt(list(xmlString(256, 0))) }))),
    MaxRecords: opt(int()),
    NextToken: opt(str({ max: 4096 })),
  }),
  async handle(ctx, input) {
    const limit = pageSize(input.MaxRecords, 50, 100);
    const filters = (input.Filters ?? []).map((f) => ({ name: f.Name ?? '', values: f.Values ?? [] }));
    const bad = filters.find((f) => !(TAG_FILTER_NAMES as readonly string[]).includes(f.name));
    if (bad)
      throw new ApiError(
        'ValidationError',
        `Filter type ${bad.name} is not correct. Allowed Filter types are: ${TAG_FILTER_NAMES.join(' ')}.`,
      );
    const scope = `tags|${ctx.user.id}|${JSON.stringify(filters)}`;
    const after = input.NextToken === undefined ? undefined : ctx.deps.pageTokens.decode(scope, input.NextToken);
    const groups = await ctx.deps.store.listGroups(ctx.user.id, { limit: Number.MAX_SAFE_INTEGER });
    const keyOf = (t: GroupTag) => `${t.resourceId}\u0000${t.key}`;
    const all = groups
      .flatMap((g) => g.tags.map((t): GroupTag => ({ ...t, resourceId: g.name })))
      .filter((t) => tagMatches(t, filters))
      .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0))
      .filter((t) => after === undefined || keyOf(t) > after);
    const page = paginate(all.slice(0, limit + 1), limit, keyOf, ctx.deps.pageTokens, scope);
    return { Tags: page.items.map((t) => tagXml(t.resourceId, t)), NextToken: page.nextToken };
  },
});
