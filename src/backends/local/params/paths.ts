/** Where names sit in the params table's name index: a name's parent, and the range below a path. */

/** The path whose direct child the name is: '/a' for '/a/b', '/' for '/a', '' for a name without levels. */
export function parentOf(name: string): string {
  const i = name.lastIndexOf('/');
  if (i < 0) return '';
  return i === 0 ? '/' : name.slice(0, i);
}

/**
 * The half-open range [from, to) of names below a path, for an index range scan: every name that
 * starts with `from` sorts before `to` ('0' is the character after '/').
 */
export function subtreeRange(path: string): { from: string; to: string } {
  const from = path === '/' ? '/' : `${path}/`;
  return { from, to: `${from.slice(0, -1)}0` };
}
