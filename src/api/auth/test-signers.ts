/**
 * Minimal client-side signers for tests, written independently of the verifier (nothing is
 * imported from it) and following the client algorithms: SigV4 the way boto 2 / botocore
 * build it for a Query API request, and Query SigV2 the way boto's QuerySignatureV2AuthHandler
 * does. Used to reconstruct the real-client request shapes of aws-autoscaling-wire.md §14.5.
 */
import { createHash, createHmac } from 'node:crypto';

/** Python's `urllib.parse.quote(s, safe)` over UTF-8 bytes (letters, digits, `_.-~` always kept). */
export function pyQuote(value: string, safe = ''): string {
  const keep = new Set(`ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~${safe}`);
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 128 && keep.has(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Input of {@link clientSignV4}. Header names are given lower-case; all listed ones are signed. */
export interface ClientV4Request {
  method: 'GET' | 'POST';
  path: string;
  /** Decoded query params; sent as `pyQuote(k)=pyQuote(v)` in this order. */
  query: Array<[string, string]>;
  /** Headers to sign, lower-case names (must include host and x-amz-date). */
  signed: Record<string, string>;
  body: string;
  accessKeyId: string;
  secret: string;
  scopeDate: string;
  region: string;
  service: string;
  /** `,` (boto 2) or `, ` (botocore, JS SDK). */
  separator: ',' | ', ';
}

/** Signs like a SigV4 client; returns the raw query to send and the Authorization value. */
export function clientSignV4(r: ClientV4Request): { rawQuery: string; authorization: string } {
  const rawQuery = r.query.map(([k, v]) => `${pyQuote(k)}=${pyQuote(v)}`).join('&');
  const canonicalQuery = r.query
    .map(([k, v]): [string, string] => [pyQuote(k), pyQuote(v)])
    .sort((a, b) => (a[0] + '\u0000' + a[1] < b[0] + '\u0000' + b[1] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const names = Object.keys(r.signed).sort();
  const headerLines = names.map((n) => `${n}:${r.signed[n]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
  const creq = [
    r.method,
    pyQuote(r.path, '/'),
    canonicalQuery,
    headerLines,
    names.join(';'),
    sha(Buffer.from(r.body, 'utf8')),
  ].join('\n');
  const scope = `${r.scopeDate}/${r.region}/${r.service}/aws4_request`;
  const sts = ['AWS4-HMAC-SHA256', r.signed['x-amz-date'], scope, sha(creq)].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${r.secret}`).update(r.scopeDate).digest();
  for (const part of [r.region, r.service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  const signature = createHmac('sha256', key).update(sts).digest('hex');
  const authorization = `AWS4-HMAC-SHA256 Credential=${r.accessKeyId}/${scope}${r.separator}SignedHeaders=${names.join(';')}${r.separator}Signature=${signature}`;
  return { rawQuery, authorization };
}

/** Input of {@link clientSignV2}. */
export interface ClientV2Request {
  method: 'GET' | 'POST';
  /** Host string that goes into the string to sign. */
  signedHost: string;
  path: string;
  /** Decoded params including AWSAccessKeyId, SignatureVersion, SignatureMethod, Timestamp/Expires. */
  params: Array<[string, string]>;
  secret: string;
  algorithm: 'HmacSHA256' | 'HmacSHA1';
}

/** Signs like boto's Query SigV2 handler; returns the base64 signature. */
export function clientSignV2(r: ClientV2Request): string {
  const sorted = [...r.params].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const qs = sorted.map(([k, v]) => `${pyQuote(k)}=${pyQuote(v)}`).join('&');
  const sts = `${r.method}\n${r.signedHost.toLowerCase()}\n${r.path}\n${qs}`;
  return createHmac(r.algorithm === 'HmacSHA256' ? 'sha256' : 'sha1', r.secret)
    .update(sts)
    .digest('base64');
}

/** Form-encodes params the way boto 2 and botocore put them in a body or URL (`%20` for space). */
export function formEncode(params: Array<[string, string]>, spaceAsPlus = false): string {
  return params
    .map(([k, v]) => {
      const enc = (s: string) => (spaceAsPlus ? pyQuote(s, ' ').replace(/ /g, '+') : pyQuote(s));
      return `${enc(k)}=${enc(v)}`;
    })
    .join('&');
}
