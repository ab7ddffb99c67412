// Plex's answer to GET /library/sections, read into its libraries and their folders, and the library a
// folder belongs to. Pure.
//
// Plex answers XML unless asked for JSON (Accept: application/json); both are read, since a proxy or an
// older server may ignore the Accept header. Shapes as Plex sends them (Plex Media Server API, Library →
// "Get library sections", developer.plex.tv/pms; the XML as plexopedia.com's "Get Libraries" shows it):
//   <MediaContainer size="2" …><Directory key="1" type="movie" title="Movies" …>
//     <Location id="1" path="/data/Movies"/></Directory>…</MediaContainer>
//   {"MediaContainer": {"size": 2, "Directory": [{"key": "1", "type": "movie", "title": "Movies",
//     "Location": [{"id": 1, "path": "/data/Movies"}]}, …]}}

import { z } from 'zod';

/** A library section: its id (the `key` a refresh names), title, type and folders, as Plex sees them. */
export interface PlexLibrary {
  key: string;
  title: string;
  /** movie, show, artist, photo */
  type: string;
  locations: string[];
}

/** The libraries in Plex's answer, or undefined when the text is no list of library sections. */
export function readPlexLibraries(text: string): PlexLibrary[] | undefined {
  const start = text.trimStart();
  if (start.startsWith('{')) return fromJson(start);
  if (start.startsWith('<')) return fromXml(start);
  return undefined;
}

/** The library with the longest location that contains `folder` (on a folder boundary), and that location. */
export function libraryContaining(
  folder: string,
  libraries: readonly PlexLibrary[],
): { library: PlexLibrary; location: string } | undefined {
  let best: { library: PlexLibrary; location: string } | undefined;
  for (const library of libraries) {
    for (const location of library.locations) {
      if (!isUnder(folder, location)) continue;
      if (!best || location.length > best.location.length) best = { library, location };
    }
  }
  return best;
}

/** "1 (Movies), 2 (TV Shows)", for messages. */
export function describeLibraries(libraries: readonly PlexLibrary[]): string {
  return libraries.map((l) => `${l.key} (${l.title})`).join(', ') || 'none';
}

/** A location written with backslashes only is a Windows folder, and is compared with that separator. */
function isUnder(folder: string, location: string): boolean {
  const separator = location.includes('\\') && !location.includes('/') ? '\\' : '/';
  const root = location.endsWith(separator) ? location.slice(0, -1) : location;
  return folder === root || folder.startsWith(`${root}${separator}`);
}

const jsonAnswer = z.object({
  MediaContainer: z.object({
    Directory: z
      .array(
        z.object({
          key: z.union([z.string(), z.number()]),
          title: z.string().optional(),
          type: z.string().optional(),
          Location: z.array(z.object({ path: z.string() })).optional(),
        }),
      )
      .optional(),
  }),
});

function fromJson(text: string): PlexLibrary[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = jsonAnswer.safeParse(json);
  if (!parsed.success) return undefined;
  return (parsed.data.MediaContainer.Directory ?? []).map((d) => ({
    key: String(d.key),
    title: d.title ?? '',
    type: d.type ?? '',
    locations: (d.Location ?? []).map((l) => l.path),
  }));
}

// A start or end tag with its attributes; a quoted value may hold ">" (XML allows it unescaped there).
const TAG = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** The Directory and Location elements of Plex's XML; anything else in it is skipped. */
function fromXml(text: string): PlexLibrary[] | undefined {
  const libraries: PlexLibrary[] = [];
  let container = false;
  let open: PlexLibrary | undefined;
  for (const [, closing, name, attributeText = '', selfClosing] of text.matchAll(TAG)) {
    if (name === 'MediaContainer' && !closing) container = true;
    if (!container) continue;
    if (name === 'Directory') {
      if (closing) {
        open = undefined;
        continue;
      }
      const attributes = attributesOf(attributeText);
      const key = attributes.get('key');
      if (key === undefined) return undefined;
      const library: PlexLibrary = {
        key,
        title: attributes.get('title') ?? '',
        type: attributes.get('type') ?? '',
        locations: [],
      };
      libraries.push(library);
      open = selfClosing ? undefined : library;
    } else if (name === 'Location' && !closing && open) {
      const path = attributesOf(attributeText).get('path');
      if (path !== undefined) open.locations.push(path);
    }
  }
  return container ? libraries : undefined;
}

function attributesOf(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const [, name = '', doubleQuoted, singleQuoted] of text.matchAll(ATTRIBUTE)) {
    attributes.set(name, decodeEntities(doubleQuoted ?? singleQuoted ?? ''));
  }
  return attributes;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) return codePoint(Number.parseInt(body.slice(2), 16), entity);
    if (body.startsWith('#')) return codePoint(Number.parseInt(body.slice(1), 10), entity);
    return NAMED_ENTITIES[body] ?? entity;
  });
}

function codePoint(value: number, fallback: string): string {
  return Number.isInteger(value) && value >= 0 && value <= 0x10ffff ? String.fromCodePoint(value) : fallback;
}
