import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runChild, type RunChildOptions } from './run-child.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'run-child-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const graceful: RunChildOptions = { timeoutMs: 20_000, stop: { sigtermGraceMs: 5_000 } };
const sh = (script: string, options: Partial<RunChildOptions> = {}, ...args: string[]) =>
  runChild('/bin/sh', ['-c', script, 'test', ...args], { ...graceful, ...options });

/**
 * Processes of the group that still run. Zombies do not count: killed children are reparented to
 * PID 1, and whether it reaps them is up to the init system, not to runChild.
 */
/** A SIGKILLed process leaves /proc a moment after its parent returns (sooner on an idle machine). */
async function expectGroupGone(pgid: number): Promise<void> {
  await vi.waitFor(() => expect(liveGroupMembers(pgid)).toEqual([]), { timeout: 2000, interval: 10 });
}

function liveGroupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        // Fields after "(comm)": state, ppid, pgrp.
        const [state, , pgrp] = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
        return state !== 'Z' && Number(pgrp) === pgid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Alive and not a zombie (a killed child of this process stays one until Node reaps it). */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)?.split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Kills the process whose pid a script wrote to `file` (a leftover the test made on purpose). */
async function killListed(file: string): Promise<void> {
  const pid = Number(await readFile(file, 'utf8').catch(() => ''));
  if (pid > 0) process.kill(pid, 'SIGKILL');
}

