// The read-only look of `sync-webhook doctor` at Jellyfin or Emby: GET /System/Info with the API key.
// It needs the key (unlike /System/Info/Public), so an answer proves the key, and it names the server
// and its version. Jellyfin 12.0: SystemController.GetSystemInfo, [Authorize] (401 without a key, 403
// for a user without the right); Emby 4.8.11.0 (openapi_v3.json): getSystemInfo, "Requires
// authentication as user". Both answer SystemInfo JSON with ServerName and Version.

import { z } from 'zod';
import { describeFetchFailure } from '../core/fetch-failure.js';
import type { Finding } from '../core/finding.js';
import { redactor } from '../core/redact.js';
import { type ApiKeySettingNames, apiKeyHeaders, defaultSettingNames, type MediaBrowserKind } from './jellyfin-emby.js';

export interface MediaBrowserCheckOptions {
  kind: MediaBrowserKind;
  /** The server's id: the subject of the finding. */
  id: string;
  baseUrl: string;
  apiKey: string;
  settingNames?: ApiKeySettingNames;
  fetch: typeof fetch;
  timeoutMs: number;
}

const systemInfo = z.object({ ServerName: z.string().optional(), Version: z.string() });

const SERVICE: Record<MediaBrowserKind, string> = { jellyfin: 'Jellyfin', emby: 'Emby' };

export async function checkMediaBrowser(o: MediaBrowserCheckOptions): Promise<Finding[]> {
  const service = SERVICE[o.kind];
  const names = o.settingNames ?? defaultSettingNames(o.kind);
  const base = o.baseUrl.replace(/\/+$/, '');
  // The key travels in a header; this covers a key pasted into the URL.
  const redact = redactor([o.apiKey]);
  const problem = (detail: string, fix: string): Finding[] => [
    { level: 'problem', subject: o.id, detail: redact(detail), fix },
  ];
  let res: Response;
  let text: string;
  try {
    res = await o.fetch(`${base}/System/Info`, {
      method: 'GET',
      headers: { ...apiKeyHeaders(o.kind, o.apiKey), Accept: 'application/json' },
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    text = await res.text();
  } catch (error) {
    return problem(
      `cannot reach ${base}: ${describeFetchFailure(error, o.timeoutMs)}`,
      `check ${names.url}, and that ${service} runs and this container can reach it`,
    );
  }
  const itself = `check ${names.url}: it must be ${service} itself (port 8096, with its base URL if one is set)`;
  if (!res.ok) {
    const fixes: Record<number, string> = {
      401: `check ${names.apiKey}: an API key made in ${service}'s dashboard`,
      403: `check ${names.apiKey}: an API key from ${service}'s dashboard, not a user's token`,
    };
    const detail = `GET ${base}/System/Info answered HTTP ${res.status} ${res.statusText}`.trim();
    return problem(detail, fixes[res.status] ?? itself);
  }
  const info = systemInfo.safeParse(parseJson(text));
  if (!info.success) return problem(`${base}/System/Info did not answer with ${service}'s system information`, itself);
  const name = info.data.ServerName ? ` "${info.data.ServerName}"` : '';
  return [{ level: 'ok', subject: o.id, detail: redact(`API key accepted; ${service} ${info.data.Version}${name}`) }];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
