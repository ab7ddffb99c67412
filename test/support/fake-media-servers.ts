/**
 * Fake Plex, Jellyfin and Emby servers on 127.0.0.1 (fake-http.ts underneath) that answer only the
 * exact requests the real servers take, as this service sends them, and refuse anything else the way
 * the real server would (401 for a missing or wrong token, 404 for an unknown path or section) or
 * with 400 naming what was wrong (so a test sees a malformed request rather than a silent pass).
 *
 *   const plex = await startFakePlex({ token: 'T', libraries: [{ key: '1', title: 'Movies', type: 'movie',
 *     locations: ['/data/Movies'] }] });
 *   plex.refreshes()              // [{ section: '1', path: '/data/Movies/Film (2024)' }]
 *   plex.failWith({ status: 500 }) // every request answered so from now on (null: back to normal)
 *   const jellyfin = await startFakeMediaBrowser({ kind: 'jellyfin', apiKey: 'K' });
 *   jellyfin.updates()            // [{ Path: '/media/movies/Film (2024)', UpdateType: 'Created' }]
 *
 * GET /library/sections answers as Plex does: XML by default, JSON with Accept: application/json, in
 * the shape of a real answer (plexopedia.com "Get Libraries"; developer.plex.tv/pms). Closed by the
 * test cleanup (cleanup.ts).
 */

import { onCleanup } from './cleanup.js';
import { type FakeAction, type FakeServer, type RecordedRequest, startFakeServer } from './fake-http.js';

export interface FakePlexLibrary {
  key: string;
  title: string;
  type: 'movie' | 'show';
  locations: string[];
}

interface FakeMediaServer {
  url: string;
  port: number;
  /** Every request, accepted or not. */
  requests: RecordedRequest[];
  /** Answers every request with `action` (recorded first), until called with null. */
  failWith(action: FakeAction | null): void;
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

export interface FakePlex extends FakeMediaServer {
  /** The refreshes Plex accepted, in order. */
  refreshes(): { section: string; path: string }[];
  /** How many GET /library/sections it answered. */
  sectionReads(): number;
  setLibraries(libraries: FakePlexLibrary[]): void;
}

const PLEX_UNAUTHORIZED = '<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>';

export async function startFakePlex(o: { token: string; libraries: FakePlexLibrary[] }): Promise<FakePlex> {
  let libraries = o.libraries;
  let failure: FakeAction | null = null;
  const accepted: { section: string; path: string }[] = [];
  let reads = 0;
  const server = await startFakeServer((req) => {
    if (failure) return failure;
    if (req.headers['x-plex-token'] !== o.token) return { status: 401, body: PLEX_UNAUTHORIZED };
    if (req.method !== 'GET' || req.body !== '') return refuse(req, 'only GET without a body');
    if (req.path === '/library/sections') {
      if ([...req.query.keys()].length > 0) return refuse(req, 'no query');
      reads++;
      return req.headers.accept === 'application/json'
        ? { status: 200, body: plexSectionsJson(libraries) }
        : { status: 200, headers: { 'content-type': 'text/xml;charset=utf-8' }, body: plexSectionsXml(libraries) };
    }
    const refresh = /^\/library\/sections\/([^/]+)\/refresh$/.exec(req.path);
    if (!refresh) return { status: 404, body: '<html><head><title>Not Found</title></head></html>' };
    const section = decodeURIComponent(refresh[1] ?? '');
    const path = req.query.get('path');
    if ([...req.query.keys()].join() !== 'path' || !path) return refuse(req, 'exactly one query parameter, path');
    if (!libraries.some((l) => l.key === section)) return { status: 404, body: '' };
    accepted.push({ section, path });
    return { status: 200, body: '' };
  });
  onCleanup(() => server.close());
  return {
    ...common(server, (action) => {
      failure = action;
    }),
    refreshes: () => [...accepted],
    sectionReads: () => reads,
    setLibraries(next) {
      libraries = next;
    },
  };
}

export interface FakeMediaBrowser extends FakeMediaServer {
  /** The updates the server accepted, in order, each as its body listed it. */
  updates(): { Path: string; UpdateType: string }[];
}

/**
 * Jellyfin (12.0: the key only in `Authorization: MediaBrowser Token="…"`, or X-Emby-Token too with
 * `legacyAuthorization`, as 10.11 by default) or Emby (4.8: X-Emby-Token, or ?api_key=).
 */
export async function startFakeMediaBrowser(o: {
  kind: 'jellyfin' | 'emby';
  apiKey: string;
  legacyAuthorization?: boolean;
}): Promise<FakeMediaBrowser> {
  let failure: FakeAction | null = null;
  const accepted: { Path: string; UpdateType: string }[] = [];
  const authorized = (req: RecordedRequest): boolean => {
    if (o.kind === 'emby') return req.headers['x-emby-token'] === o.apiKey || req.query.get('api_key') === o.apiKey;
    const header = req.headers.authorization ?? '';
    const token = /^MediaBrowser\s+(?:.*,\s*)?Token="([^"]*)"/i.exec(header)?.[1];
    if (token !== undefined && decodeURIComponent(token) === o.apiKey) return true;
    return o.legacyAuthorization === true && req.headers['x-emby-token'] === o.apiKey;
  };
  const server = await startFakeServer((req) => {
    if (failure) return failure;
    if (req.path === '/System/Info/Public' && req.method === 'GET') return { status: 200, body: systemInfo(o.kind) };
    if (!authorized(req)) return { status: 401, body: '' };
    if (req.path === '/System/Info' && req.method === 'GET') return { status: 200, body: systemInfo(o.kind) };
    if (req.path !== '/Library/Media/Updated') return { status: 404, body: '' };
    if (req.method !== 'POST') return { status: 405, body: '' };
    if (!String(req.headers['content-type']).startsWith('application/json')) return refuse(req, 'a JSON body');
    const updates = mediaUpdates(req.body);
    if (!updates) return refuse(req, 'exactly {"Updates": [{"Path": …, "UpdateType": …}]}');
    accepted.push(...updates);
    return { status: o.kind === 'jellyfin' ? 204 : 200, body: '' };
  });
  onCleanup(() => server.close());
  return {
    ...common(server, (action) => {
      failure = action;
    }),
    updates: () => [...accepted],
  };
}