describe('runChild', () => {
  it('reports the exit code and what the child printed, each stream on its own', async () => {
    const run = await sh('echo out; echo err >&2; exit 3');

    expect(run).toMatchObject({
      exitCode: 3,
      signal: null,
      stdout: 'out\n',
      stderr: 'err\n',
      timedOut: false,
      aborted: false,
    });
    expect(run.spawnError).toBeUndefined();
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('passes arguments without a shell, so quotes, $( ) and globs stay literal', async () => {
    const run = await sh('printf "%s\\n" "$@"', {}, '$(id)', '*', `-"x" y`);

    expect(run).toMatchObject({ exitCode: 0, stdout: `$(id)\n*\n-"x" y\n` });
  });

  it('adds `env` to the environment the child inherits, and shows none of it on the command line', async () => {
    const run = await sh('echo "$SECRET_FOR_CHILD $PATH"; tr "\\0" " " < /proc/$$/cmdline', {
      env: { SECRET_FOR_CHILD: 's3cret-value' },
    });

    expect(run.exitCode).toBe(0);
    const [variables, commandLine] = run.stdout.split('\n');
    expect(variables).toBe(`s3cret-value ${process.env.PATH}`);
    expect(commandLine).toContain('/bin/sh -c');
    expect(commandLine).not.toContain('s3cret-value');
    expect(process.env.SECRET_FOR_CHILD).toBeUndefined();
  });

  it('gives onSpawn the pid, which leads a process group of its own', async () => {
    let spawnedPid = 0;
    // Field 5 of /proc/PID/stat is the process group; "sh" has no space in its name.
    const run = await sh('cut -d" " -f5 /proc/$$/stat', { onSpawn: (pid) => (spawnedPid = pid) });

    expect(spawnedPid).toBeGreaterThan(0);
    expect(run.stdout).toBe(`${spawnedPid}\n`);
  });

  it("with session 'shared', leaves the child in this process's session and scheduling autogroup", async () => {
    // After the name in /proc/PID/stat: state, parent, process group, session. autogroup: where the kernel has them.
    const where = (pid: number | string) =>
      `$(sed 's/.*) //' /proc/${pid}/stat | cut -d" " -f3,4) $(cut -d" " -f1 /proc/${pid}/autogroup 2>/dev/null)`;
    const ours = await sh(`echo "${where(process.pid)}"`);
    const shared = await sh(`echo "${where('$$')}"`, { session: 'shared' });
    const own = await sh(`echo "${where('$$')}"`);

    expect(ours.stdout).toMatch(/^\d+ \d+ /);
    expect(shared.stdout).toBe(ours.stdout);
    const [ownGroup, ownSession] = own.stdout.split(' ');
    const [ourGroup, ourSession] = ours.stdout.split(' ');
    expect([ownGroup, ownSession]).not.toContain(ourGroup);
    expect(ownSession).not.toBe(ourSession);
  });

  it("with session 'shared', stops the child itself at the time limit", async () => {
    let spawnedPid = 0;
    const run = await sh('exec sleep 30', {
      session: 'shared',
      timeoutMs: 300,
      stop: 'sigkill-and-leave',
      onSpawn: (pid) => (spawnedPid = pid),
    });

    expect(run).toMatchObject({ timedOut: true, exitCode: null });
    await vi.waitFor(() => expect(isRunning(spawnedPid)).toBe(false), { timeout: 2000, interval: 10 });
  });

  it('keeps only the tail of long output, cut at a line start', async () => {
    const line = 'x'.repeat(99);
    const script = `i=0; while [ $i -lt 2000 ]; do echo "$i ${line}"; echo "$i ${line}" >&2; i=$((i+1)); done`;

    const run = await sh(script, { stdoutLimit: 4096, stderrLimit: 1024 });

    expect(Buffer.byteLength(run.stdout)).toBeLessThanOrEqual(4096);
    expect(run.stdout.length).toBeGreaterThan(3500);
    expect(run.stdout.split('\n')[0]).toMatch(new RegExp(`^\\d+ ${line}$`));
    expect(run.stdout.endsWith(`1999 ${line}\n`)).toBe(true);
    expect(Buffer.byteLength(run.stderr)).toBeLessThanOrEqual(1024);
    expect(run.stderr.split('\n')[0]).toMatch(new RegExp(`^\\d+ ${line}$`));
    expect(run.stderr.endsWith(`1999 ${line}\n`)).toBe(true);
  });

  it('streams raw stdout chunks, and keeps only what the filter keeps', async () => {
    const chunks: Buffer[] = [];
    const run = await sh('echo keep; echo "# drop"; sleep 0.1; printf "last, no line end"', {
      onStdout: (chunk) => chunks.push(chunk),
      stdoutFilter: {
        push: (chunk) => Buffer.from(chunk.toString().replace(/^# .*\n/gm, '')),
        end: () => Buffer.from('|end'),
      },
    });

    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(Buffer.concat(chunks).toString()).toBe('keep\n# drop\nlast, no line end');
    expect(run.stdout).toBe('keep\nlast, no line end|end');
  });

  it('lets the caller answer what the child printed on stdin', async () => {
    const script = 'echo "$1"; IFS= read -r reply; echo "got $reply"';
    const run = await sh(
      script,
      {
        stdin: 'pipe',
        onStdout: (chunk, stdin) => {
          if (chunk.toString().startsWith('/some path')) stdin?.end('write\n');
        },
      },
      '/some path',
    );

    expect(run).toMatchObject({ exitCode: 0, stdout: '/some path\ngot write\n' });
  });

  it('takes no harm when the child exits without reading its stdin', async () => {
    const run = await sh('echo asked; exit 12', {
      stdin: 'pipe',
      onStdout: (_chunk, stdin) => setTimeout(() => stdin?.end('x'.repeat(1024 * 1024)), 50),
    });

    expect(run).toMatchObject({ exitCode: 12, stdout: 'asked\n' });
    // The write lands on a closed pipe after the run: an unhandled EPIPE would fail the test by then.
    await new Promise((resolve) => setTimeout(resolve, 100));
  });

  it('stops the whole group at the time limit, children of the child included', async () => {
    let pid = 0;
    const run = await sh('sleep 30 & sleep 30 & wait', {
      timeoutMs: 300,
      stop: { sigtermGraceMs: 2_000 },
      onSpawn: (p) => (pid = p),
    });

    expect(run).toMatchObject({ timedOut: true, aborted: false, exitCode: null, signal: 'SIGTERM' });
    expect(run.durationMs).toBeGreaterThanOrEqual(290);
    expect(run.durationMs).toBeLessThan(2_000);
    await expectGroupGone(pid);
  });

  it('follows up with SIGKILL when SIGTERM is ignored', async () => {
    let pid = 0;
    // The ignored TERM is inherited by sleep, so the whole group ignores it.
    const run = await sh(`trap '' TERM; sleep 30`, {
      timeoutMs: 200,
      stop: { sigtermGraceMs: 500 },
      onSpawn: (p) => (pid = p),
    });

    expect(run).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(run.durationMs).toBeGreaterThanOrEqual(690);
    expect(run.durationMs).toBeLessThan(2_500);
    await expectGroupGone(pid);
  });

  it('stops on abort (service shutdown)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    let pid = 0;

    const run = await sh('sleep 30 & wait', {
      timeoutMs: 60_000,
      signal: controller.signal,
      onSpawn: (p) => (pid = p),
    });

    expect(run).toMatchObject({ aborted: true, timedOut: false, signal: 'SIGTERM' });
    expect(run.durationMs).toBeGreaterThanOrEqual(190);
    expect(run.durationMs).toBeLessThan(3_000);
    await expectGroupGone(pid);
  });

  it('does not start at all when already aborted', async () => {
    let spawned = false;
    let gone = false;
    const marker = join(dir, 'ran');

    const run = await sh(
      'touch "$1"',
      {
        signal: AbortSignal.abort(),
        onSpawn: () => (spawned = true),
        onGone: () => (gone = true),
      },
      marker,
    );

    expect(run).toMatchObject({ aborted: true, timedOut: false, exitCode: null, durationMs: 0 });
    expect(spawned).toBe(false);
    expect(gone).toBe(true);
    await expect(stat(marker)).rejects.toThrow();
  });

  it('reports a program that cannot be started instead of rejecting', async () => {
    let gone = false;
    const run = await runChild(join(dir, 'no-such-program'), ['--version'], {
      ...graceful,
      onGone: () => (gone = true),
    });

    expect(run.spawnError).toMatchObject({ code: 'ENOENT' });
    expect(run).toMatchObject({ exitCode: null, signal: null, timedOut: false, aborted: false });
    await expect.poll(() => gone).toBe(true);
  });

  // Stands in for a process stuck in uninterruptible NFS I/O: it survives the kill and holds our pipes.
  it('returns after the pipe drain time when a leftover of the child keeps the output pipes open', async () => {
    const pidFile = join(dir, 'leftover.pid');
    try {
      const run = await sh(`setsid sleep 30 & echo $! > "$1"; echo done`, { pipeDrainMs: 300 }, pidFile);

      expect(run).toMatchObject({ exitCode: 0, stdout: 'done\n', timedOut: false });
      expect(run.durationMs).toBeGreaterThanOrEqual(290);
      expect(run.durationMs).toBeLessThan(2_000);
    } finally {
      await killListed(pidFile);
    }
  });

  it('with sigkill-and-leave, reports at the time limit at once and tells when the leftover is gone', async () => {
    const pidFile = join(dir, 'leftover.pid');
    let gone = false;
    try {
      const run = await sh(
        `echo started; setsid sleep 30 & echo $! > "$1"; wait`,
        {
          timeoutMs: 300,
          stop: 'sigkill-and-leave',
          onGone: () => (gone = true),
        },
        pidFile,
      );

      expect(run).toMatchObject({ timedOut: true, exitCode: null, signal: null, stdout: 'started\n' });
      expect(run.durationMs).toBeGreaterThanOrEqual(290);
      expect(run.durationMs).toBeLessThan(400);
      // The shell is dead, but the setsid'd sleep still holds the pipes.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(gone).toBe(false);
    } finally {
      await killListed(pidFile);
    }
    await expect.poll(() => gone).toBe(true);
  });
});
