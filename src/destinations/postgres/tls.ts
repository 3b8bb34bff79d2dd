import { promises as fsp } from 'node:fs';
import { homedir } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { UsageError } from '../../core/errors.js';
import type { PgTarget } from './url.js';

// sslmode as libpq users expect it (https://www.postgresql.org/docs/current/libpq-ssl.html):
//   disable      no TLS;
//   allow/prefer TLS when the server offers it, unverified, else plain (session.ts retries plain);
//   require      TLS or fail, unverified, unless a root certificate is given or sits in
//                ~/.postgresql/root.crt, which makes it verify-ca, as in libpq;
//   verify-ca    TLS, the chain checked against the root certificate, not the host name;
//   verify-full  TLS, the chain and the host name checked.
// sslrootcert=system uses Node's CA store and means verify-full (libpq 16). A Unix socket never
// uses TLS (url.ts refuses require and above there).

export async function tlsOptionsFor(target: PgTarget): Promise<ConnectionOptions | false> {
  const { mode, rootCert, cert, key } = target.ssl;
  if (mode === 'disable' || target.host.startsWith('/')) return false;
  const options: ConnectionOptions = {};
  if (!isIP(target.host)) options.servername = target.host;
  if (cert !== undefined) options.cert = await readTlsFile(cert, 'sslcert');
  if (key !== undefined) options.key = await readTlsFile(key, 'sslkey');
  const defaultRoot = join(homedir(), '.postgresql', 'root.crt');
  const rootPath = rootCert ?? ((mode === 'verify-ca' || mode === 'verify-full' || mode === 'require') && (await exists(defaultRoot)) ? defaultRoot : undefined);
  const verify = rootCert === 'system' || mode === 'verify-full' ? 'full' : mode === 'verify-ca' || (mode === 'require' && rootPath !== undefined) ? 'ca' : 'none';
  if (verify === 'none') {
    options.rejectUnauthorized = false;
    return options;
  }
  options.rejectUnauthorized = true;
  if (rootPath === undefined) {
    throw new UsageError(`sslmode=${mode} needs the server's root certificate: give sslrootcert=FILE (or put it in ${defaultRoot})`);
  }
  if (rootPath !== 'system') options.ca = await readTlsFile(rootPath, 'sslrootcert');
  // verify-ca: the chain is checked, the host name is not.
  if (verify === 'ca') options.checkServerIdentity = () => undefined;
  return options;
}

async function readTlsFile(path: string, what: string): Promise<Buffer> {
  try {
    return await fsp.readFile(path);
  } catch (err) {
    throw new UsageError(`${what}=${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

async function exists(path: string): Promise<boolean> {
  return fsp.stat(path).then(
    () => true,
    () => false,
  );
}
