// Plex library scan client. Asks Plex to rescan just the folder that changed, so a new file shows up in
// seconds without a full section scan: GET /library/sections/{id}/refresh?path=… with X-Plex-Token
// (Plex Media Server API, Library → "Refresh a library section" with `path`, developer.plex.tv/pms).
// A mapping without a configured section finds its section by folder: the library locations of
// GET /library/sections (plex-sections.ts), read once and again whenever a folder falls in none of them.

import type { PlexSectionScan, ScanRequest } from '../core/notify-event.js';
import { PermanentError } from '../core/errors.js';
import type { Mapping } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { MediaServer } from './media-server.js';
import { mapPath, type PathMapEntry, scanFolder } from './path-map.js';
import { describeLibraries, libraryContaining, type PlexLibrary, readPlexLibraries } from './plex-sections.js';
import { describeFetchFailure } from '../core/fetch-failure.js';
import { redactor } from '../core/redact.js';
import { TIMING } from '../core/timing.js';

/** The variable or YAML key behind each setting, for the hint of a message that asks to fix it. */
export interface PlexSettingNames {
  url: string;
  token: string;
  /** Where the section ids are set: the server's `sections:`; default: each mapping's plex_section. */
  sections?: string;
}

const ENV_SETTINGS: PlexSettingNames = { url: 'PLEX_URL', token: 'PLEX_TOKEN' };
const MAPPING_SECTIONS = "the mapping's plex_section (or its PLEX_SECTION_* variable)";

export interface PlexOptions {
  /** The server's id (plex://host:port, or the name given); default "plex". */
  id?: string;
  /** The configured mappings: each one's section (`plex_section`, PLEX_SECTION_*) and `plex_path`. */
  mappings?: readonly Mapping[];
  /** Section id per mapping container (`sections:` of the server); given, the mappings' plex_section is unused. */
  sections?: Readonly<Record<string, string>>;
  /** Folders as Plex sees them; each mapping's plex_path counts as one more entry, after these. */
  pathMap?: readonly PathMapEntry[];
  /** e.g. "http://plex:32400". */
  baseUrl: string;
  token: string;
  /** Default: the environment variables (PLEX_URL, PLEX_TOKEN, PLEX_SECTION_*). */
  settingNames?: PlexSettingNames;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Each new problem of the configuration is logged here as a warning. */
  log?: Pick<Logger, 'warn'>;
}

/** A Plex server; its section scan is public for the rows queued before migration 005 and for tests. */
export interface PlexServer extends MediaServer {
  scanPlexSection(scan: PlexSectionScan): Promise<void>;
  problems(): string[];
}

/** Plex refused a request for a reason retrying cannot fix; `status` tells the caller which. */
class PlexRefusal extends PermanentError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function createPlexServer(opts: PlexOptions): PlexServer {
  const id = opts.id ?? 'plex';
  const fetchFn = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? TIMING.outboundRequestTimeoutMs;
  const base = opts.baseUrl.replace(/\/+$/, '');
  const names = opts.settingNames ?? ENV_SETTINGS;
  const sectionsSetting = names.sections ?? MAPPING_SECTIONS;
  const mappings = opts.mappings ?? [];
  // The token travels in a header, not the query (a URL is what proxies and error messages log);
  // this still guards against a fetch that echoes headers or a token pasted into the URL.
  const redact = redactor([opts.token]);
  const headers = { 'X-Plex-Token': opts.token, Accept: 'application/json' };
  const pathMap: PathMapEntry[] = [
    ...(opts.pathMap ?? []),
    ...mappings
      .filter((m) => m.plexPath !== m.destination.path)
      .map((m) => ({ from: m.destination.path, to: m.plexPath })),
  ];
  const problems = new Map<string, string>();
  let libraries: PlexLibrary[] | undefined;
  let reading: Promise<PlexLibrary[]> | undefined;

  const mappingOf = (container: string) => mappings.find((m) => m.container === container);
  const sectionOf = (m: Mapping) => (opts.sections ? opts.sections[m.container] : m.plexSection);

  /** Records (or, with no text, clears) a problem; a new one is logged once. */
  function note(key: string, text: string | undefined): void {
    if (text === undefined) {
      problems.delete(key);
      return;
    }
    if (problems.get(key) === text) return;
    problems.set(key, text);
    opts.log?.warn(`${id}: ${text}`);
  }

