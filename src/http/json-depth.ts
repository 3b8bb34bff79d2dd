// JSON.parse reads any depth, but everything after it that walks a value (JSON.stringify in the
// NDJSON writer, CSV cells, validators) recurses, and a body nested ~5,000 deep overflows the
// stack there: "Maximum call stack size exceeded", reported as a bug. Bodies are checked before
// they are parsed, so such a body is refused at the door, the same way for every provider.

/** Far beyond any API mbuzz reads (their rows nest a few levels) and far below the stack's limit. */
export const MAX_JSON_DEPTH = 512;

/**
 * Whether a JSON text (or JSON lines) opens more than `limit` arrays/objects at once. Brackets
 * inside strings do not count. One pass over the text; strings are skipped with indexOf.
 */
export function jsonNestsDeeper(text: string, limit = MAX_JSON_DEPTH): boolean {
  // Every level needs its two brackets, so a short text cannot be too deep.
  if (text.length <= 2 * limit) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i = stringEnd(text, i);
      if (i < 0) return false;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

/** The index of the quote closing the string that opens at `open`; -1 when it never closes. */
function stringEnd(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 0x5c /* \ */) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}
