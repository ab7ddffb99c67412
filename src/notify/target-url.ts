// Apprise-style notification URLs, split the way Apprise reads them: scheme://[user[:password]@]host/path?query.
// Not WHATWG URL parsing: a Telegram bot token ("123456789:AAH…") sits where a host and port would, and
// must reach its parser whole.

/** A problem with one URL; the message quotes no part of the URL that may be secret. */
export class TargetUrlError extends Error {
  override name = 'TargetUrlError';
}

export interface TargetUrl {
  /** The URL as given (trimmed): what a service that is handed the whole URL (the apprise command) gets. */
  raw: string;
  /** Lower case, without "://". */
  scheme: string;
  user?: string;
  password?: string;
  /** Everything between the userinfo and the first "/", decoded; may hold a port, or a token. */
  host: string;
  /** Non-empty path segments, decoded. */
  path: string[];
  /** Query parameters, names lower-cased, values decoded. */
  query: Map<string, string>;
  /** True when the URL has a "#…" part (Apprise reads it as a channel for some services; no built-in one does). */
  hasFragment: boolean;
}

/** Splits a URL; throws TargetUrlError when it is not scheme://…, or has a broken %-escape. */
export function splitTargetUrl(raw: string): TargetUrl {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(#.*)?$/i.exec(raw.trim());
  if (!match) throw new TargetUrlError('is not a URL of the form scheme://…');
  const [, scheme = '', authority = '', pathPart = '', queryPart = '', fragment] = match;
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined;
  const colon = userinfo?.indexOf(':') ?? -1;
  const url: TargetUrl = {
    raw: raw.trim(),
    scheme: scheme.toLowerCase(),
    host: decode(authority.slice(at + 1)),
    path: pathPart
      .split('/')
      .filter((segment) => segment !== '')
      .map(decode),
    query: new Map(),
    hasFragment: fragment !== undefined,
  };
  if (userinfo !== undefined) {
    url.user = decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
    if (colon >= 0) url.password = decode(userinfo.slice(colon + 1));
  }
  for (const pair of queryPart.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq >= 0 ? pair.slice(0, eq) : pair).toLowerCase();
    url.query.set(name, decode(eq >= 0 ? pair.slice(eq + 1).replace(/\+/g, ' ') : ''));
  }
  return url;
}

/** The scheme of a URL (lower case), or undefined when it has none; for errors and the registry lookup. */
export function schemeOf(raw: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw.trim())?.[1]?.toLowerCase();
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new TargetUrlError('has a broken %-escape');
  }
}
