/**
 * Phantom's launch-configuration naming: `name@site` names one site's entry of the
 * multi-cloud launch configuration `name`. A name without `@` is site-agnostic: the same
 * image and type serve every site (that is what a plain AWS client creates).
 */
export interface LaunchConfigurationName {
  /** The multi-cloud name, e.g. `testlc1`. */
  base: string;
  /** The site, e.g. `hotel`; undefined for a site-agnostic launch configuration. */
  site?: string;
}

/** Splits on the first `@`, as the original Phantom did. Never throws. */
export function parseLaunchConfigurationName(name: string): LaunchConfigurationName {
  const at = name.indexOf('@');
  if (at < 0) return { base: name };
  return { base: name.slice(0, at), site: name.slice(at + 1) };
}

/** The name of `base`'s entry for `site`. */
export const siteEntryName = (base: string, site: string): string => `${base}@${site}`;
