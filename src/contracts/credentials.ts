/**
 * A user's cloud credentials for one site, as the drivers take them. The credentials service
 * seals and opens them; the driver registry hands them to drivers. Types only, plus one pure helper.
 */

/** EC2-style access keys (AWS, EC2-compatible clouds). `kind` is optional: records from before OpenStack have none. */
export interface AccessKeyCredentials {
  kind?: 'access-key';
  accessKey: string;
  secretKey: string;
  /** Optional. Key pair to launch with. */
  keyName?: string;
}

/** An OpenStack user's password (Keystone v3 password auth). */
export interface OpenStackPasswordCredentials {
  kind: 'openstack-password';
  username: string;
  password: string;
  /** Optional. The user's domain name; default the site's `userDomain` (itself default `Default`). */
  userDomain?: string;
  /** Optional. Key pair to launch with. */
  keyName?: string;
}

/** An OpenStack application credential (id + secret; scoped to its project by Keystone). */
export interface OpenStackApplicationCredentials {
  kind: 'openstack-application-credential';
  applicationCredentialId: string;
  applicationCredentialSecret: string;
  /** Optional. Key pair to launch with. */
  keyName?: string;
}

/** A user's credentials for one site: one of the kinds the drivers understand. */
export type SiteCredentials = AccessKeyCredentials | OpenStackPasswordCredentials | OpenStackApplicationCredentials;

/** The kind of a credentials value (records without one are access keys). Pure. */
export const credentialKind = (c: SiteCredentials): NonNullable<SiteCredentials['kind']> => c.kind ?? 'access-key';
