// Where each half of Mixpanel lives. The Data API 2.0 endpoints are on the project's query host
// (mixpanel.com, eu.mixpanel.com, in.mixpanel.com); the raw export is on the matching data host
// (data.mixpanel.com, data-eu…, data-in…). One base URL (MIXPANEL_BASE_URL / --base-url /
// profile base_url) names the region: either host of a region gives the other. Any other host
// (the sandbox at http://127.0.0.1:<port>/mixpanel, a proxy) serves both under the same root.

const REGIONS: ReadonlyArray<{ query: string; data: string }> = [
  { query: 'mixpanel.com', data: 'data.mixpanel.com' },
  { query: 'eu.mixpanel.com', data: 'data-eu.mixpanel.com' },
  { query: 'in.mixpanel.com', data: 'data-in.mixpanel.com' },
];

export const DEFAULT_BASE_URL = 'https://mixpanel.com';

function swapHost(baseUrl: string, pick: (r: (typeof REGIONS)[number]) => string): string {
  const url = new URL(baseUrl);
  const region = REGIONS.find((r) => r.query === url.hostname || r.data === url.hostname);
  if (region) url.hostname = pick(region);
  return url.toString().replace(/\/+$/, '');
}

/** The host root for /api/2.0/<endpoint>. */
export function queryBase(baseUrl: string): string {
  return swapHost(baseUrl, (r) => r.query);
}

/** The host root for /api/2.0/export. */
export function exportBase(baseUrl: string): string {
  return swapHost(baseUrl, (r) => r.data);
}

export const HOSTS_NOTE =
  'MIXPANEL_BASE_URL (or --base-url) names the region: https://mixpanel.com (default), https://eu.mixpanel.com or https://in.mixpanel.com; the raw export goes to the matching data host (data., data-eu., data-in.mixpanel.com); any other URL serves both under the same root.';
