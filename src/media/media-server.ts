// The one interface every media server implements; the dispatcher only knows this.

/** What to rescan: a library section and a folder inside it, both as the media server knows them. */
export interface ScanTarget {
  section: string;
  folder: string;
}

export interface MediaServer {
  readonly name: string;
  /**
   * Asks the server to rescan one folder. Resolves once the request was accepted (the scan itself
   * runs later on the server). Throws PermanentError for configuration faults that retrying cannot
   * fix (bad token, unknown section), and any other Error for a failure that may heal.
   */
  scan(target: ScanTarget): Promise<void>;
}
