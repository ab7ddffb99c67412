// The Dockerfile, read statically (Docker cannot run here): the base image is the Node LTS line that
// .ci/run tests, on Debian bookworm; the runtime stage starts as root into tini and docker/entrypoint.sh
// (which switches to PUID:PGID), carries the OCI labels, and copies nothing that .dockerignore leaves out.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/repo-paths.js';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions in order, continuation lines joined, comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const logical: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  return logical
    .map((line) => /^\s*([A-Za-z]+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ keyword: (match[1] ?? '').toUpperCase(), args: (match[2] ?? '').trim() }));
}

const instructions = parseDockerfile(read('Dockerfile'));
const fromIndexes = instructions.flatMap((ins, index) => (ins.keyword === 'FROM' ? [index] : []));
const finalStage = instructions.slice(fromIndexes.at(-1));
const argsOf = (keyword: string, stage = finalStage) => stage.filter((i) => i.keyword === keyword).map((i) => i.args);
const nodeMajor = /^NODE_MAJOR=(\d+)$/.exec(argsOf('ARG', instructions.slice(0, fromIndexes[0]))[0] ?? '')?.[1];
const packageJson = JSON.parse(read('package.json'));

describe('Dockerfile', () => {
  it('builds both stages on node:<NODE_MAJOR>-bookworm-slim, NODE_MAJOR=26 given once before them', () => {
    expect(nodeMajor).toBe('26');
    expect(fromIndexes).toHaveLength(2);
    for (const index of fromIndexes) {
      expect(instructions[index]?.args).toMatch(/^node:\$\{NODE_MAJOR\}-bookworm-slim( AS build)?$/);
    }
  });

  it('that Node line is one better-sqlite3 supports and package.json engines names; .ci/run tests it', () => {
    const sqlite = JSON.parse(read('node_modules/better-sqlite3/package.json'));
    expect(sqlite.engines.node.split('||').map((range: string) => range.trim())).toContain(`${nodeMajor}.x`);
    expect(packageJson.engines.node).toContain(`^${nodeMajor}.`);
    expect(read('.ci/run')).toContain('bash scripts/test-on-image-node.sh');
    expect(read('scripts/test-on-image-node.sh')).toContain("sed -n 's/^ARG NODE_MAJOR=");
  });

  it('labels the image with the OCI version (package.json) and source', () => {
    expect(argsOf('ARG')).toContain(`VERSION=${packageJson.version}`);
    const labels = argsOf('LABEL').join(' ');
    expect(labels).toContain(`org.opencontainers.image.version="\${VERSION}"`);
    expect(labels).toContain(`org.opencontainers.image.source="\${SOURCE_URL}"`);
    expect(labels).toContain('org.opencontainers.image.title="sync-webhook"');
    expect(argsOf('ARG')).toContain('SOURCE_URL=');
  });

  it('starts as root into tini and the entrypoint, which switches to PUID:PGID before the service', () => {
    expect(argsOf('USER')).toEqual([]);
    expect(JSON.parse(argsOf('ENTRYPOINT')[0] ?? '')).toEqual(['/usr/bin/tini', '--', '/app/docker/entrypoint.sh']);
    expect(JSON.parse(argsOf('CMD')[0] ?? '')).toEqual(['node', 'dist/main.js']);
    const run = argsOf('RUN').join('\n');
    // apprise: the command notification URLs whose scheme is not built in are handed to.
    expect(run).toMatch(/apt-get install -y --no-install-recommends rsync tini apprise/);
    expect(run).toContain('ln -s /app/docker/sync-webhook /usr/local/bin/sync-webhook');
    expect(argsOf('COPY')).toContain('docker ./docker');
    for (const script of ['docker/entrypoint.sh', 'docker/sync-webhook']) {
      expect(statSync(join(REPO_ROOT, script)).mode & 0o111, script).toBe(0o111);
    }
  });

  it('keeps the volumes, the port, the healthcheck and the paths of the original image; TZ comes from outside', () => {
    expect(argsOf('VOLUME')).toEqual(['["/data", "/logs"]']);
    expect(argsOf('EXPOSE')).toEqual(['5000']);
    expect(argsOf('HEALTHCHECK')[0]).toContain('/health');
    const env = argsOf('ENV').join(' ');
    expect(env).toContain('SYNC_DB_PATH=/data/sync_jobs.db');
    expect(env).toContain('SYNC_LOG_PATH=/logs');
    expect(env).not.toMatch(/\bTZ=/);
  });

  it('copies nothing that .dockerignore leaves out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const copied = instructions
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'src', 'scripts', 'docker']));
    for (const path of copied) expect(ignored, path).not.toContain(path);
  });
});
