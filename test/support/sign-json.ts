import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { TestCredentials } from './harness.ts';
import type { WireRequest } from './sign.ts';

/**
 * Signs an AWS JSON 1.0 request (CloudWatch's protocol) with SigV4 using @smithy/signature-v4:
 * POST /, `X-Amz-Target: <target>`, the body as given (a string, so tests can send broken JSON).
 */
export async function signJson(
  url: string,
  creds: Pick<TestCredentials, 'accessKeyId' | 'secretAccessKey'>,
  target: string,
  body: string,
  opts: { queryMode?: boolean; service?: string; date?: Date; headers?: Record<string, string> } = {},
): Promise<WireRequest> {
  const headers = await signedJsonHeaders(url, creds, target, body, opts);
  return { method: 'POST', path: '/', query: '', headers, body };
}

/** The signed headers of a JSON request whose body is `body` (text or bytes, e.g. gzip). */
export async function signedJsonHeaders(
  url: string,
  creds: Pick<TestCredentials, 'accessKeyId' | 'secretAccessKey'>,
  target: string,
  body: string | Buffer,
  opts: { queryMode?: boolean; service?: string; date?: Date; headers?: Record<string, string> } = {},
): Promise<Record<string, string>> {
  const { hostname, port, host } = new URL(url);
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname,
    port: Number(port),
    path: '/',
    headers: {
      host,
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': target,
      ...(opts.queryMode ? { 'x-amzn-query-mode': 'true' } : {}),
      ...opts.headers,
    },
    body,
  });
  const signer = new SignatureV4({
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    region: 'us-east-1',
    service: opts.service ?? 'monitoring',
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const signed = await signer.sign(request, { signingDate: opts.date ?? new Date() });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k] = String(v);
  return headers;
}

/** A response as the CloudWatch tests read it: status, every header, the body text. */
export interface RawResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** Sends a wire request and returns status, all headers and body. */
export async function sendRaw(url: string, req: WireRequest): Promise<RawResponse> {
  const headers = { ...req.headers };
  delete headers.host;
  const response = await fetch(`${url}${req.path}${req.query ? `?${req.query}` : ''}`, {
    method: req.method,
    headers,
    body: req.method === 'POST' ? req.body : undefined,
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}
