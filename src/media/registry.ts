// Media-server configurations → instances, by type. Adding a server type: its file, one case in each
// function here and one member of MediaServerSpec, its fake-server test.

import type { Finding } from '../core/finding.js';
import type { Mapping } from '../core/types.js';
import type { MediaServer } from './media-server.js';
import { createPlexServer } from './plex.js';
import { checkPlex } from './plex-check.js';

/** One configured media server (PLEX_URL/PLEX_TOKEN today). */
export type MediaServerSpec = { type: 'plex'; name?: string; url: string; token: string };

export interface MediaServerContext {
  fetch: typeof fetch;
  timeoutMs: number;
  /** Per-mapping settings a server reads (Plex: plex_section, plex_path). */
  mappings: readonly Mapping[];
}

/** The given name, or type://host[:port][/path] of its URL: never the token, nor userinfo. */
export function mediaServerId(spec: MediaServerSpec): string {
  if (spec.name !== undefined) return spec.name;
  const url = new URL(spec.url);
  const path = url.pathname.replace(/\/+$/, '');
  return `${spec.type}://${url.host}${path}`;
}

export function secretsOfMediaServer(spec: MediaServerSpec): string[] {
  return [spec.token];
}

/** `sync-webhook doctor`'s read-only look at a server (nothing is scanned). */
export function checkMediaServer(spec: MediaServerSpec, context: MediaServerContext): Promise<Finding[]> {
  switch (spec.type) {
    case 'plex':
      return checkPlex({ id: mediaServerId(spec), baseUrl: spec.url, token: spec.token, ...context });
  }
}

export function createMediaServer(spec: MediaServerSpec, context: MediaServerContext): MediaServer {
  switch (spec.type) {
    case 'plex':
      return createPlexServer({ id: mediaServerId(spec), baseUrl: spec.url, token: spec.token, ...context });
  }
}
