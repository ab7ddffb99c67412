// Plex library scan client. Asks Plex to rescan just the folder that changed, so a new file shows
// up in seconds without a full section scan.

import type { PlexSectionScan, ScanRequest } from '../core/notify-event.js';
import { PermanentError } from '../core/errors.js';
import type { Mapping } from '../core/types.js';
import { plexFolderFor } from '../paths/translate.js';
import type { MediaServer } from './media-server.js';
import { describeFetchFailure } from '../core/fetch-failure.js';
import { redactor } from '../core/redact.js';
import { TIMING } from '../core/timing.js';

export interface PlexOptions {
  /** The server's id (plex://host:port, or the name given); default "plex". */
  id?: string;
  /** Each mapping's library section (`plex_section`, PLEX_SECTION_*) and destination as Plex sees it (`plex_path`). */
  mappings?: readonly Mapping[];
  /** e.g. "http://plex:32400". */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** A Plex server; its section scan is public for the rows queued before migration 005 and for tests. */
export interface PlexServer extends MediaServer {
  scanPlexSection(scan: PlexSectionScan): Promise<void>;
}

export function createPlexServer(opts: PlexOptions): PlexServer {
  const fetchFn = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? TIMING.outboundRequestTimeoutMs;
  const base = opts.baseUrl.replace(/\/+$/, '');
  // The token travels in a header, not the query (a URL is what proxies and error messages log);
  // this still guards against a fetch that echoes headers or a token
  // pasted into PLEX_URL.
  const redact = redactor([opts.token]);

  const mappingOf = (container: string) => opts.mappings?.find((m) => m.container === container);

  async function scanSection({ section, folder }: PlexSectionScan): Promise<void> {
    const url =
      `${base}/library/sections/${encodeURIComponent(section)}/refresh` + `?path=${encodeURIComponent(folder)}`;
    let res: Response;
    try {
      res = await fetchFn(url, {
        method: 'GET',
        headers: { 'X-Plex-Token': opts.token, Accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      // No `cause`: keep the raw error (and whatever it echoes) out of logs.
      throw new Error(redact(`Plex scan of section ${section} failed: ${describeFetchFailure(err, timeoutMs)}`));
    }
    // The reply body says nothing we need; drop it so the connection is released.
    await res.body?.cancel().catch(() => undefined);

    if (res.status >= 200 && res.status < 300) return;
    const hint = PERMANENT_HINTS[res.status];
    if (hint !== undefined) {
      throw new PermanentError(redact(`Plex refused the scan of section ${section} (HTTP ${res.status}): ${hint}`));
    }
    throw new Error(redact(`Plex scan of section ${section} failed (HTTP ${res.status})`));
  }

  return {
    id: opts.id ?? 'plex',
    type: 'plex',
    scansMapping: (container) => mappingOf(container)?.plexSection !== undefined,
    async scan(request: ScanRequest): Promise<void> {
      const mapping = mappingOf(request.mapping);
      if (!mapping?.plexSection) {
        throw new PermanentError(`mapping ${request.mapping} names no Plex section (plex_section, PLEX_SECTION_*)`);
      }
      await scanSection({
        section: mapping.plexSection,
        folder: plexFolderFor(request.path, mapping, request.mediaType),
      });
    },
    scanPlexSection: scanSection,
  };
}

/** Statuses that mean our configuration is wrong; retrying the same request cannot help. */
const PERMANENT_HINTS: Record<number, string> = {
  401: 'check PLEX_TOKEN',
  403: 'the token may not manage this server; check PLEX_TOKEN',
  404: 'no such library section; check the Plex section id of the mapping',
};
