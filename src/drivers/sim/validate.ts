import { CloudError, type LaunchRequest } from '../../contracts/cloud.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const invalid = (message: string): CloudError => new CloudError('invalid', message);

/**
 * Checks a launch request the way EC2 does (limits and messages after EC2's).
 * @throws CloudError `invalid` with an EC2-style message on the first problem found.
 */
export function validateLaunchRequest(request: LaunchRequest): void {
  if (request.clientToken.length === 0 || request.clientToken.length > 64) {
    throw invalid('InvalidParameterValue: ClientToken must be 1 to 64 characters');
  }
  if (request.imageId.trim() === '') throw invalid('MissingParameter: The request must contain the parameter ImageId');
  if (request.instanceType.trim() === '') throw invalid('InvalidParameterValue: InstanceType must not be empty');
  if (request.userData !== undefined) {
    if (!BASE64.test(request.userData)) throw invalid('InvalidParameterValue: Invalid BASE64 encoding of user data');
    if (request.userData.length > 21_848) throw invalid('InvalidParameterValue: User data is limited to 16384 bytes');
  }
  const entries = Object.entries(request.tags);
  if (entries.length > 50) throw invalid('TagLimitExceeded: The maximum number of tags per resource is 50');
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > 128)
      throw invalid(`InvalidParameterValue: Tag key '${key}' must be 1 to 128 characters`);
    if (key.toLowerCase().startsWith('aws:'))
      throw invalid(`InvalidParameterValue: Tag key '${key}' uses the reserved prefix aws:`);
    if (value.length > 256) throw invalid(`InvalidParameterValue: Value of tag '${key}' exceeds 256 characters`);
  }
}
