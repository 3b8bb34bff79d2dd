import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { isS3Url, parseS3ObjectUrl, parseS3PrefixUrl, parseS3Url } from '../../../src/destinations/s3/url.js';

function usage(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a UsageError');
}

describe('s3:// URLs', () => {
  it('splits bucket and key, keeping the key as given', () => {
    expect(parseS3Url('s3://my-bucket/exports/2026/conv.parquet')).toEqual({ bucket: 'my-bucket', key: 'exports/2026/conv.parquet' });
    expect(parseS3Url('S3://my.bucket.eu/a b+c%20.csv.gz')).toEqual({ bucket: 'my.bucket.eu', key: 'a b+c%20.csv.gz' });
    expect(parseS3ObjectUrl('s3://abc/x.ndjson')).toEqual({ bucket: 'abc', key: 'x.ndjson' });
  });

  it('reads a directory with or without its trailing slash, and the bucket root', () => {
    expect(parseS3PrefixUrl('s3://lake/conversions')).toEqual({ bucket: 'lake', key: 'conversions/' });
    expect(parseS3PrefixUrl('s3://lake/conversions/')).toEqual({ bucket: 'lake', key: 'conversions/' });
    expect(parseS3PrefixUrl('s3://lake')).toEqual({ bucket: 'lake', key: '' });
    expect(parseS3PrefixUrl('s3://lake/')).toEqual({ bucket: 'lake', key: '' });
  });

  it('treats anything starting with s3: as meant for S3, so a typo is an error, not a local file', () => {
    expect(isS3Url('s3://b/k')).toBe(true);
    expect(isS3Url('s3:/b/k')).toBe(true);
    expect(isS3Url('./s3/k')).toBe(false);
    expect(isS3Url('out.s3')).toBe(false);
    expect(usage(() => parseS3Url('s3:/bucket/x.parquet'))).toBe('s3:/bucket/x.parquet is not an s3:// URL: write s3://BUCKET/KEY');
  });

  it('refuses a missing bucket, and an object URL that names no object', () => {
    expect(usage(() => parseS3Url('s3:///x.csv'))).toBe('s3:///x.csv has no bucket: write s3://BUCKET/KEY');
    expect(usage(() => parseS3Url('s3://'))).toMatch(/has no bucket/);
    expect(usage(() => parseS3ObjectUrl('s3://lake'))).toBe('-o s3://lake names a bucket or a prefix, not an object: give s3://lake/NAME.EXT');
    expect(usage(() => parseS3ObjectUrl('s3://lake/exports/'))).toBe('-o s3://lake/exports/ names a bucket or a prefix, not an object: give s3://lake/exports/NAME.EXT');
  });

  it.each([
    ['ab', '3 to 63 characters'],
    ['a'.repeat(64), '3 to 63 characters'],
    ['My-Bucket', 'lower case only'],
    ['my_bucket', 'letters, digits, dots and hyphens'],
    ['-bucket', 'letters, digits, dots and hyphens'],
    ['bucket-', 'letters, digits, dots and hyphens'],
    ['my..bucket', 'no two dots in a row'],
    ['192.168.10.20', 'not an IP address'],
  ])('refuses the bucket name %s (%s)', (bucket, why) => {
    expect(usage(() => parseS3Url(`s3://${bucket}/k.csv`))).toContain(`"${bucket}" is not a valid bucket name (${why}`);
  });

  it('refuses keys whose name would change on the way: //, . and .. segments, control characters, over 1024 bytes', () => {
    expect(usage(() => parseS3Url('s3://lake/a//b.csv'))).toMatch(/empty path segment/);
    expect(usage(() => parseS3Url('s3://lake/a/../b.csv'))).toMatch(/"\.\." segment/);
    expect(usage(() => parseS3Url('s3://lake/./b.csv'))).toMatch(/"\." segment/);
    expect(usage(() => parseS3Url('s3://lake/a\nb.csv'))).toMatch(/control character/);
    expect(usage(() => parseS3Url(`s3://lake/${'é'.repeat(513)}`))).toMatch(/longer than S3's 1024 bytes/);
    expect(parseS3Url(`s3://lake/${'é'.repeat(512)}`).key).toHaveLength(512);
  });

  it('refuses credentials in the URL without repeating them', () => {
    const message = usage(() => parseS3Url('s3://AKIAEXAMPLE:wJalrXUtnFEMI@lake/x.csv'));
    expect(message).toBe('s3://…@lake/x.csv: credentials do not go in the URL; use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE');
    expect(message).not.toContain('wJalrXUtnFEMI');
  });
});
