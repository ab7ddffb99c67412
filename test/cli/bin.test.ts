// The `sync-webhook` command as the image and a shell run it: dist/cli.js started through its own
// shebang (so it must be built and executable). Without a command, and with `serve`, it is the
// service; the other commands' exit codes reach the shell, and their output is complete when they exit.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, tempDir, trackChild } from '../support/cleanup.js';
import { request } from '../support/http-client.js';
import { freePort } from '../support/launch.js';
import { CLI_JS } from '../support/repo-paths.js';
import { layoutOf, type ServiceLayout, testDefaultEnv, writeConfig } from '../support/service-layout.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: Record<string, string>) {
  const child = spawn(CLI_JS, args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const exited = new Promise<Exit>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

const run = (args: string[], env: Record<string, string>) => start(args, env).exited;

async function serviceFolder(): Promise<{ layout: ServiceLayout; env: Record<string, string> }> {
  const layout = layoutOf(await tempDir('sync-webhook-bin-'));
  await writeConfig(layout, {});
  return { layout, env: { ...testDefaultEnv(layout), SYNC_PORT: String(await freePort()) } };
}

describe('dist/cli.js as a process', () => {
  it.each([[[]], [['serve']]])('%j runs the service until SIGTERM; jobs talks to it', async (args) => {
    const { env } = await serviceFolder();
    const service = start(args, env);
    const url = `http://127.0.0.1:${env.SYNC_PORT}`;
    // Its own line first: a /ping alone could be another test's service that took the same free port.
    await waitFor(() => service.output().stdout.includes(`listening on 127.0.0.1:${env.SYNC_PORT}`), {
      what: 'the service listening',
    });
    await waitFor(async () => (await request(url, '/ping')).status === 200, { what: 'GET /ping answered' });

    const jobs = await run(['jobs'], env);
    expect(jobs, `the service's output so far: ${JSON.stringify(service.output())}`).toEqual({
      code: 0,
      stdout: 'No jobs yet.\n',
      stderr: '',
    });

    service.child.kill('SIGTERM');
    const stopped = await service.exited;
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toMatch(/Sync webhook listening on 127\.0\.0\.1:\d+[\s\S]*SIGTERM received/);
  });

  it('exit codes reach the shell: 2 usage, 3 no service, 1 a problem doctor found, its report complete', async () => {
    const { layout, env } = await serviceFolder();
    const usage = await run(['retry', 'abc'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^sync-webhook retry: the job id must be a whole number, got "abc"\n/);

    const unreachable = await run(['summary'], env);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(
      /cannot reach the service at http:\/\/127\.0\.0\.1:\d+ \(from SYNC_HOST\/SYNC_PORT\)/,
    );

    await rm(layout.tvSrc, { recursive: true });
    const doctor = await run(['doctor'], env);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/^sync-webhook \S+ doctor, as uid \d+\n/);
    expect(doctor.stdout).toMatch(/\n {2}problem {2}\/tv source +source \S+ does not exist\n/);
    expect(doctor.stdout).toMatch(/\n1 problem: fix it, then run "sync-webhook doctor" again\.\n$/);
  });
});
