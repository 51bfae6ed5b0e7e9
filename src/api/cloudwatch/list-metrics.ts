import { metricOut, NAMESPACE_RULE, type CloudWatchAction } from './action.ts';
import { invalidValue } from './errors.ts';

/** ListMetrics pages hold up to 500 metrics (as AWS's). */
export const LIST_PAGE_SIZE = 500;
const THREE_HOURS_MS = 3 * 3600_000;

/** ListMetrics over the caller's own metrics, with AWS's filters and paging. */
export const listMetricsAction: CloudWatchAction = {
  name: 'ListMetrics',
  handle(ctx, input, r) {
    const namespace = r.string(input, 'Namespace', 'Namespace', NAMESPACE_RULE);
    const metricName = r.string(input, 'MetricName', 'MetricName', { min: 1, max: 255 });
    const filters = (r.structs(input, 'Dimensions', 'Dimensions', 10) ?? []).map((f, i) => {
      const at = `Dimensions.member.${i + 1}`;
      const value = r.string(f, 'Value', `${at}.Value`, { min: 1, max: 1024 });
      return {
        name: r.requiredString(f, 'Name', `${at}.Name`, { min: 1, max: 255 }),
        ...(value !== undefined ? { value } : {}),
      };
    });
    const recently = r.string(input, 'RecentlyActive', 'RecentlyActive', { enum: ['PT3H'] });
    if (r.boolean(input, 'IncludeLinkedAccounts', 'IncludeLinkedAccounts') === true)
      throw invalidValue('Phantom has no linked accounts: IncludeLinkedAccounts must be false.');
    const filter = {
      ...(namespace !== undefined ? { namespace } : {}),
      ...(metricName !== undefined ? { metricName } : {}),
      dimensions: filters,
      ...(recently ? { activeSinceMs: ctx.clock.now().getTime() - THREE_HOURS_MS } : {}),
    };
    const scope = `${ctx.user.id}\u0000ListMetrics\u0000${JSON.stringify({ namespace, metricName, filters, recently })}`;
    const token = r.string(input, 'NextToken', 'NextToken');
    const after = token === undefined ? undefined : ctx.pageTokens.decode(scope, token);
    const page = ctx.store.list(ctx.user.id, filter, LIST_PAGE_SIZE, after);
    return {
      Metrics: page.metrics.map(metricOut),
      NextToken: page.nextKey === undefined ? undefined : ctx.pageTokens.encode(scope, page.nextKey),
    };
  },
};
