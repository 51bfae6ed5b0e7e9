/**
 * Declarative input shapes for Query API actions, and the TypeScript types they decode to.
 * A shape says how flat `Name.member.N.Field=value` parameters become a typed object and
 * which AWS constraints apply. Decoding lives in decode.ts.
 */

/** Characters AWS allows in XML string members (XML 1.0 safe). */
export const XML_SAFE = /^[\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}\r\n\t]*$/u;

export interface StringShape {
  kind: 'string';
  min?: number;
  max?: number;
  pattern?: RegExp;
  enum?: readonly string[];
}
export interface IntegerShape {
  kind: 'integer';
  min?: number;
  max?: number;
}
export interface BooleanShape {
  kind: 'boolean';
}
export interface ListShape<M extends Shape = Shape> {
  kind: 'list';
  member: M;
  max?: number;
}
export interface Member<S extends Shape = Shape> {
  shape: S;
  required: boolean;
}
export interface StructShape<M extends Record<string, Member> = Record<string, Member>> {
  kind: 'structure';
  members: M;
}
export type Shape = StringShape | IntegerShape | BooleanShape | ListShape<Shape> | StructShape;

/** The decoded TypeScript type of a shape. */
export type Decoded<S> = S extends StringShape
  ? string
  : S extends IntegerShape
    ? number
    : S extends BooleanShape
      ? boolean
      : S extends ListShape<infer M>
        ? Decoded<M>[]
        : S extends StructShape<infer Ms>
          ? DecodedStruct<Ms>
          : never;

type RequiredKeys<Ms> = { [K in keyof Ms]: Ms[K] extends { required: true } ? K : never }[keyof Ms];
type OptionalKeys<Ms> = Exclude<keyof Ms, RequiredKeys<Ms>>;
type DecodedStruct<Ms> = { [K in RequiredKeys<Ms>]: Decoded<MemberShape<Ms[K]>> } & {
  [K in OptionalKeys<Ms>]?: Decoded<MemberShape<Ms[K]>>;
};
type MemberShape<M> = M extends Member<infer S> ? S : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The input type a struct shape decodes to. */
export type InputOf<S extends StructShape> = Simplify<Decoded<S>>;

export const str = (c: Omit<StringShape, 'kind'> = {}): StringShape => ({ kind: 'string', ...c });
export const int = (c: Omit<IntegerShape, 'kind'> = {}): IntegerShape => ({ kind: 'integer', ...c });
export const bool = (): BooleanShape => ({ kind: 'boolean' });
export const list = <M extends Shape>(member: M, max?: number): ListShape<M> => ({
  kind: 'list',
  member,
  ...(max === undefined ? {} : { max }),
});
export const struct = <Ms extends Record<string, Member>>(members: Ms): StructShape<Ms> => ({
  kind: 'structure',
  members,
});
/** A member that must be present. */
export const req = <S extends Shape>(shape: S): Member<S> & { required: true } => ({ shape, required: true });
/** A member that may be absent. */
export const opt = <S extends Shape>(shape: S): Member<S> & { required: false } => ({ shape, required: false });

/** AWS `XmlStringMaxLen255` etc.: 1..max XML-safe characters. */
export const xmlString = (max: number, min = 1): StringShape => str({ min, max, pattern: XML_SAFE });
/** Resource names (groups, launch configurations): 1–255 XML-safe characters. */
export const resourceName = (): StringShape => xmlString(255);
/** Group or launch configuration names given by name or ARN (AWS allows up to 1600). */
export const nameOrArn = (): StringShape => xmlString(1600);
