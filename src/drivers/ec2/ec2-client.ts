/**
 * The SDK client of one EC2 site. Kept apart from the driver so the driver's logic reads as
 * calls, and so tests can hand the driver any endpoint (phantom sim-cloud, moto, AWS).
 */
// Type-only: the SDK itself is loaded on first use by the driver (it is large).
import type { EC2ClientConfig } from '@aws-sdk/client-ec2';

/** How to reach one EC2 (or EC2-compatible) site. */
export interface Ec2SiteOptions {
  /** Required. The Phantom site name this driver serves. */
  site: string;
  /** Optional. API endpoint URL (Eucalyptus, OpenStack EC2 API, phantom sim-cloud, moto); default AWS's for `region`. */
  endpoint?: string;
  /** Required. Region used for signing (and for the AWS endpoint when `endpoint` is absent). */
  region: string;
  /** Required. The user's access key pair on this site. Never logged. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Optional. Key pair name used when a launch request has none. */
  keyName?: string;
  /** Optional. Per-request timeout in milliseconds (connect and response); default 30 000. */
  requestTimeoutMs?: number;
}

/** Default per-request timeout. */
export const DEFAULT_EC2_TIMEOUT_MS = 30_000;

/**
 * The SDK client's configuration: one attempt per call (the reconciler owns retries and
 * backoff), the given timeout on connect and on the response, static credentials. Pure.
 */
export function ec2ClientConfig(options: Ec2SiteOptions): EC2ClientConfig {
  const timeout = options.requestTimeoutMs ?? DEFAULT_EC2_TIMEOUT_MS;
  return {
    region: options.region,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    credentials: { accessKeyId: options.credentials.accessKeyId, secretAccessKey: options.credentials.secretAccessKey },
    maxAttempts: 1,
    requestHandler: { requestTimeout: timeout, connectionTimeout: timeout },
  };
}
