import { join } from 'node:path';

// Where S3 is and how to talk to it, read the AWS way: AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_S3
// then AWS_ENDPOINT_URL, then the profile's `services` section (`s3 = endpoint_url = ...`) or its
// own `endpoint_url` in ~/.aws/config (AWS_CONFIG_FILE), the same order the SDK itself uses
// (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS switches the configured endpoints off). We resolve them
// here rather than leave them to the SDK because a custom endpoint changes how to talk:
//  - path-style addressing (http://host/bucket/key): MinIO, Ceph and friends rarely serve
//    bucket subdomains, and bucket.127.0.0.1 is no host at all;
//  - checksums "when required": the SDK's newer default (CRC32 on every upload, checked on every
//    download) is rejected or mishandled by many S3-compatible stores. AWS_REQUEST_CHECKSUM_CALCULATION
//    and AWS_RESPONSE_CHECKSUM_VALIDATION, when set, still win.
// Credentials are not read here: the SDK's own chain does that (settings.credentials only carries
// an explicit override).

export type Vars = Readonly<Record<string, string | undefined>>;

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3Overrides {
  /** An endpoint from somewhere else than the AWS settings (an mbuzz profile, a test). */
  endpoint?: string;
  region?: string;
  credentials?: S3Credentials;
}

export interface S3Settings {
  region: string;
  /** Set when the region was guessed: let the SDK follow S3's redirect to the bucket's region. */
  regionGuessed: boolean;
  /** A custom (S3-compatible) endpoint, or undefined for AWS itself. */
  endpoint?: string;
  profile?: string;
  credentials?: S3Credentials;
  forcePathStyle: boolean;
  checksums?: 'WHEN_REQUIRED';
}

export async function resolveS3Settings(vars: Vars, home: string, overrides: S3Overrides = {}): Promise<S3Settings> {
  const profileName = nonEmpty(vars.AWS_PROFILE);
  const profile = await readProfile(vars, home, profileName ?? 'default');
  const ignoreConfigured = isTrue(vars.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) || isTrue(profile.values.ignore_configured_endpoint_urls);
  const endpoint =
    nonEmpty(overrides.endpoint) ??
    (ignoreConfigured ? undefined : (nonEmpty(vars.AWS_ENDPOINT_URL_S3) ?? nonEmpty(vars.AWS_ENDPOINT_URL) ?? profile.s3Endpoint ?? nonEmpty(profile.values.endpoint_url)));
  const region = nonEmpty(overrides.region) ?? nonEmpty(vars.AWS_REGION) ?? nonEmpty(profile.values.region);
  const custom = endpoint !== undefined;
  const userChoseChecksums = vars.AWS_REQUEST_CHECKSUM_CALCULATION !== undefined || vars.AWS_RESPONSE_CHECKSUM_VALIDATION !== undefined;
  return {
    // S3 answers a request sent to the wrong region with a redirect the SDK can follow; most
    // S3-compatible stores accept any region name and many document us-east-1.
    region: region ?? 'us-east-1',
    regionGuessed: region === undefined,
    endpoint,
    profile: profileName,
    credentials: overrides.credentials ?? envCredentials(vars, profileName),
    forcePathStyle: custom,
    checksums: custom && !userChoseChecksums ? 'WHEN_REQUIRED' : undefined,
  };
}

/**
 * Keys from the environment, as the SDK's chain would take them: not when AWS_PROFILE names a
 * profile (the SDK prefers the profile then). Passing them explicitly makes `vars`, not
 * process.env, the source, so a caller (or a test) decides the environment.
 */
function envCredentials(vars: Vars, profile: string | undefined): S3Credentials | undefined {
  const accessKeyId = nonEmpty(vars.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(vars.AWS_SECRET_ACCESS_KEY);
  if (profile || !accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = nonEmpty(vars.AWS_SESSION_TOKEN);
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

interface Profile {
  values: Record<string, string | undefined>;
  s3Endpoint?: string;
}

async function readProfile(vars: Vars, home: string, name: string): Promise<Profile> {
  // The SDK's own reader of ~/.aws/config (sections, `profile NAME`, nested `s3 =` blocks).
  const { loadSharedConfigFiles } = await import('@smithy/core/config');
  const files = await loadSharedConfigFiles({
    configFilepath: nonEmpty(vars.AWS_CONFIG_FILE) ?? join(home, '.aws', 'config'),
    filepath: nonEmpty(vars.AWS_SHARED_CREDENTIALS_FILE) ?? join(home, '.aws', 'credentials'),
  });
  const values: Record<string, string | undefined> = { ...files.credentialsFile[name], ...files.configFile[name] };
  const services = values.services ? files.configFile[`services.${values.services}`] : undefined;
  return { values, s3Endpoint: nonEmpty(services?.['s3.endpoint_url']) };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function isTrue(v: string | undefined): boolean {
  return v?.trim().toLowerCase() === 'true';
}
