// JSON.parse reads any depth, but everything after it that walks a value (JSON.stringify in the
// NDJSON writer, CSV cells, validators) recurses, and a value nested ~5,000 deep overflows the
// stack there: "Maximum call stack size exceeded", reported as a bug. Parsed bodies are checked
// where they are parsed, so such a body is refused at the door, the same way for every provider.

/** Far beyond any API mbuzz reads (their rows nest a few levels) and far below the stack's limit. */
export const MAX_JSON_DEPTH = 512;

/**
 * Whether a parsed JSON value holds arrays/objects more than `limit` levels deep. Iterative (the
 * point is not to recurse), and it visits containers only: a page of flat rows costs one look at
 * each row's values, far less than parsing it did.
 */
export function valueNestsDeeper(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    if (Array.isArray(node)) {
      for (const child of node) {
        if (child !== null && typeof child === 'object') {
          nodes.push(child as object);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in node) {
        const child = (node as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}
