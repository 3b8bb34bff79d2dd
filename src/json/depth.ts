// JSON.parse reads any depth (V8's parser does not recurse), but everything after it that walks a
// value (JSON.stringify in the NDJSON writer, CSV cells, validators) recurses, and a value nested
// ~5,000 deep overflows the stack there: "Maximum call stack size exceeded", reported as a bug.
// So every body is checked where it is parsed (json/parse.ts), by the byte scan that runs over it
// anyway (json/scan.ts keeps its own stack and stops at the limit), the same way for every provider.

/** Far beyond any API mbuzz reads (their rows nest a few levels) and far below the stack's limit. */
export const MAX_JSON_DEPTH = 512;

/** A body whose arrays/objects nest deeper than the limit: the answer, not a glitch (not retried). */
export class JsonDepthError extends Error {
  constructor(readonly limit: number) {
    super(`nests deeper than ${limit} levels`);
  }
}
