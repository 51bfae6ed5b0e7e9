import type { LaunchConfigurationRecord } from '../../contracts/records.ts';
import { createLaunchConfiguration, deleteLaunchConfiguration } from '../../services/launch-configurations.ts';
import { defineAction } from '../query/action.ts';
import { ApiError } from '../query/errors.ts';
import { pageSize, paginate } from '../query/pagination.ts';
import { bool, int, list, nameOrArn, opt, req, resourceName, str, struct, xmlString } from '../query/shape.ts';
import type { XmlValue } from '../query/xml.ts';

/** The AWS `LaunchConfiguration` member, in AWS element order. */
export function launchConfigurationXml(lc: LaunchConfigurationRecord): XmlValue {
  return {
    LaunchConfigurationName: lc.name,
    LaunchConfigurationARN: lc.arn,
    ImageId: lc.imageId,
    KeyName: lc.keyName,
    SecurityGroups: lc.securityGroups,
    UserData: lc.userData,
    InstanceType: lc.instanceType,
    KernelId: lc.kernelId,
    RamdiskId: lc.ramdiskId,
    BlockDeviceMappings: [],
    InstanceMonitoring: { Enabled: lc.instanceMonitoring },
    CreatedTime: lc.createdTime,
    EbsOptimized: lc.ebsOptimized,
    AssociatePublicIpAddress: lc.associatePublicIpAddress,
  };
}

export const createLaunchConfigurationAction = defineAction({
  name: 'CreateLaunchConfiguration',
  input: struct({
    LaunchConfigurationName: req(resourceName()),
    ImageId: opt(xmlString(255)),
    InstanceType: opt(xmlString(255)),
    KeyName: opt(xmlString(255)),
    SecurityGroups: opt(list(xmlString(255))),
    UserData: opt(xmlString(21847, 0)),
    KernelId: opt(xmlString(255)),
    RamdiskId: opt(xmlString(255)),
    InstanceId: opt(xmlString(19)),
    InstanceMonitoring: opt(struct({ Enabled: opt(bool()) })),
    EbsOptimized: opt(bool()),
    AssociatePublicIpAddress: opt(bool()),
  }),
  async handle(ctx, input) {
    if (input.InstanceId !== undefined)
      throw new ApiError(
        'ValidationError',
        'Creating a launch configuration from an InstanceId is not supported by Phantom; give ImageId and InstanceType.',
      );
    if (input.ImageId === undefined || input.InstanceType === undefined) {
      throw new ApiError(
        'ValidationError',
        'Valid requests must contain either the InstanceID parameter or both the ImageId and InstanceType parameters.',
      );
    }
    return createLaunchConfiguration(ctx.deps, ctx.user, {
      name: input.LaunchConfigurationName,
      imageId: input.ImageId,
      instanceType: input.InstanceType,
      keyName: input.KeyName,
      securityGroups: input.SecurityGroups ?? [],
      userData: input.UserData,
      kernelId: input.KernelId,
      ramdiskId: input.RamdiskId,
      instanceMonitoring: input.InstanceMonitoring?.Enabled ?? true,
      ebsOptimized: input.EbsOptimized ?? false,
      associatePublicIpAddress: input.AssociatePublicIpAddress,
    });
  },
});

export const describeLaunchConfigurationsAction = defineAction({
  name: 'DescribeLaunchConfigurations',
  readOnly: true,
  input: struct({
    LaunchConfigurationNames: opt(list(resourceName(), 50)),
    MaxRecords: opt(int()),
    NextToken: opt(str({ max: 4096 })),
  }),
  async handle(ctx, input) {
    const limit = pageSize(input.MaxRecords, 50, 100);
    const names = input.LaunchConfigurationNames?.length ? input.LaunchConfigurationNames : undefined;
    const scope = `lc|${ctx.user.id}|${JSON.stringify(names ?? [])}`;
    const after = input.NextToken === undefined ? undefined : ctx.deps.pageTokens.decode(scope, input.NextToken);
    const rows = await ctx.deps.store.listLaunchConfigurations(ctx.user.id, { names, after, limit: limit + 1 });
    const page = paginate(rows, limit, (lc) => lc.name, ctx.deps.pageTokens, scope);
    return { LaunchConfigurations: page.items.map(launchConfigurationXml), NextToken: page.nextToken };
  },
});

export const deleteLaunchConfigurationAction = defineAction({
  name: 'DeleteLaunchConfiguration',
  input: struct({ LaunchConfigurationName: req(nameOrArn()) }),
  async handle(ctx, input) {
    return deleteLaunchConfiguration(ctx.deps, ctx.user, input.LaunchConfigurationName);
  },
});
