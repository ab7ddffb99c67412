// The read-only look of `sync-webhook doctor` at Plex: GET /library/sections with the token proves the
// token (GET /identity would not: it answers without one) and lists the library sections with their
// folders, so each mapping's section can be checked without scanning anything: a named section must
// exist, and a mapping without one must have its destination (as Plex sees it) in or around a library
// folder, where the scans find their section. Plex Media Server API (developer.plex.tv/pms, Library:
// "Get library sections"): X-Plex-Token header; the answer's shapes are in plex-sections.ts.

import { isInside } from '../core/paths.js';
import type { Mapping } from '../core/types.js';
import { describeFetchFailure } from '../core/fetch-failure.js';
import type { Finding } from '../core/finding.js';
import { redactor } from '../core/redact.js';
import { mapPath, type PathMapEntry } from './path-map.js';
import type { PlexSettingNames } from './plex.js';
import { describeLibraries, libraryContaining, type PlexLibrary, readPlexLibraries } from './plex-sections.js';

export interface PlexCheckOptions {
  /** The server's id (plex://host:port, or its name): the subject of each finding. */
  id: string;
  baseUrl: string;
  token: string;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Each mapping's library section (plex_section, PLEX_SECTION_*) and plex_path. */
  mappings: readonly Mapping[];
  /** The server's own `sections:`, which replace the mappings' plex_section. */
  sections?: Readonly<Record<string, string>>;
  pathMap?: readonly PathMapEntry[];
  /** Default: PLEX_URL, PLEX_TOKEN. */
  settingNames?: PlexSettingNames;
}

export async function checkPlex(o: PlexCheckOptions): Promise<Finding[]> {
  const names = o.settingNames ?? { url: 'PLEX_URL', token: 'PLEX_TOKEN' };
  const base = o.baseUrl.replace(/\/+$/, '');
  // The token travels in a header; this covers a token pasted into the URL.
  const redact = redactor([o.token]);
  const problem = (detail: string, fix: string): Finding[] => [
    { level: 'problem', subject: o.id, detail: redact(detail), fix },
  ];
  let res: Response;
  let text: string;
  try {
    res = await o.fetch(`${base}/library/sections`, {
      method: 'GET',
      headers: { 'X-Plex-Token': o.token, Accept: 'application/json' },
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    text = await res.text();
  } catch (error) {
    return problem(
      `cannot reach ${base}: ${describeFetchFailure(error, o.timeoutMs)}`,
      `check ${names.url}, and that Plex runs and this container can reach it`,
    );
  }
  if (!res.ok) {
    const fixes: Record<number, string> = {
      401: `check ${names.token}`,
      403: `check ${names.token}: it must belong to an account that manages this server`,
    };
    const detail = `GET ${base}/library/sections answered HTTP ${res.status} ${res.statusText}`.trim();
    return problem(detail, fixes[res.status] ?? `check ${names.url}: it must be the Plex server itself (port 32400)`);
  }
  const libraries = readPlexLibraries(text);
  if (!libraries) {
    return problem(
      `${base}/library/sections did not answer with Plex's library sections`,
      `check ${names.url}: it must be the Plex server itself (port 32400), not a proxy page`,
    );
  }
  const listed = describeLibraries(libraries);
  const pathMap = [
    ...(o.pathMap ?? []),
    ...o.mappings
      .filter((m) => m.plexPath !== m.destination.path)
      .map((m) => ({ from: m.destination.path, to: m.plexPath })),
  ];
  const findings: Finding[] = [{ level: 'ok', subject: o.id, detail: `token accepted; library sections: ${listed}` }];
  for (const mapping of o.mappings) {
    const subject = `${o.id} ${mapping.container}`;
    const setting = names.sections
      ? `${names.sections} for ${mapping.container}`
      : `plex_section of mapping ${mapping.container} (or its PLEX_SECTION_* variable)`;
    const section = o.sections ? o.sections[mapping.container] : mapping.plexSection;
    if (section === undefined) {
      findings.push(foundByFolder(subject, setting, mapPath(mapping.destination.path, pathMap), libraries));
      continue;
    }
    const library = libraries.find((l) => l.key === section);
    if (library) {
      findings.push({ level: 'ok', subject, detail: `section ${section} (${library.title})` });
      continue;
    }
    findings.push({
      level: 'problem',
      subject,
      detail: `Plex has no library section ${section}`,
      fix: `set ${setting} to one of: ${listed}`,
    });
  }
  return findings;
}

/**
 * A mapping without a section: its scans find one when its destination, as Plex sees it, lies in a
 * library folder or holds library folders (one library per kind under a shared root).
 */
function foundByFolder(subject: string, setting: string, root: string, libraries: PlexLibrary[]): Finding {
  const around = libraryContaining(root, libraries);
  if (around) {
    return {
      level: 'ok',
      subject,
      detail: `no section named: found by folder, section ${around.library.key} (${around.library.title})`,
    };
  }
  const below = libraries.filter((l) => l.locations.some((location) => isInside(location, root)));
  if (below.length > 0) {
    return { level: 'ok', subject, detail: `no section named: found by folder, among ${describeLibraries(below)}` };
  }
  return {
    level: 'problem',
    subject,
    detail: `no section named, and no Plex library holds ${root} (the destination as Plex sees it)`,
    fix: `add the folder to a library in Plex, map the path with path_map or plex_path, or set ${setting}`,
  };
}
