import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { TestCredentials } from './harness.ts';

/** A request ready to send: what a client would put on the wire. */
export interface WireRequest {
  method: 'GET' | 'POST';
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
}

/** Form-encodes params the way botocore does (RFC 3986, space as %20). */
export function formEncode(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

/**
 * Signs a Query API request with SigV4 using @smithy/signature-v4 (an implementation
 * independent of Phantom's verifier), as POST form body or GET query string.
 */
export async function signV4(
  url: string,
  creds: Pick<TestCredentials, 'accessKeyId' | 'secretAccessKey'>,
  params: Record<string, string>,
  opts: { method?: 'GET' | 'POST'; date?: Date; region?: string; service?: string; path?: string } = {},
): Promise<WireRequest> {
  const { hostname, port, host } = new URL(url);
  const method = opts.method ?? 'POST';
  const all = { Version: '2011-01-01', ...params };
  const body = method === 'POST' ? formEncode(all) : '';
  const request = new HttpRequest({
    method,
    protocol: 'http:',
    hostname,
    port: Number(port),
    path: opts.path ?? '/',
    query: method === 'GET' ? all : {},
    headers: {
      host,
      ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } : {}),
    },
    body,
  });
  const signer = new SignatureV4({
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    region: opts.region ?? 'us-east-1',
    service: opts.service ?? 'autoscaling',
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const signed = await signer.sign(request, { signingDate: opts.date ?? new Date() });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k] = String(v);
  return { method, path: opts.path ?? '/', query: method === 'GET' ? formEncode(all) : '', headers, body };
}

/** Sends a wire request to `url` and returns status, headers and body text. */
export async function send(
  url: string,
  req: WireRequest,
): Promise<{ status: number; body: string; requestId: string | null; contentType: string | null }> {
  const headers = { ...req.headers };
  delete headers.host; // fetch sets Host itself, from the URL (same value)
  const response = await fetch(`${url}${req.path}${req.query ? `?${req.query}` : ''}`, {
    method: req.method,
    headers,
    body: req.method === 'POST' ? req.body : undefined,
  });
  return {
    status: response.status,
    body: await response.text(),
    requestId: response.headers.get('x-amzn-requestid'),
    contentType: response.headers.get('content-type'),
  };
}

/** Signs and sends in one step. */
export async function call(
  url: string,
  creds: Pick<TestCredentials, 'accessKeyId' | 'secretAccessKey'>,
  params: Record<string, string>,
  opts: Parameters<typeof signV4>[3] = {},
) {
  return send(url, await signV4(url, creds, params, opts));
}

/** The `<Code>` of an XML error body, or undefined. */
export const errorCode = (body: string): string | undefined => /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
