import { UsageError } from '../../core/errors.js';

/** ISO 3166-1 alpha-2, sent lower-case as in the docs ("es"); checked before any request. */
export function checkCountry(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[A-Za-z]{2}$/.test(value.trim())) throw new UsageError(`--param country=${JSON.stringify(value)} must be a two-letter ISO 3166-1 code such as es or US`);
  return value.trim().toLowerCase();
}
