// The one interface every media server implements; the dispatcher only knows this.

import type { PlexSectionScan, ScanRequest } from '../core/notify-event.js';

export interface MediaServer {
  /** Stable id: the `name` given in the configuration, or type://host[:port][/path] without credentials. */
  readonly id: string;
  /** "plex", "jellyfin", "emby": the registry's key (media/registry.ts). */
  readonly type: string;
  /** Whether it scans folders of this mapping (every configured mapping: each server finds its library). */
  scansMapping(mapping: string): boolean;
  /**
   * Asks the server to rescan one folder, mapped to its own namespace. Resolves once the request was
   * accepted (the scan itself runs later on the server). Throws PermanentError for configuration faults
   * that retrying cannot fix (bad token, unknown section), and any other Error for a failure that may heal.
   * Every message it throws is free of secrets.
   */
  scan(request: ScanRequest): Promise<void>;
  /** Plex only: a scan queued before migration 005, section and folder already as Plex knows them. */
  scanPlexSection?(scan: PlexSectionScan): Promise<void>;
  /**
   * What is wrong with its configuration as far as the server's answers showed (Plex: a section id it does
   * not have, a folder in none of its libraries), for /health; each was logged as a warning when found.
   */
  problems?(): string[];
}
