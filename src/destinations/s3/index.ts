// Object storage as a destination. What the pipeline uses:
//   single file:  const loc = parseS3ObjectUrl(url); const store = await S3Store.open(loc.bucket, opts);
//                 await store.check(loc.key);                      // pre-flight, exit 2 on failure
//                 const out = await store.openOutput(loc.key, { gzip }); ... out.commit() / out.abort();
//                 store.close();
//   partitions:   S3PartitionStore, a PartitionStore (../partition-store.ts) over a prefix, opened
//                 through openPartitionStore(url, ...) like a local directory.
// Importing this loads no SDK: S3Store.open does, on first use (sdk.ts).
export { isS3Url, parseS3ObjectUrl, parseS3PrefixUrl, parseS3Url, s3Url, type S3Location } from './url.js';
export { S3Store, contentTypeOf, type OutputOptions, type S3StoreOptions } from './store.js';
export { S3PartitionStore } from './partitions.js';
export { S3ObjectTarget, checkS3Object } from './object.js';
export type { S3Output } from './upload.js';
export type { S3Credentials, S3Overrides, S3Settings } from './settings.js';
