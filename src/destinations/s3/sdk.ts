import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from './settings.js';

// The AWS SDK is loaded only when a target is on S3 (it is large: ~100 ms and tens of MB that
// every other run of mbuzz should not pay for), and only through here.
//
// Its noise stays out of mbuzz's stderr, whose lines are mbuzz's own:
//  - the SDK warns through process.emitWarning, once per process, that a future release needs
//    Node 22; AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true is the switch it honours. It is
//    set (unless the user set it either way) before the first client is made, when the SDK looks;
//  - the rest (e.g. "both AWS_PROFILE and AWS_ACCESS_KEY_ID are set") goes through the client's
//    logger, which is ours: the first line of each warning is handed to `onWarning`.

export type SdkModule = typeof import('@aws-sdk/client-s3');

let loaded: Promise<SdkModule> | undefined;

export function loadSdk(): Promise<SdkModule> {
  loaded ??= import('@aws-sdk/client-s3');
  return loaded;
}

export interface ClientOptions {
  onWarning?: (line: string) => void;
}

export async function createClient(settings: S3Settings, options: ClientOptions = {}): Promise<{ sdk: SdkModule; client: S3Client }> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const sdk = await loadSdk();
  const warn = (...args: unknown[]) => options.onWarning?.(firstLine(args.map(String).join(' ')));
  const client = new sdk.S3Client({
    region: settings.region,
    ...(settings.endpoint !== undefined && { endpoint: settings.endpoint }),
    ...(settings.profile !== undefined && { profile: settings.profile }),
    ...(settings.credentials !== undefined && { credentials: settings.credentials }),
    forcePathStyle: settings.forcePathStyle,
    followRegionRedirects: settings.regionGuessed && settings.endpoint === undefined,
    ...(settings.checksums && { requestChecksumCalculation: settings.checksums, responseChecksumValidation: settings.checksums }),
    logger: { trace: () => undefined, debug: () => undefined, info: () => undefined, warn, error: () => undefined },
    // A store that does not answer should fail the run, not hang it: 10 s to connect, and a
    // socket idle for 2 minutes mid-request counts as lost (the SDK retries it).
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  });
  return { sdk, client };
}

function firstLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}
