// The read-only look of `sync-webhook doctor` at Plex: GET /library/sections with the token proves the
// token (GET /identity would not: it answers without one) and lists the library sections, so a
// mapping's section id can be checked without scanning anything. Plex Media Server API
// (developer.plex.tv/pms, Library: "Get library sections"): X-Plex-Token header, JSON with
// Accept: application/json, {"MediaContainer": {"Directory": [{"key": "1", "title": "Movies"}, …]}}.

import { z } from 'zod';
import { describeFetchFailure } from '../core/fetch-failure.js';
import type { Finding } from '../core/finding.js';
import { redactor } from '../core/redact.js';

export interface PlexCheckOptions {
  baseUrl: string;
  token: string;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Each mapping's section, and the setting that names it (for the fix of a wrong one). */
  mappings: { container: string; section: string | undefined; setting: string }[];
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
        subject: 'plex',
        detail: redact(`cannot reach ${base}: ${describeFetchFailure(error, o.timeoutMs)}`),
        fix: 'check PLEX_URL, and that Plex runs and this container can reach it',
      },
    ];
  }
  if (!res.ok) {
    return [
      {
        level: 'problem',
        subject: 'plex',
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
        subject: 'plex',
        detail: redact(`${base}/library/sections did not answer with Plex's library sections`),
        fix: 'check PLEX_URL: it must be the Plex server itself (port 32400), not a proxy page',
      },
    ];
  }
  const sections = new Map(
    (parsed.data.MediaContainer.Directory ?? []).map((d) => [String(d.key), d.title ?? 'untitled']),
  );
  const listed = [...sections].map(([key, title]) => `${key} (${title})`).join(', ') || 'none';
  const findings: Finding[] = [{ level: 'ok', subject: 'plex', detail: `token accepted; library sections: ${listed}` }];
  for (const m of o.mappings) {
    if (m.section === undefined) {
      findings.push({ level: 'note', subject: `plex ${m.container}`, detail: 'no section: copies are not scanned' });
    } else if (sections.has(m.section)) {
      findings.push({
        level: 'ok',
        subject: `plex ${m.container}`,
        detail: `section ${m.section} (${sections.get(m.section)})`,
      });
    } else {
      findings.push({
        level: 'problem',
        subject: `plex ${m.container}`,
        detail: `Plex has no library section ${m.section}`,
        fix: `set ${m.setting} to one of: ${listed}`,
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