function common(server: FakeServer, setFailure: (action: FakeAction | null) => void): FakeMediaServer {
  return {
    url: server.url,
    port: server.port,
    requests: server.requests,
    failWith: setFailure,
    waitForRequests: (count, timeoutMs) => server.waitForRequests(count, timeoutMs),
    close: () => server.close(),
  };
}

function refuse(req: RecordedRequest, expected: string): FakeAction {
  return { status: 400, body: `fake server: ${req.method} ${req.url} is not what the real server takes (${expected})` };
}

const UPDATE_TYPES = new Set(['Created', 'Modified', 'Deleted']);

/** The body's updates when it has exactly the documented shape, else undefined. */
function mediaUpdates(body: string): { Path: string; UpdateType: string }[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Object.keys(json).join() !== 'Updates') return undefined;
  const updates: unknown = (json as { Updates: unknown }).Updates;
  if (!Array.isArray(updates) || updates.length === 0) return undefined;
  const valid = updates.every(
    (u) =>
      typeof u === 'object' &&
      u !== null &&
      Object.keys(u).join() === 'Path,UpdateType' &&
      typeof u.Path === 'string' &&
      UPDATE_TYPES.has(u.UpdateType),
  );
  return valid ? (updates as { Path: string; UpdateType: string }[]) : undefined;
}

function systemInfo(kind: 'jellyfin' | 'emby') {
  return kind === 'jellyfin'
    ? { ServerName: 'media-box', Version: '12.0.0', ProductName: 'Jellyfin Server', Id: 'f1e2d3c4b5a6' }
    : { ServerName: 'media-box', Version: '4.8.11.0', Id: 'a6b5c4d3e2f1' };
}

/** A Directory of /library/sections with the attributes a real Plex sends (values made up). */
function directoryAttributes(l: FakePlexLibrary): Record<string, string | number | boolean> {
  return {
    allowSync: true,
    art: `/:/resources/${l.type}-fanart.jpg`,
    composite: `/library/sections/${l.key}/composite/1693688538`,
    filters: true,
    refreshing: false,
    thumb: `/:/resources/${l.type}.png`,
    key: l.key,
    type: l.type,
    title: l.title,
    agent: l.type === 'movie' ? 'tv.plex.agents.movie' : 'tv.plex.agents.series',
    scanner: l.type === 'movie' ? 'Plex Movie' : 'Plex TV Series',
    language: 'en-US',
    uuid: `ac000000-0000-0000-0000-00000000000${l.key}`,
    updatedAt: 1693708514,
    createdAt: 1499601583,
    scannedAt: 1693688538,
    content: true,
    directory: true,
    contentChangedAt: 18253756,
    hidden: 0,
  };
}

function plexSectionsJson(libraries: FakePlexLibrary[]) {
  let locationId = 0;
  return {
    MediaContainer: {
      size: libraries.length,
      allowSync: false,
      title1: 'Plex Library',
      Directory: libraries.map((l) => ({
        ...directoryAttributes(l),
        Location: l.locations.map((path) => ({ id: ++locationId, path })),
      })),
    },
  };
}

function plexSectionsXml(libraries: FakePlexLibrary[]): string {
  let locationId = 0;
  // Plex writes booleans as 1 and 0.
  const text = (value: string | number | boolean) => (typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  const attributes = (values: Record<string, string | number | boolean>) =>
    Object.entries(values)
      .map(([name, value]) => `${name}="${escapeXml(text(value))}"`)
      .join(' ');
  const directories = libraries.map(
    (l) =>
      `<Directory ${attributes(directoryAttributes(l))}>\n` +
      l.locations.map((path) => `<Location id="${++locationId}" path="${escapeXml(path)}" />\n`).join('') +
      '</Directory>\n',
  );
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<MediaContainer size="${libraries.length}" allowSync="0" identifier="com.plexapp.plugins.library" ` +
    'mediaTagPrefix="/system/bundle/media/flags/" mediaTagVersion="1638961228" title1="Plex Library">\n' +
    directories.join('') +
    '</MediaContainer>\n'
  );
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
