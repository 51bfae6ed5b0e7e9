import { PhantomError } from '../contracts/errors.ts';
import type { GroupRecord, LaunchConfigurationRecord, User } from '../contracts/records.ts';
import { launchConfigurationArn } from '../domain/arn.ts';
import { parseLaunchConfigurationName } from '../domain/names.ts';
import { resolvePlacement } from '../domain/placement.ts';
import { checkNewName, requireLaunchConfiguration } from './addressing.ts';
import { invalid, limitsOf, type ServiceDeps } from './deps.ts';
import { touchedOwner, type WriteEffect } from './write-effect.ts';

/** Input of createLaunchConfiguration (already shape-validated by the caller). */
export type NewLaunchConfiguration = Omit<LaunchConfigurationRecord, 'owner' | 'arn' | 'createdTime'>;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Creates one launch configuration (one site's entry of a multi-cloud one when the name is
 * `name@site`). Not idempotent: a second create of the same name is AlreadyExists. Touches
 * the owner as a whole: the sites a group's launch configuration covers may change.
 * @throws PhantomError Validation (bad name or one that reads as an ARN, unknown site, UserData not base64),
 *   LimitExceeded, AlreadyExists. Nothing is stored on error.
 */
export async function createLaunchConfiguration(
  deps: ServiceDeps,
  user: User,
  input: NewLaunchConfiguration,
): Promise<{ launchConfiguration: LaunchConfigurationRecord; effect: WriteEffect }> {
  checkNewName(input.name);
  const { base, site } = parseLaunchConfigurationName(input.name);
  if (!base) throw invalid(`Launch configuration name ${input.name} must be <name>@<site name> or a plain name.`);
  if (site !== undefined) {
    const sites = deps.sites();
    if (!sites.includes(site))
      throw invalid(
        `Unknown site '${site}' in launch configuration name ${input.name}; known sites: ${sites.join(', ')}`,
      );
  }
  if (input.userData !== undefined && !BASE64.test(input.userData)) throw invalid('UserData should be base64-encoded');
  const record: LaunchConfigurationRecord = {
    ...input,
    owner: user.id,
    arn: launchConfigurationArn(user.id, input.name),
    createdTime: deps.clock.now(),
  };
  const limit = limitsOf(deps, user).maxLaunchConfigurations;
  await deps.store.transaction(async (tx) => {
    // A duplicate name is AlreadyExists even at the limit, so check it first.
    if (
      !(await tx.getLaunchConfiguration(user.id, input.name)) &&
      (await tx.countLaunchConfigurations(user.id)) >= limit
    ) {
      throw new PhantomError(
        'LimitExceeded',
        `You have reached the limit of ${limit} launch configurations (DescribeAccountLimits shows it).`,
      );
    }
    await tx.createLaunchConfiguration(record);
  });
  return { launchConfiguration: record, effect: touchedOwner };
}

/**
 * Whether `group` holds the launch configuration `name`: it names it, or (a domain being
 * deleted holds nothing) it places instances on the site that entry serves.
 */
export function groupHolds(
  group: GroupRecord,
  name: string,
  knownSites: readonly string[],
  allNames: readonly string[],
): boolean {
  if (group.deleting) return false;
  if (group.launchConfigurationName === name) return true;
  const wanted = parseLaunchConfigurationName(name);
  if (parseLaunchConfigurationName(group.launchConfigurationName).base !== wanted.base) return false;
  try {
    const placement = resolvePlacement(group, { knownSites, launchConfigurationNames: allNames });
    return wanted.site === undefined || placement.sites.some((s) => s.site === wanted.site);
  } catch {
    return true; // a group whose placement no longer resolves keeps what it references
  }
}

/**
 * Deletes a launch configuration. Touches the owner as a whole, as creating one does.
 * @param ref The launch configuration's name or ARN.
 * @throws PhantomError NotFound; ResourceInUse when a group (not being deleted) uses it.
 */
export async function deleteLaunchConfiguration(
  deps: ServiceDeps,
  user: User,
  ref: string,
): Promise<{ effect: WriteEffect }> {
  await deps.store.transaction(async (tx) => {
    const { name } = await requireLaunchConfiguration(tx, user.id, ref);
    const groups = await tx.listGroups(user.id, { limit: Number.MAX_SAFE_INTEGER });
    const names = (await tx.listLaunchConfigurations(user.id, { limit: Number.MAX_SAFE_INTEGER })).map((lc) => lc.name);
    const holder = groups.find((g) => groupHolds(g, name, deps.sites(), names));
    if (holder)
      throw new PhantomError(
        'ResourceInUse',
        `Cannot delete launch configuration ${name} because it is attached to AutoScalingGroup ${holder.name}`,
      );
    await tx.deleteLaunchConfiguration(user.id, name);
  });
  return { effect: touchedOwner };
}
