#!/usr/bin/env node
// The `sync-webhook` command (package.json "bin"): `serve`, the default, runs the service as main.ts
// does; the other commands check the setup or talk to the running service (docs/cli.md).
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from './cli/run-cli.js';
import { packageVersion } from './service/system-adapters.js';
import { findProgram } from './system/find-program.js';

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: terminal(process.stdout),
  stderr: terminal(process.stderr),
  fetch: globalThis.fetch,
  readFile: (path) => readFileSync(path, 'utf8'),
  findProgram: (name) => findProgram(name, process.env.PATH),
  serve: () => import('./main.js'),
  version: packageVersion(),
  uid: process.getuid?.(),
  rsyncBinary: 'rsync',
  sleep: (ms) => sleep(ms),
});
// Exit once the output is written: a share probe stuck on a hung mount must not keep doctor alive.
if (code !== 'serving') process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));

function terminal(stream: NodeJS.WriteStream) {
  return {
    isTTY: stream.isTTY === true,
    ...(stream.columns ? { columns: stream.columns } : {}),
    write: (text: string) => void stream.write(text),
  };
}
