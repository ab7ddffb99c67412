// Pieces of a notification URL that several services read the same way: which options a URL may carry,
// the server a self-hosted service's URL names, its user:password, and Apprise's `?+Header=value`.
// Errors are TargetUrlError and quote no part of the URL (the registry shows it masked).

import { type TargetUrl, TargetUrlError } from './target-url.js';

/** Refuses the options a service does not read, rather than ignoring them. */
export function refuseOtherOptions(url: TargetUrl, reads: readonly string[], extra = ''): void {
  const unknown = [...url.query.keys()].filter((name) => !reads.includes(name) && !name.startsWith('+'));
  if (unknown.length === 0) return;
  const known = reads.length > 0 ? `it reads ${reads.map((name) => `?${name}=`).join(', ')}${extra}` : 'it reads none';
  throw new TargetUrlError(`has options this service does not read: ${unknown.join(', ')} (${known})`);
}

/** Refuses Apprise's `?+Header=value` on a service that sends no extra headers. */
export function refuseHeaders(url: TargetUrl): void {
  if ([...url.query.keys()].some((name) => name.startsWith('+'))) {
    throw new TargetUrlError('has ?+Header= options, which this service does not send');
  }
}

/** Apprise's `?+Name=value`: extra request headers (names as HTTP has them, case-insensitive). */
export function extraHeaders(url: TargetUrl): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of url.query) {
    if (!name.startsWith('+')) continue;
    const header = name.slice(1);
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(header)) {
      throw new TargetUrlError('has a ?+Header= option whose name is not an HTTP header name');
    }
    if (/[\r\n\0]/.test(value)) throw new TargetUrlError('has a ?+Header= value with a line break');
    headers[header] = value;
  }
  return headers;
}

/**
 * The values of extra headers that carry credentials (Authorization, Cookie, or a name with token, key,
 * secret, pass, auth or sig in it), to be masked in every log line. Other values stay readable: masking
 * "application/json" would blank it out of every line that mentions it.
 */
export function credentialHeaderValues(headers: Readonly<Record<string, string>>): string[] {
  return Object.entries(headers)
    .filter(([name]) => /^(authorization|cookie)$|token|key|secret|pass|auth|sig/i.test(name))
    .map(([, value]) => value);
}

/** `http://host[:port]` for the plain scheme, `https://…` for the `s` one; throws when the host is not one. */
export function serverOrigin(url: TargetUrl, secure: boolean): string {
  const host = url.host;
  const shape = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*)(:(\d{1,5}))?$/i;
  const match = shape.exec(host);
  if (!match) throw new TargetUrlError('needs a server host name (or address) and an optional port after ://');
  const port = match[6];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    throw new TargetUrlError('has a port outside 1-65535');
  }
  if (!URL.canParse(`http://${host}`)) throw new TargetUrlError('needs a server host name (or address) after ://');
  return `${secure ? 'https' : 'http'}://${host.toLowerCase()}`;
}

/** The URL's user and password, when it names both; a user alone is refused (a service has no use for it). */
export function basicCredentials(url: TargetUrl): { user: string; password: string } | undefined {
  if (url.user === undefined && url.password === undefined) return undefined;
  if (!url.user || url.password === undefined || url.password === '') {
    throw new TargetUrlError('has a user without a password (write user:password@host)');
  }
  return { user: url.user, password: url.password };
}

/** The path segments as one path ("" or "/a/b"), each segment encoded again. */
export function pathOf(segments: readonly string[]): string {
  return segments.map((segment) => `/${encodeURIComponent(segment)}`).join('');
}
