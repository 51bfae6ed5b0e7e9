/**
 * Orders strings as SQL's binary collation does (by code point, i.e. by UTF-8 bytes), which
 * differs from `<` (UTF-16 units) only where a surrogate pair meets a character above U+D7FF.
 */
export function byCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  let i = 0;
  while (i < length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === length) return a.length - b.length;
  return a.codePointAt(i)! - b.codePointAt(i)!;
}
