// The read-only look of `sync-webhook doctor` at Plex: GET /library/sections with the token proves the
// token (GET /identity would not: it answers without one) and lists the library sections, so a
// mapping's section id can be checked without scanning anything. Plex Media Server API
// (developer.plex.tv/pms, Library: "Get library sections"): X-Plex-Token header, JSON with
// Accept: application/json, {"MediaContainer": {"Directory": [{"key": "1", "title": "Movies"}, …]}}.

import { z } from 'zod';
import type { Mapping } from '../core/types.js';
import { describeFetchFailure } from '../core/fetch-failure.js';
import type { Finding } from '../core/finding.js';
import { redactor } from '../core/redact.js';

export interface PlexCheckOptions {
  /** The server's id (plex://host:port, or its name): the subject of each finding. */
  id: string;
  baseUrl: string;
  token: string;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Each mapping's library section (plex_section, PLEX_SECTION_*). */
  mappings: readonly Mapping[];
}

const sectionsReply = z.object({
  MediaContainer: z.object({
    Directory: z.array(z.object({ key: z.union([z.string(), z.number()]), title: z.string().optional() })).optional(),
  }),
});

const PERMANENT_FIXES: Record<number, string> = {
  401: 'check PLEX_TOKEN',
  403: 'check PLEX_TOKEN: it must belong to an account that manages this server',
};

export async function checkPlex(o: PlexCheckOptions): Promise<Finding[]> {
  const base = o.baseUrl.replace(/\/+$/, '');
  // The token travels in a header; this covers a token pasted into PLEX_URL.
  const redact = redactor([o.token]);
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
    return [
      {
        level: 'problem',
        subject: o.id,
        detail: redact(`cannot reach ${base}: ${describeFetchFailure(error, o.timeoutMs)}`),
        fix: 'check PLEX_URL, and that Plex runs and this container can reach it',
      },
    ];
  }
  if (!res.ok) {
    return [
      {
        level: 'problem',
        subject: o.id,
        detail: redact(`GET ${base}/library/sections answered HTTP ${res.status} ${res.statusText}`.trim()),
        fix: PERMANENT_FIXES[res.status] ?? 'check PLEX_URL: it must be the Plex server itself (port 32400)',
      },
    ];
  }
  const parsed = sectionsReply.safeParse(parseJson(text));
  if (!parsed.success) {
    return [
      {
        level: 'problem',
        subject: o.id,
        detail: redact(`${base}/library/sections did not answer with Plex's library sections`),
        fix: 'check PLEX_URL: it must be the Plex server itself (port 32400), not a proxy page',
      },
    ];
  }
  const sections = new Map(
    (parsed.data.MediaContainer.Directory ?? []).map((d) => [String(d.key), d.title ?? 'untitled']),
  );
  const listed = [...sections].map(([key, title]) => `${key} (${title})`).join(', ') || 'none';
  const findings: Finding[] = [{ level: 'ok', subject: o.id, detail: `token accepted; library sections: ${listed}` }];
  for (const { container, plexSection: section } of o.mappings) {
    const subject = `${o.id} ${container}`;
    if (section === undefined) {
      findings.push({ level: 'note', subject, detail: 'no plex_section: its copies are not scanned' });
    } else if (sections.has(section)) {
      findings.push({ level: 'ok', subject, detail: `section ${section} (${sections.get(section)})` });
    } else {
      findings.push({
        level: 'problem',
        subject,
        detail: `Plex has no library section ${section}`,
        fix: `set plex_section of mapping ${container} (or its PLEX_SECTION_* variable) to one of: ${listed}`,
      });
    }
  }
  return findings;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
