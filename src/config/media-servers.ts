// The media servers asked to scan after a copy: the environment's shortcuts (PLEX_*, JELLYFIN_*,
// EMBY_*) and the `media_servers:` entries of the SYNC_CONFIG file, each with where it was configured.
// Their ids must differ from each other and from the notification targets' (they share the outbox).

import type { Mapping } from '../core/types.js';
import { type MediaServerSpec, mediaServerId, type PlexSpec } from '../media/registry.js';
import type { Environment } from './env.js';
import type { MediaServerEntry } from './mappings-file.js';
import { ConfigError } from './schema.js';

/** A media server as configured, and where: "PLEX_URL", "SYNC_CONFIG: /config.yml: key media_servers.0". */
export interface ConfiguredMediaServer {
  spec: MediaServerSpec;
  from: string;
}

/** PLEX_URL/PLEX_TOKEN (both, as before), JELLYFIN_URL/JELLYFIN_API_KEY, EMBY_URL/EMBY_API_KEY. */
export function envMediaServers(e: Environment): ConfiguredMediaServer[] {
  const servers: ConfiguredMediaServer[] = [];
  if (e.PLEX_URL && e.PLEX_TOKEN) {
    servers.push({ spec: { type: 'plex', url: e.PLEX_URL, token: e.PLEX_TOKEN }, from: 'PLEX_URL' });
  }
  if (e.JELLYFIN_URL && e.JELLYFIN_API_KEY) {
    servers.push({ spec: { type: 'jellyfin', url: e.JELLYFIN_URL, apiKey: e.JELLYFIN_API_KEY }, from: 'JELLYFIN_URL' });
  }
  if (e.EMBY_URL && e.EMBY_API_KEY) {
    servers.push({ spec: { type: 'emby', url: e.EMBY_URL, apiKey: e.EMBY_API_KEY }, from: 'EMBY_URL' });
  }
  return servers;
}

/** The `media_servers:` entries; `where` is "SYNC_CONFIG: <path>". A section of an unknown mapping stops the start. */
export function fileMediaServers(
  entries: readonly MediaServerEntry[],
  mappings: readonly Mapping[],
  where: string,
): ConfiguredMediaServer[] {
  return entries.map((entry, i) => {
    const key = `media_servers.${i}`;
    // How a message that asks to fix a setting names it.
    const setting = (name: string) => `${key}.${name} (SYNC_CONFIG)`;
    const credential = setting(entry.token !== undefined ? 'token' : 'api_key');
    const secret = entry.token ?? entry.api_key ?? '';
    const common = {
      url: entry.url,
      ...(entry.name !== undefined ? { name: entry.name } : {}),
      ...(entry.path_map !== undefined ? { pathMap: entry.path_map } : {}),
    };
    const from = `${where}: key ${key}`;
    if (entry.type !== 'plex') {
      const settingNames = { url: setting('url'), apiKey: credential };
      return { spec: { type: entry.type, apiKey: secret, settingNames, ...common }, from };
    }
    const spec: PlexSpec = {
      type: 'plex',
      token: secret,
      settingNames: { url: setting('url'), token: credential },
      ...common,
    };
    if (entry.sections) {
      spec.settingNames = { url: setting('url'), token: credential, sections: setting('sections') };
      const sections: Record<string, string> = {};
      for (const [container, section] of Object.entries(entry.sections)) {
        if (!mappings.some((m) => m.container === container)) {
          throw new ConfigError(`${where}: key ${key}.sections.${container}: no mapping has this container`);
        }
        sections[container] = String(section);
      }
      spec.sections = sections;
    }
    return { spec, from };
  });
}

/** Each media server's id once, and none that a notification target has. */
export function checkMediaServerIds(servers: readonly ConfiguredMediaServer[], notifyIds: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const { spec, from } of servers) {
    const id = mediaServerId(spec);
    const other = seen.get(id) ?? (notifyIds.includes(id) ? 'a notification target' : undefined);
    if (other !== undefined) {
      throw new ConfigError(`${from}: the media server id ${id} is also that of ${other}; give one a name`);
    }
    seen.set(id, from);
  }
}
