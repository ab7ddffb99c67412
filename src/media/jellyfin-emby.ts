// Jellyfin and Emby scan clients. Jellyfin began as a fork of Emby and both keep its call for "these
// paths changed": POST /Library/Media/Updated with {"Updates": [{"Path": …, "UpdateType": "Created"}]}
// (Created, Modified or Deleted), which rescans the folder's library item rather than the whole library.
// Checked against:
// - Jellyfin 12.0 (v12.0-rc5; the same in 10.11): Jellyfin.Api/Controllers/LibraryController.cs
//   PostUpdatedMedia (answers 204), Models/LibraryDtos/MediaUpdateInfo(Path)Dto.cs. The key goes in
//   `Authorization: MediaBrowser Token="…"` (Security/AuthorizationContext.cs; values are URL-decoded, so
//   the key is URL-encoded). X-Emby-Token is "legacy authorization": still on by default in 10.11, off by
//   default from 12.0 (migration DisableLegacyAuthorization), so it is not used for Jellyfin.
// - Emby Server REST API 4.8.11.0 (MediaBrowser/Emby.SDK, openapi_v3.json; dev.emby.media,
//   LibraryService/postLibraryMediaUpdated, answers 200/204): the same body, the API key in an
//   X-Emby-Token header ("API Key Authentication").

import type { ScanRequest } from '../core/notify-event.js';
import { PermanentError } from '../core/errors.js';
import { describeFetchFailure } from '../core/fetch-failure.js';
import { redactor } from '../core/redact.js';
import { TIMING } from '../core/timing.js';
import type { MediaServer } from './media-server.js';
import { mapPath, type PathMapEntry, scanFolder } from './path-map.js';

export type MediaBrowserKind = 'jellyfin' | 'emby';

/** The variable or YAML key behind each setting, for the hint of a message that asks to fix it. */
export interface ApiKeySettingNames {
  url: string;
  apiKey: string;
}

export interface MediaBrowserOptions {
  kind: MediaBrowserKind;
  /** The server's id (jellyfin://host:port, or the name given). */
  id: string;
  /** The containers of the configured mappings: each is scanned. */
  mappings: readonly { container: string }[];
  /** Folders as the server sees them; default: as this service sees them. */
  pathMap?: readonly PathMapEntry[];
  /** e.g. "http://jellyfin:8096" (with Jellyfin's base URL, if one is set). */
  baseUrl: string;
  apiKey: string;
  /** Default: JELLYFIN_URL/JELLYFIN_API_KEY or EMBY_URL/EMBY_API_KEY. */
  settingNames?: ApiKeySettingNames;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const SERVICE: Record<MediaBrowserKind, string> = { jellyfin: 'Jellyfin', emby: 'Emby' };

const UPDATE_TYPES: Record<ScanRequest['change'], string> = {
  created: 'Created',
  modified: 'Modified',
  deleted: 'Deleted',
};

/** The header that carries the API key, as each server reads it (see the header comment). */
export function apiKeyHeaders(kind: MediaBrowserKind, apiKey: string): Record<string, string> {
  return kind === 'jellyfin'
    ? { Authorization: `MediaBrowser Token="${encodeURIComponent(apiKey)}"` }
    : { 'X-Emby-Token': apiKey };
}

export function createMediaBrowserServer(opts: MediaBrowserOptions): MediaServer {
  const service = SERVICE[opts.kind];
  const fetchFn = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? TIMING.outboundRequestTimeoutMs;
  const base = opts.baseUrl.replace(/\/+$/, '');
  const names = opts.settingNames ?? defaultSettingNames(opts.kind);
  // The key travels in a header; this guards against a fetch that echoes it or a key pasted into the URL.
  const redact = redactor([opts.apiKey]);
  const containers = new Set(opts.mappings.map((m) => m.container));

  return {
    id: opts.id,
    type: opts.kind,
    scansMapping: (container) => containers.has(container),
    async scan(request: ScanRequest): Promise<void> {
      const folder = mapPath(scanFolder(request), opts.pathMap ?? []);
      let res: Response;
      try {
        res = await fetchFn(`${base}/Library/Media/Updated`, {
          method: 'POST',
          headers: { ...apiKeyHeaders(opts.kind, opts.apiKey), 'Content-Type': 'application/json' },
          body: JSON.stringify({ Updates: [{ Path: folder, UpdateType: UPDATE_TYPES[request.change] }] }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        // No `cause`: keep the raw error (and whatever it echoes) out of logs.
        throw new Error(redact(`${service} scan of ${folder} failed: ${describeFetchFailure(err, timeoutMs)}`));
      }
      // The reply body says nothing we need; drop it so the connection is released.
      await res.body?.cancel().catch(() => undefined);

      if (res.status >= 200 && res.status < 300) return;
      const hint = refusalHint(res.status, service, names);
      if (hint !== undefined) {
        throw new PermanentError(redact(`${service} refused the scan of ${folder} (HTTP ${res.status}): ${hint}`));
      }
      throw new Error(redact(`${service} scan of ${folder} failed (HTTP ${res.status})`));
    },
  };
}

export function defaultSettingNames(kind: MediaBrowserKind): ApiKeySettingNames {
  const prefix = kind.toUpperCase();
  return { url: `${prefix}_URL`, apiKey: `${prefix}_API_KEY` };
}

/** Statuses that mean our configuration is wrong; retrying the same request cannot help. */
function refusalHint(status: number, service: string, names: ApiKeySettingNames): string | undefined {
  switch (status) {
    case 401:
      return `check ${names.apiKey}`;
    case 403:
      return `the key may not update the library; check ${names.apiKey} (an API key from ${service}'s dashboard)`;
    case 404:
      return `check ${names.url}: it must be ${service} itself (port 8096, with its base URL if one is set)`;
    default:
      return undefined;
  }
}
