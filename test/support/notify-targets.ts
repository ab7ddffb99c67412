/**
 * Notification targets built from their URLs the way the configuration builds them (the registry's
 * parsers), for the tests of each service: a notifier pointed at a fake server, the ids and secrets a URL
 * gives, the masked error a malformed URL gives, and a check that an error holds no secret.
 *
 *   const n = notifierFor(`ntfy://127.0.0.1:${server.port}/alerts`);
 *   expect(refusalOf('ntfy://')).toMatch(/names no topic/);
 */

import { inspect } from 'node:util';
import { expect } from 'vitest';
import type { NotifyPriority } from '../../src/core/notify-event.js';
import type { Notifier } from '../../src/notify/notifier.js';
import { parseNotifyTargets } from '../../src/notify/registry.js';
import { TargetUrlError } from '../../src/notify/target-url.js';

export interface TargetOptions {
  env?: Record<string, string>;
  priority?: NotifyPriority;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The targets of one URL: ids, schemes and secrets. */
export function targetsOf(url: string, o: TargetOptions = {}) {
  return parseNotifyTargets([{ url, from: 'SYNC_NOTIFY_URLS (URL 1 of 1)', priority: o.priority }], (name) =>
    o.env?.[name]?.replace(/\/+$/, ''),
  );
}

/** The notifier of a URL that names one target. */
export function notifierFor(url: string, o: TargetOptions = {}): Notifier {
  const targets = targetsOf(url, o);
  expect(targets).toHaveLength(1);
  const [target] = targets;
  if (!target) throw new Error('no target');
  return target.create({
    fetch: o.fetch ?? globalThis.fetch,
    timeoutMs: o.timeoutMs ?? 5_000,
    runProgram: () => Promise.reject(new Error('a built-in service runs no program')),
  });
}

/** The configuration error a URL gives (it must give one). */
export function refusalOf(url: string, o: TargetOptions = {}): string {
  try {
    targetsOf(url, o);
  } catch (error) {
    expect(error).toBeInstanceOf(TargetUrlError);
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error(`the URL was accepted: ${url}`);
}

/** The error a promise rejects with (it must reject). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`rejected with a non-Error: ${String(err)}`);
  }
  throw new Error('expected the promise to reject');
}

/** Neither the message, nor the stack, nor anything a logger would serialize holds a secret. */
export function expectNoSecret(err: Error, secrets: readonly string[]): void {
  const everything = `${err.message}\n${String(err.stack)}\n${inspect(err, { depth: 10 })}`;
  for (const secret of secrets) {
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(encodeURIComponent(secret));
  }
}

/** A fetch whose errors quote the URL and headers it was given, as some implementations' do. */
export const echoingFetch: typeof fetch = async (url, init) => {
  const headers = JSON.stringify(init?.headers ?? {});
  throw new TypeError(`request to ${String(url)} failed`, { cause: new Error(`POST ${String(url)} ${headers}`) });
};
