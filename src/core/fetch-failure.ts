// Shared by every outbound client (Telegram, Plex, and later targets). Pure.
import { errnoCode } from './errors.js';

/** Says why a fetch failed, including undici's nested cause (where "ECONNREFUSED" lives). */
export function describeFetchFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') {
    return `timed out after ${timeoutMs / 1000} s`;
  }
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = errnoCode(cause);
    const detail = cause.message || code || cause.name;
    return detail && detail !== err.message ? `${err.message} (${detail})` : err.message;
  }
  return err.message;
}
