import type { Clock } from '../contracts/clock.ts';
import { PhantomError } from '../contracts/errors.ts';
import type { User, UserLimits } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import type { PageTokens } from './page-tokens.ts';

/** Shared dependencies of the services (composed in src/main.ts). */
export interface ServiceDeps {
  store: Store;
  clock: Clock;
  /** The configured site names (e.g. hotel, sierra), in configuration order. */
  sites: () => readonly string[];
  /** Limits for users without overrides. */
  defaultLimits: UserLimits;
  pageTokens: PageTokens;
  /** Optional. Hosts a health_check_url may name besides the instance's own address (config `healthChecks.allowHosts`). */
  healthCheckAllowHosts?: readonly string[];
}

/** The limits in force for `user`. */
export const limitsOf = (deps: Pick<ServiceDeps, 'defaultLimits'>, user: User): UserLimits => ({
  ...deps.defaultLimits,
  ...user.limits,
});

/** PhantomError('Validation') — the message reaches the client as a ValidationError. */
export const invalid = (message: string): PhantomError => new PhantomError('Validation', message);

/** AWS's wording for an unknown group. */
export const groupNotFound = (name: string): PhantomError =>
  new PhantomError('NotFound', `AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);

/** AWS's wording for an unknown launch configuration. */
export const launchConfigurationNotFound = (name: string): PhantomError =>
  new PhantomError('NotFound', `Launch configuration name not found - Launch configuration ${name} not found`);
