import type { Row } from './columns.js';

// A batch of rows carries the window it was read for, so the pipeline can check every row's date
// against what was asked (pipeline/checks.ts) without trusting the code that paged it. A dataset's
// run() yields only WindowRows, so a provider cannot hand over rows without saying where they came
// from; a filter or slice makes a plain array again, which has to be tagged anew.

/** The window a batch was asked for: inclusive days, and its place in the run when the provider reports it. */
export interface ReadWindow {
  from: string;
  to: string;
  /** WindowInfo.index of the window (providers that report API totals per window). */
  index?: number;
}

const WINDOW = Symbol('mbuzz.window');

export type WindowRows = Row[] & { readonly [WINDOW]: ReadWindow };

/** Tags `rows` (in place: no copy) as read for `window`. */
export function inWindow(window: ReadWindow, rows: Row[]): WindowRows {
  Object.defineProperty(rows, WINDOW, { value: window, enumerable: false, configurable: true });
  return rows as WindowRows;
}

/** The window a batch was tagged with; undefined for an untagged array (a provider bug). */
export function windowOf(rows: readonly Row[]): ReadWindow | undefined {
  return (rows as Partial<WindowRows>)[WINDOW];
}

export function windowLabelOf(w: ReadWindow): string {
  return w.from === w.to ? w.from : `${w.from}..${w.to}`;
}
