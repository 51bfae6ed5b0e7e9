/**
 * The `driver: openstack` site settings: validated from the config file, then combined with a
 * user's credentials into driver options.
 */
import { CloudError } from '../../contracts/cloud.ts';
import { DriverConfigError } from '../driver-config-error.ts';
import type { OpenStackAuth } from './keystone.ts';

/** A site on an OpenStack cloud, driven natively through Keystone v3 and Nova. */
export interface OpenStackDriverConfig {
  driver: 'openstack';
  /** Required. Site name. */
  site: string;
  /** Required. Keystone v3 URL, e.g. `https://keystone.example.org:5000/v3`. */
  authUrl: string;
  /** Optional. Catalog region (e.g. `RegionOne`); absent = the first endpoint of the interface. */
  region?: string;
  /** Optional. Project name for password auth (with `projectDomain`). Exclusive with `projectId`. */
  project?: string;
  /** Optional. Project id for password auth. Exclusive with `project`. */
  projectId?: string;
  /** Optional. Domain name of `project`; default `Default`. */
  projectDomain?: string;
  /** Optional. Domain name of users authenticating by password; default `Default` (a user's own credentials may override it). */
  userDomain?: string;
  /** Optional. Catalog interface; default `public`. */
  interface?: 'public' | 'internal';
  /** Optional. Network UUIDs every server is attached to; absent = Nova's `auto`. */
  networks?: string[];
  /** Optional. Security group names added to every launch. */
  securityGroups?: string[];
  /** Optional. Key pair used when neither the user's credentials nor the launch name one. */
  keyName?: string;
  /** Optional. Per-request timeout in milliseconds. */
  requestTimeoutMs?: number;
}

const KNOWN = [
  'authUrl',
  'region',
  'project',
  'projectId',
  'projectDomain',
  'userDomain',
  'interface',
  'networks',
  'securityGroups',
  'keyName',
  'requestTimeoutMs',
];

function nonEmpty(raw: unknown, at: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new DriverConfigError(at, 'must be a non-empty string');
  return raw;
}

function names(raw: unknown, at: string): string[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new DriverConfigError(at, 'must be a non-empty list of strings');
  return raw.map((v, n) => nonEmpty(v, `${at}[${n}]`));
}

/**
 * Validates an openstack site's settings (everything but `driver` and `site`).
 * @throws DriverConfigError naming the field.
 */
export function parseOpenStackConfig(site: string, raw: Record<string, unknown>, path: string): OpenStackDriverConfig {
  const extra = Object.keys(raw).find((k) => !KNOWN.includes(k));
  if (extra !== undefined)
    throw new DriverConfigError(`${path}.${extra}`, `is not an openstack site setting (${KNOWN.join(', ')})`);
  const {
    authUrl,
    region,
    project,
    projectId,
    projectDomain,
    userDomain,
    interface: iface,
    networks,
    securityGroups,
    keyName,
    requestTimeoutMs,
  } = raw;
  if (authUrl === undefined)
    throw new DriverConfigError(
      `${path}.authUrl`,
      'is required (the Keystone v3 URL, e.g. https://keystone.example.org:5000/v3)',
    );
  if (typeof authUrl !== 'string' || !URL.canParse(authUrl) || !/^https?:$/.test(new URL(authUrl).protocol))
    throw new DriverConfigError(`${path}.authUrl`, 'must be an http(s) URL');
  const config: OpenStackDriverConfig = { driver: 'openstack', site, authUrl };
  if (project !== undefined && projectId !== undefined)
    throw new DriverConfigError(`${path}.projectId`, 'give either project (a name) or projectId, not both');
  if (region !== undefined) config.region = nonEmpty(region, `${path}.region`);
  if (project !== undefined) config.project = nonEmpty(project, `${path}.project`);
  if (projectId !== undefined) config.projectId = nonEmpty(projectId, `${path}.projectId`);
  if (projectDomain !== undefined) {
    if (projectId !== undefined)
      throw new DriverConfigError(`${path}.projectDomain`, 'goes with project (a name), not projectId');
    config.projectDomain = nonEmpty(projectDomain, `${path}.projectDomain`);
  }
  if (userDomain !== undefined) config.userDomain = nonEmpty(userDomain, `${path}.userDomain`);
  if (iface !== undefined) {
    if (iface !== 'public' && iface !== 'internal')
      throw new DriverConfigError(`${path}.interface`, 'must be public or internal');
    config.interface = iface;
  }
  if (networks !== undefined) config.networks = names(networks, `${path}.networks`);
  if (securityGroups !== undefined) config.securityGroups = names(securityGroups, `${path}.securityGroups`);
  if (keyName !== undefined) config.keyName = nonEmpty(keyName, `${path}.keyName`);
  if (requestTimeoutMs !== undefined) {
    if (!Number.isInteger(requestTimeoutMs) || (requestTimeoutMs as number) <= 0)
      throw new DriverConfigError(`${path}.requestTimeoutMs`, 'must be a positive integer');
    config.requestTimeoutMs = requestTimeoutMs as number;
  }
  return config;
}

/** The OpenStack parts of a user's credentials (see services/credentials.ts). */
export type OpenStackUserCredentials =
  | { kind: 'openstack-password'; username: string; password: string; userDomain?: string }
  | { kind: 'openstack-application-credential'; applicationCredentialId: string; applicationCredentialSecret: string };

/**
 * Keystone auth for a user on a site. Pure.
 * @throws CloudError invalid when password auth meets a site with no project configured.
 */
export function openStackAuth(config: OpenStackDriverConfig, credentials: OpenStackUserCredentials): OpenStackAuth {
  if (credentials.kind === 'openstack-application-credential') {
    return {
      kind: 'application-credential',
      id: credentials.applicationCredentialId,
      secret: credentials.applicationCredentialSecret,
    };
  }
  const project =
    config.projectId !== undefined
      ? { id: config.projectId }
      : config.project !== undefined
        ? { name: config.project, domain: config.projectDomain ?? 'Default' }
        : undefined;
  if (!project)
    throw new CloudError(
      'invalid',
      `Site ${config.site} has no project (set project or projectId in its config) for password auth; application credentials need none`,
    );
  return {
    kind: 'password',
    username: credentials.username,
    password: credentials.password,
    userDomain: credentials.userDomain ?? config.userDomain ?? 'Default',
    project,
  };
}