  async function refresh(section: string, folder: string): Promise<void> {
    const url =
      `${base}/library/sections/${encodeURIComponent(section)}/refresh` + `?path=${encodeURIComponent(folder)}`;
    let res: Response;
    try {
      res = await fetchFn(url, { method: 'GET', headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      // No `cause`: keep the raw error (and whatever it echoes) out of logs.
      throw new Error(redact(`Plex scan of section ${section} failed: ${describeFetchFailure(err, timeoutMs)}`));
    }
    // The reply body says nothing we need; drop it so the connection is released.
    await res.body?.cancel().catch(() => undefined);

    if (res.status >= 200 && res.status < 300) return;
    const hint = refreshHint(res.status, names);
    if (hint !== undefined) {
      throw new PlexRefusal(
        redact(`Plex refused the scan of section ${section} (HTTP ${res.status}): ${hint}`),
        res.status,
      );
    }
    throw new Error(redact(`Plex scan of section ${section} failed (HTTP ${res.status})`));
  }

  /** GET /library/sections; each configured section is checked against the answer. */
  function readLibraries(): Promise<PlexLibrary[]> {
    reading ??= requestLibraries().finally(() => {
      reading = undefined;
    });
    return reading;
  }

  async function requestLibraries(): Promise<PlexLibrary[]> {
    let res: Response;
    let text: string;
    try {
      res = await fetchFn(`${base}/library/sections`, {
        method: 'GET',
        headers,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new Error(redact(`Plex's library sections could not be read: ${describeFetchFailure(err, timeoutMs)}`));
    }
    if (!res.ok) {
      const hint = sectionsHint(res.status, names);
      const message = `Plex refused to list its library sections (HTTP ${res.status})`;
      if (hint !== undefined) throw new PlexRefusal(redact(`${message}: ${hint}`), res.status);
      throw new Error(redact(`Plex's library sections could not be read (HTTP ${res.status})`));
    }
    const read = readPlexLibraries(text);
    if (!read) {
      throw new PermanentError(
        redact(
          `${base}/library/sections answered no list of library sections: ` +
            `check ${names.url} (the Plex server itself, port 32400, not a proxy page)`,
        ),
      );
    }
    libraries = read;
    for (const mapping of mappings) {
      const section = sectionOf(mapping);
      if (section === undefined) continue;
      const known = read.some((l) => l.key === section);
      note(
        `section ${mapping.container}`,
        known
          ? undefined
          : `mapping ${mapping.container} names Plex section ${section}, which Plex does not have ` +
              `(its sections: ${describeLibraries(read)}); fix ${sectionsSetting}, or leave it out and the ` +
              'section is found by folder',
      );
    }
    return read;
  }

  async function scanNamedSection(mapping: Mapping, section: string, folder: string): Promise<void> {
    try {
      await refresh(section, folder);
    } catch (error) {
      if (error instanceof PlexRefusal && error.status === 404) {
        // Names the sections Plex has in the problem; without an answer, the problem says less.
        const read = await readLibraries().catch(() => undefined);
        if (!read) {
          note(`section ${mapping.container}`, `mapping ${mapping.container}: Plex has no section ${section}`);
        }
      }
      throw error;
    }
    note(`section ${mapping.container}`, undefined);
  }

  async function scanFoundSection(mapping: Mapping, folder: string): Promise<void> {
    let found = libraries && libraryContaining(folder, libraries);
    if (!found) found = libraryContaining(folder, await readLibraries());
    const key = `folder ${mapping.container}`;
    if (!found) {
      const problem =
        `no Plex library holds ${folder} (mapping ${mapping.container}; libraries: ` +
        `${describeLibraries(libraries ?? [])}): add the folder to a library in Plex, map the path with ` +
        `path_map or plex_path, or name its section (${sectionsSetting})`;
      note(key, problem);
      throw new PermanentError(problem);
    }
    note(key, undefined);
    try {
      await refresh(found.library.key, folder);
    } catch (error) {
      if (!(error instanceof PlexRefusal && error.status === 404)) throw error;
      // The library was removed since it was read: read them again at the next try.
      libraries = undefined;
      throw new Error(`Plex no longer has section ${found.library.key} (${found.library.title}); looking again`);
    }
  }

  return {
    id,
    type: 'plex',
    scansMapping: (container) => mappingOf(container) !== undefined,
    async scan(request: ScanRequest): Promise<void> {
      const mapping = mappingOf(request.mapping);
      if (!mapping) throw new PermanentError(`mapping ${request.mapping} is no longer configured`);
      const folder = mapPath(scanFolder(request), pathMap);
      const section = sectionOf(mapping);
      if (section !== undefined) await scanNamedSection(mapping, section, folder);
      else await scanFoundSection(mapping, folder);
    },
    scanPlexSection: ({ section, folder }) => refresh(section, folder),
    problems: () => [...problems.values()],
  };
}

/** Refusals of a refresh that mean our configuration is wrong; retrying the same request cannot help. */
function refreshHint(status: number, names: PlexSettingNames): string | undefined {
  switch (status) {
    case 401:
      return `check ${names.token}`;
    case 403:
      return `the token may not manage this server; check ${names.token}`;
    case 404:
      return 'no such library section; check the Plex section id of the mapping';
    default:
      return undefined;
  }
}

function sectionsHint(status: number, names: PlexSettingNames): string | undefined {
  switch (status) {
    case 401:
      return `check ${names.token}`;
    case 403:
      return `the token may not manage this server; check ${names.token}`;
    case 404:
      return `check ${names.url}: it must be the Plex server itself (port 32400)`;
    default:
      return undefined;
  }
}
