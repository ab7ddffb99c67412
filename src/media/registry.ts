// Media-server configurations → instances, by type. Adding a server type: its file, one case in each
// function here and one member of MediaServerSpec, its fake-server test.

import type { Finding } from '../core/finding.js';
import type { Mapping } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import { type ApiKeySettingNames, createMediaBrowserServer } from './jellyfin-emby.js';
import { checkMediaBrowser } from './jellyfin-emby-check.js';
import type { MediaServer } from './media-server.js';
import type { PathMapEntry } from './path-map.js';
import { createPlexServer, type PlexSettingNames } from './plex.js';
import { checkPlex } from './plex-check.js';

interface SpecBase {
  /** Its id instead of the one made from the URL. */
  name?: string;
  url: string;
  /** How the server sees the destination folders (`path_map`); none: as this service sees them. */
  pathMap?: readonly PathMapEntry[];
}

/** PLEX_URL/PLEX_TOKEN, or a `type: plex` entry of `media_servers:`. */
export interface PlexSpec extends SpecBase {
  type: 'plex';
  token: string;
  /** Section id per mapping container; given, the mappings' plex_section and PLEX_SECTION_* are unused. */
  sections?: Readonly<Record<string, string>>;
  /** The YAML keys of an entry of `media_servers:`; default: the PLEX_* variables. */
  settingNames?: PlexSettingNames;
}

/** JELLYFIN_URL/JELLYFIN_API_KEY, EMBY_URL/EMBY_API_KEY, or such an entry of `media_servers:`. */
export interface ApiKeySpec extends SpecBase {
  type: 'jellyfin' | 'emby';
  apiKey: string;
  settingNames?: ApiKeySettingNames;
}

/** One configured media server. */
export type MediaServerSpec = PlexSpec | ApiKeySpec;

export const MEDIA_SERVER_TYPES = ['plex', 'jellyfin', 'emby'] as const satisfies readonly MediaServerSpec['type'][];

export interface MediaServerContext {
  fetch: typeof fetch;
  timeoutMs: number;
  /** The configured mappings (Plex also reads each one's plex_section and plex_path). */
  mappings: readonly Mapping[];
  /** Where a server logs the problems of its configuration that its answers reveal (Plex). */
  log?: Pick<Logger, 'warn'>;
}

/** The given name, or type://host[:port][/path] of its URL: never the token, nor userinfo. */
export function mediaServerId(spec: MediaServerSpec): string {
  if (spec.name !== undefined) return spec.name;
  const url = new URL(spec.url);
  const path = url.pathname.replace(/\/+$/, '');
  return `${spec.type}://${url.host}${path}`;
}

/** The token or API key, and a password in the URL's userinfo. */
export function secretsOfMediaServer(spec: MediaServerSpec): string[] {
  const password = URL.canParse(spec.url) ? decodeURIComponent(new URL(spec.url).password) : '';
  return [spec.type === 'plex' ? spec.token : spec.apiKey, password].filter((s) => s !== '');
}

/** `sync-webhook doctor`'s read-only look at a server (nothing is scanned). */
export function checkMediaServer(spec: MediaServerSpec, context: MediaServerContext): Promise<Finding[]> {
  const id = mediaServerId(spec);
  switch (spec.type) {
    case 'plex':
      return checkPlex({
        id,
        baseUrl: spec.url,
        token: spec.token,
        sections: spec.sections,
        pathMap: spec.pathMap,
        settingNames: spec.settingNames,
        ...context,
      });
    case 'jellyfin':
    case 'emby':
      return checkMediaBrowser({
        kind: spec.type,
        id,
        baseUrl: spec.url,
        apiKey: spec.apiKey,
        settingNames: spec.settingNames,
        ...context,
      });
  }
}

export function createMediaServer(spec: MediaServerSpec, context: MediaServerContext): MediaServer {
  const id = mediaServerId(spec);
  switch (spec.type) {
    case 'plex':
      return createPlexServer({
        id,
        baseUrl: spec.url,
        token: spec.token,
        pathMap: spec.pathMap,
        sections: spec.sections,
        settingNames: spec.settingNames,
        ...context,
      });
    case 'jellyfin':
    case 'emby':
      return createMediaBrowserServer({
        kind: spec.type,
        id,
        baseUrl: spec.url,
        apiKey: spec.apiKey,
        pathMap: spec.pathMap,
        settingNames: spec.settingNames,
        ...context,
      });
  }
}
