import { UsageError } from '../../core/errors.js';

// `s3://bucket/key` (one object) and `s3://bucket/prefix` (a directory of partitions), checked
// here so a typo is one line and exit 2 before anything is sent. Bucket names follow S3's rules
// for new buckets (3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit,
// not an IP address), which also makes them safe for path-style requests to any S3-compatible
// store. Keys are kept as given, but with no empty, `.` or `..` segment: HTTP stacks normalise
// those away, so the object would land under another name than the one asked for.

export interface S3Location {
  bucket: string;
  /** The object key, or a prefix: '' (the bucket root) or ending in '/'. */
  key: string;
}

const SCHEME = /^s3:\/\//i;
/** `s3:/b/k` and `S3://` too: they are meant for S3, and a local file named `s3:` would be a surprise. */
const LOOKS_S3 = /^s3:/i;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function isS3Url(target: string): boolean {
  return LOOKS_S3.test(target);
}

/** An object: `s3://bucket/path/to/file.ext`. */
export function parseS3ObjectUrl(url: string): S3Location {
  const loc = parseS3Url(url);
  if (loc.key === '' || loc.key.endsWith('/')) {
    throw new UsageError(`-o ${shown(url)} names a bucket or a prefix, not an object: give s3://${loc.bucket}/${loc.key}NAME.EXT`);
  }
  return loc;
}

/** A directory: `s3://bucket/prefix` or `s3://bucket/prefix/` or `s3://bucket`; the key always ends in '/' (or is ''). */
export function parseS3PrefixUrl(url: string): S3Location {
  const loc = parseS3Url(url);
  return { bucket: loc.bucket, key: loc.key === '' || loc.key.endsWith('/') ? loc.key : `${loc.key}/` };
}

export function parseS3Url(url: string): S3Location {
  if (!SCHEME.test(url)) throw new UsageError(`${shown(url)} is not an s3:// URL: write s3://BUCKET/KEY`);
  const rest = url.replace(SCHEME, '');
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);

  // Credentials belong in the environment or ~/.aws, never in a URL that lands in shell history.
  if (authority.includes('@')) throw new UsageError(`${shown(url)}: credentials do not go in the URL; use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE`);
  if (authority === '') throw new UsageError(`${shown(url)} has no bucket: write s3://BUCKET/KEY`);
  checkBucket(authority, url);
  checkKey(key, url);
  return { bucket: authority, key };
}

function checkBucket(bucket: string, url: string): void {
  const bad = (why: string) => new UsageError(`${shown(url)}: "${bucket}" is not a valid bucket name (${why})`);
  if (bucket.length < 3 || bucket.length > 63) throw bad('3 to 63 characters');
  if (/[A-Z]/.test(bucket)) throw bad('lower case only');
  if (!BUCKET.test(bucket)) throw bad('letters, digits, dots and hyphens, starting and ending with a letter or digit');
  if (bucket.includes('..')) throw bad('no two dots in a row');
  if (IPV4.test(bucket)) throw bad('not an IP address');
}

function checkKey(key: string, url: string): void {
  if (Buffer.byteLength(key, 'utf8') > 1024) throw new UsageError(`${shown(url)}: the key is longer than S3's 1024 bytes`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new UsageError(`${shown(url)}: the key has a control character`);
  const segments = key.split('/');
  // a trailing '' is the prefix form (`prefix/`); anywhere else it is `//`
  for (const [i, s] of segments.entries()) {
    if (s === '' && i < segments.length - 1) throw new UsageError(`${shown(url)}: the key has an empty path segment (//)`);
    if (s === '.' || s === '..') throw new UsageError(`${shown(url)}: the key has a "${s}" segment`);
  }
}

/** The URL as it may appear in a one-line message: anything before an '@' (a would-be secret) masked, control characters escaped. */
function shown(url: string): string {
  return url
    .replace(/^(s3:\/\/)[^/@]*@/i, '$1…@')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
