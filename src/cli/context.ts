// Everything a command touches outside itself, passed in: src/cli.ts gives the process's own, tests
// give captured output and a service on a test port.
import type { Env } from '../config/env.js';
import type { Config, FindProgram } from '../config/load.js';
import type { ReadFile } from '../config/mappings-file.js';

export interface Output {
  write(text: string): void;
  /** A terminal: colours and the terminal's width apply. */
  isTTY: boolean;
  /** The terminal's width in characters, when known. */
  columns?: number;
}

export interface CliAdapters {
  /** The environment the service reads, and SYNC_URL. */
  env: Env;
  stdout: Output;
  stderr: Output;
  /** To the service, and doctor's read-only calls to Telegram and Plex. */
  fetch: typeof fetch;
  readFile: ReadFile;
  /** Where a program of the PATH is: a notification URL whose scheme is not built in needs the apprise command. */
  findProgram: FindProgram;
  /** Starts the service in this process (main.ts). */
  serve: () => Promise<unknown>;
  /** This build's version (package.json). */
  version: string;
  /** Who runs the command, for doctor's fixes ("… writable for uid 1000"). */
  uid: number | undefined;
  /** The rsync program doctor looks at; the service runs the same name. */
  rsyncBinary: string;
  /** Waits between two looks at a running catch-up pass. */
  sleep: (ms: number) => Promise<void>;
}

/** What a command gets: the adapters, with output that masks every configured secret. */
export interface CliContext extends CliAdapters {
  /** The service's configuration, read as the service reads it; throws its ConfigError. */
  config(): Config;
}
