import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveS3Settings } from '../../../src/destinations/s3/settings.js';

// Where S3 is and how to address it, from the environment and ~/.aws as the AWS tools read them.
// The files are written here by hand, in the AWS CLI's documented format.

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

function home(files: { config?: string; credentials?: string } = {}): string {
  const h = mkdtempSync(join(tmpdir(), 'mbuzz-aws-home-'));
  homes.push(h);
  mkdirSync(join(h, '.aws'));
  if (files.config) writeFileSync(join(h, '.aws', 'config'), files.config);
  if (files.credentials) writeFileSync(join(h, '.aws', 'credentials'), files.credentials);
  return h;
}

describe('resolveS3Settings', () => {
  it('talks to AWS itself when no endpoint is configured: virtual-hosted, default checksums', async () => {
    const s = await resolveS3Settings({ AWS_REGION: 'eu-west-1' }, home());
    expect(s).toEqual({ region: 'eu-west-1', regionGuessed: false, endpoint: undefined, profile: undefined, credentials: undefined, forcePathStyle: false, checksums: undefined });
  });

  it('guesses us-east-1 when no region is set anywhere, and says so (the SDK then follows S3 to the bucket)', async () => {
    const s = await resolveS3Settings({}, home());
    expect([s.region, s.regionGuessed]).toEqual(['us-east-1', true]);
  });

  it('AWS_ENDPOINT_URL_S3 wins over AWS_ENDPOINT_URL; a custom endpoint means path-style and checksums when required', async () => {
    const s = await resolveS3Settings({ AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:2' }, home());
    expect([s.endpoint, s.forcePathStyle, s.checksums]).toEqual(['http://127.0.0.1:2', true, 'WHEN_REQUIRED']);
    expect((await resolveS3Settings({ AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }, home())).endpoint).toBe('http://127.0.0.1:1');
  });

  it('leaves the checksum choice to the user who set AWS_REQUEST_CHECKSUM_CALCULATION', async () => {
    const s = await resolveS3Settings({ AWS_ENDPOINT_URL: 'http://127.0.0.1:1', AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_SUPPORTED' }, home());
    expect(s.checksums).toBeUndefined();
  });

  it("reads the profile's region and endpoint_url from ~/.aws/config, the AWS_PROFILE one or default", async () => {
    const h = home({ config: '[default]\nregion = eu-central-1\n\n[profile minio]\nregion = auto\nendpoint_url = http://127.0.0.1:9000\n' });
    const d = await resolveS3Settings({}, h);
    expect([d.region, d.endpoint, d.profile]).toEqual(['eu-central-1', undefined, undefined]);
    const m = await resolveS3Settings({ AWS_PROFILE: 'minio' }, h);
    expect([m.region, m.endpoint, m.profile, m.forcePathStyle]).toEqual(['auto', 'http://127.0.0.1:9000', 'minio', true]);
  });

  it("reads an endpoint from the profile's services section, and ignores configured endpoints when told", async () => {
    const h = home({ config: '[profile r2]\nservices = r2-s3\n\n[services r2-s3]\ns3 =\n  endpoint_url = http://127.0.0.1:7000\n' });
    expect((await resolveS3Settings({ AWS_PROFILE: 'r2' }, h)).endpoint).toBe('http://127.0.0.1:7000');
    expect((await resolveS3Settings({ AWS_PROFILE: 'r2', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, h)).endpoint).toBeUndefined();
  });

  it('AWS_CONFIG_FILE points elsewhere than ~/.aws/config', async () => {
    const other = home({ config: '[default]\nregion = ap-south-1\n' });
    const s = await resolveS3Settings({ AWS_CONFIG_FILE: join(other, '.aws', 'config') }, home());
    expect(s.region).toBe('ap-south-1');
  });

  it('takes keys from the environment unless AWS_PROFILE names a profile (the SDK chain then reads the profile)', async () => {
    const vars = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret/example', AWS_SESSION_TOKEN: 'token' };
    expect((await resolveS3Settings(vars, home())).credentials).toEqual({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret/example', sessionToken: 'token' });
    expect((await resolveS3Settings({ ...vars, AWS_PROFILE: 'p' }, home())).credentials).toBeUndefined();
    expect((await resolveS3Settings({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE' }, home())).credentials).toBeUndefined();
  });
});
