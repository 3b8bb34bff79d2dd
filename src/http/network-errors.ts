import { DeadlineError } from './deadline.js';
import { errorCode } from './retry.js';
import { proxyOf } from './transport.js';

// What a failed exchange is called in the one line the user reads: a timeout says which limit,
// TLS keeps OpenSSL's reason, and anything that went through a proxy says which one.

/** The status a proxy answered instead of opening the way (CONNECT, or an http:// request's 407). */
export function proxyRefusal(err: unknown): number | undefined {
  const msg = err instanceof Error ? err.message : '';
  const status = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/.exec(msg)?.[1] ?? /^Proxy Authentication Required \((407)\)$/.exec(msg)?.[1];
  return status !== undefined ? Number(status) : undefined;
}

export function describeNetworkError(err: unknown, timeoutMs: number): string {
  const via = proxyOf(err);
  const text = describe(err, timeoutMs);
  return via ? `${text} (through the proxy ${via.shown} from ${via.from})` : text;
}

function describe(err: unknown, timeoutMs: number): string {
  const code = errorCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  const limit = `${Number((timeoutMs / 1000).toFixed(3))}s (--timeout)`;
  if (err instanceof DeadlineError) {
    const got = err.headersArrived ? `the headers and ${err.bodyBytes.toLocaleString('en-US')} bytes of the body had arrived` : 'not even the headers had arrived';
    return `timed out: the whole response did not arrive within ${limit}, the deadline for headers and body; ${got}`;
  }
  const refused = proxyRefusal(err);
  if (refused === 407) return 'the proxy asks for credentials (407 Proxy Authentication Required): put user:password in the proxy URL';
  if (refused !== undefined) return `the proxy refused to open a connection to the API (${refused})`;
  if (code === 'ENOTFOUND') return `cannot resolve host (${msg})`;
  if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|EPROTO/i.test(code)) {
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return `TLS failure: the server does not speak TLS there (a plain http:// port?) (${code})`;
    // OpenSSL's own text is `<id>:error:<hex>:SSL routines:<function>:<reason>:<file>:<line>:`; keep the reason.
    const reason = /SSL routines:[^:]*:([^:]+)/.exec(msg)?.[1] ?? msg;
    return `TLS failure: ${reason} (${code})`;
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return `timed out: no response from the server within ${limit} (${code})`;
  if (code === 'UND_ERR_BODY_TIMEOUT') return `timed out: the server stopped sending the body for ${limit} (${code})`;
  return code ? `${msg} (${code})` : msg;
}
