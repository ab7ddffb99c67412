// The one way a secret is kept out of text that leaves the process: log lines, errors of the outbound
// clients, configuration errors. Pure; imports nothing.

/** The marker docs/configuration.md documents for a removed secret. */
export const REDACTED = '[REDACTED]';

/**
 * Replaces each secret, raw, URL-encoded (as it sits in a URL) or JSON-escaped (as it sits in a JSON
 * log line or a quoted field, where " and \ are escaped), wherever it appears. Secrets shorter
 * than 4 characters are left alone: replacing them would mangle ordinary words in every line.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    needles.add(secret);
    needles.add(encodeURIComponent(secret));
    needles.add(JSON.stringify(secret).slice(1, -1));
  }
  if (needles.size === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    return out;
  };
}

/**
 * The host (and port) of a URL's authority when it reads as a server's name rather than a token: localhost,
 * an IPv4 or [IPv6] address, or a dotted name whose last label is letters only (a top-level domain). Many
 * notification URLs carry a token where a host would be (pbul://o.AbC123…, discord://WEBHOOK_ID/…), and
 * a token is never shown.
 */
export function publicHost(host: string): string | undefined {
  const name = /^(.*?)(?::\d{1,5})?$/.exec(host)?.[1] ?? '';
  return SERVER_NAMES.some((pattern) => pattern.test(name)) ? host : undefined;
}

const SERVER_NAMES = [
  /^localhost$/i,
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i,
  /^(?:\d{1,3}\.){3}\d{1,3}$/,
  /^\[[0-9a-f:.]+\]$/i,
];

/**
 * A notification URL fit for an error message, when it is not known which parts are secret (its
 * scheme is unknown, or its parser refused it): the scheme, a host that reads as a server's name
 * (publicHost) and its port, and the query's names stay; userinfo, every path segment and every query
 * value become the marker.
 */
export function maskUrl(raw: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/i.exec(raw.trim());
  if (!match) return REDACTED;
  const [, scheme = '', authority = '', path = '', query] = match;
  const at = authority.lastIndexOf('@');
  const host = authority.slice(at + 1);
  const hostShown = publicHost(host) ?? REDACTED;
  let out = `${scheme}://${at >= 0 ? `${REDACTED}@` : ''}${host === '' ? '' : hostShown}`;
  for (const segment of path.split('/')) if (segment !== '') out += `/${REDACTED}`;
  if (query !== undefined && query !== '') {
    const names = query.split('&').map((pair) => `${pair.split('=')[0]}=${REDACTED}`);
    out += `?${names.join('&')}`;
  }
  return out;
}
