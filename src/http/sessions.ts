import { randomBytes } from 'node:crypto';

// The dashboard's logins: POST /login exchanges the password (or the API key) for a random token in
// an HttpOnly, SameSite=Strict cookie. Kept in memory: a restart logs every page out (the page shows
// its login form again), and nothing secret is ever written to disk.

export const SESSION_COOKIE = 'sync_webhook_session';

export interface SessionOptions {
  /** A login lasts this long. */
  maxAgeMs: number;
  /** Logins kept at most; the oldest goes first. */
  maxSessions: number;
  now: () => number;
}

export class Sessions {
  /** Token → when it expires (ms). Insertion order is age order. */
  private readonly expiries = new Map<string, number>();

  constructor(private readonly o: SessionOptions) {}

  /** A new login's token. */
  create(): string {
    const now = this.o.now();
    for (const [token, expires] of this.expiries) if (expires <= now) this.expiries.delete(token);
    while (this.expiries.size >= this.o.maxSessions) {
      const oldest = this.expiries.keys().next().value;
      if (oldest === undefined) break;
      this.expiries.delete(oldest);
    }
    const token = randomBytes(32).toString('base64url');
    this.expiries.set(token, now + this.o.maxAgeMs);
    return token;
  }

  valid(token: string): boolean {
    const expires = this.expiries.get(token);
    if (expires === undefined) return false;
    if (expires > this.o.now()) return true;
    this.expiries.delete(token);
    return false;
  }

  delete(token: string): void {
    this.expiries.delete(token);
  }

  get maxAgeSeconds(): number {
    return Math.floor(this.o.maxAgeMs / 1000);
  }
}

/** The session token the request's Cookie header carries, if any. */
export function sessionTokenOf(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const separator = part.indexOf('=');
    if (separator === -1) continue;
    if (part.slice(0, separator).trim() === SESSION_COOKIE) return part.slice(separator + 1).trim();
  }
  return undefined;
}
