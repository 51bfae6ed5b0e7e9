import { ApiError } from './errors.ts';
import type { Param } from './form.ts';
import type { Decoded, ListShape, Shape, StructShape } from './shape.ts';

/** Parameters that carry transport or signature data, never action input (both Query APIs). */
export const TRANSPORT_PARAMS: ReadonlySet<string> = new Set([
  'Action',
  'Version',
  'AWSAccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'Timestamp',
  'Expires',
  'SecurityToken',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
]);

/** Transport parameters that still must appear at most once: they choose what the request does. */
const ONCE_ONLY_TRANSPORT = new Set(['Action', 'Version']);

/** Hard bound on list indexes, so a request cannot make the decoder allocate huge arrays. */
const MAX_LIST_INDEX = 1000;

/** A tree of parameter values keyed by path segment, built from `A.member.1.B=v`. */
interface Node {
  value?: string;
  children: Map<string, Node>;
}

/**
 * Turns decoded `name=value` pairs into a tree. A parameter given twice is refused: clients
 * never do it, and accepting it would let two readers disagree about a request's meaning.
 * Transport parameters stay out of the tree, but `Action` and `Version` are refused twice too.
 * @throws ApiError InvalidParameterValue on a duplicate.
 */
export function paramTree(params: readonly Param[]): Node {
  const root: Node = { children: new Map() };
  const seen = new Set<string>();
  for (const [name, value] of params) {
    const transport = TRANSPORT_PARAMS.has(name);
    if (transport && !ONCE_ONLY_TRANSPORT.has(name)) continue;
    if (seen.has(name))
      throw new ApiError('InvalidParameterValue', `The parameter ${truncate(name)} was given more than once.`);
    seen.add(name);
    if (transport) continue;
    let node = root;
    for (const segment of name.split('.')) {
      let child = node.children.get(segment);
      if (!child) {
        child = { children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.value = value;
  }
  return root;
}

/**
 * Decodes the action input described by `shape` from the parameter tree, applying AWS's
 * constraints. Unknown parameters are ignored (as AWS and the original Phantom do).
 * @throws ApiError ValidationError with AWS's "1 validation error detected" wording.
 */
export function decodeInput<S extends StructShape>(shape: S, tree: Node): Decoded<S> {
  const errors: string[] = [];
  const value = decodeStruct(shape, tree, '', errors);
  if (errors.length > 0) {
    const n = errors.length;
    throw new ApiError('ValidationError', `${n} validation error${n > 1 ? 's' : ''} detected: ${errors.join('; ')}`);
  }
  return value as Decoded<S>;
}

function decodeStruct(
  shape: StructShape,
  node: Node | undefined,
  path: string,
  errors: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(shape.members)) {
    const child = node?.children.get(name);
    if (!child) {
      if (member.required)
        errors.push(`Value null at '${memberPath(path, name)}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    const decoded = decodeValue(member.shape, child, memberPath(path, name), errors);
    if (decoded !== undefined) out[name] = decoded;
  }
  return out;
}

function decodeValue(shape: Shape, node: Node, path: string, errors: string[]): unknown {
  switch (shape.kind) {
    case 'structure':
      return decodeStruct(shape, node, path, errors);
    case 'list':
      return decodeList(shape, node, path, errors);
    case 'string':
    case 'integer':
    case 'boolean': {
      if (node.value === undefined) {
        errors.push(`Value at '${path}' failed to satisfy constraint: Member must be a scalar value`);
        return undefined;
      }
      return decodeScalar(shape, node.value, path, errors);
    }
  }
}

function decodeList(shape: ListShape, node: Node, path: string, errors: string[]): unknown[] | undefined {
  // `Name=` (bare key, empty value) is how SDKs send an empty list.
  const members = node.children.get('member');
  if (!members) {
    if (node.value === '' && node.children.size === 0) return [];
    errors.push(`Value at '${path}' failed to satisfy constraint: Member must be a list encoded as ${path}.member.N`);
    return undefined;
  }
  const indexed: Array<[number, Node]> = [];
  for (const [key, child] of members.children) {
    const index = /^[1-9][0-9]{0,3}$/.test(key) ? Number(key) : NaN;
    if (!(index >= 1 && index <= MAX_LIST_INDEX)) {
      errors.push(
        `Value '${truncate(key)}' at '${path}' failed to satisfy constraint: Member index must be an integer from 1 to ${MAX_LIST_INDEX}`,
      );
      return undefined;
    }
    indexed.push([index, child]);
  }
  indexed.sort((a, b) => a[0] - b[0]);
  if (shape.max !== undefined && indexed.length > shape.max) {
    errors.push(
      `Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`,
    );
    return undefined;
  }
  return indexed.map(([i, child]) => decodeValue(shape.member, child, `${path}.${i}.member`, errors));
}

function decodeScalar(shape: Shape, raw: string, path: string, errors: string[]): unknown {
  const fail = (constraint: string) => {
    errors.push(`Value '${truncate(raw)}' at '${path}' failed to satisfy constraint: ${constraint}`);
    return undefined;
  };
  switch (shape.kind) {
    case 'string': {
      if (shape.min !== undefined && raw.length < shape.min)
        return fail(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && raw.length > shape.max)
        return fail(`Member must have length less than or equal to ${shape.max}`);
      if (shape.pattern && !shape.pattern.test(raw))
        return fail(`Member must satisfy regular expression pattern: ${shape.pattern.source}`);
      if (shape.enum && !shape.enum.includes(raw))
        return fail(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      return raw;
    }
    case 'integer': {
      if (!/^-?[0-9]{1,10}$/.test(raw)) return fail('Member must be an integer');
      const n = Number(raw);
      if (n > 2147483647 || n < -2147483648) return fail('Member must be a 32-bit integer');
      if (shape.min !== undefined && n < shape.min)
        return fail(`Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && n > shape.max)
        return fail(`Member must have value less than or equal to ${shape.max}`);
      return n;
    }
    case 'boolean': {
      const lower = raw.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      return fail('Member must be a boolean (true or false)');
    }
    default:
      return fail('Member must be a scalar value');
  }
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
/** The error-message path of a member; built only when needed (most members are absent). */
const memberPath = (path: string, name: string) => (path ? `${path}.${lowerFirst(name)}` : lowerFirst(name));
/** Keeps echoed client input short in error messages. */
const truncate = (s: string) => (s.length > 64 ? `${s.slice(0, 64)}…` : s);
