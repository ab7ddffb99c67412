// The container templates a user copies: docker-compose.example.yml with .env.example, and the Unraid
// template unraid/sync-webhook.xml. Each is parsed (Compose's YAML, the template's XML) and checked as
// Compose and Unraid would use it: every ${…} is set or defaulted, every port and container path a value
// refers to is defined, the settings pass the service's own configuration check and the entrypoint's,
// and the shipped mappings file (examples/docker-mappings.yml) reads from and writes to mounted volumes.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { SECRET_VARIABLES } from '../../src/config/env.js';
import { type Config, loadConfig } from '../../src/config/load.js';
import { isInside } from '../../src/core/paths.js';
import { REPO_ROOT } from '../support/repo-paths.js';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

// ---------------------------------------------------------------------------------------------
// What the service and the entrypoint read
// ---------------------------------------------------------------------------------------------

/** Every variable name the configuration code or the image's scripts mention. */
function knownVariables(): Set<string> {
  const sources = readdirSync(join(REPO_ROOT, 'src', 'config'))
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => read(join('src', 'config', name)));
  sources.push(read('docker/app-user.sh'));
  return new Set(sources.flatMap((text) => text.match(/\b[A-Z][A-Z0-9_]+\b/g) ?? []));
}

/** The entrypoint's own check of PUID, PGID and UMASK, run on these values: its exit code and stderr. */
function entrypointCheck(env: Record<string, string>): { code: number; stderr: string } {
  try {
    execFileSync('sh', ['-c', '. ./docker/app-user.sh && read_app_user'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { status: number; stderr: Buffer };
    return { code: failed.status, stderr: String(failed.stderr) };
  }
}

/** A container path and what is mounted there. */
interface Volume {
  target: string;
  readOnly: boolean;
  /** Where a file below the container path is on the host, for the files the service reads there. */
  hostFile?: (pathBelowTarget: string) => string;
}

/** The configuration the service would load, with each file read through the volume mounted there. */
function configThrough(env: Record<string, string>, volumes: Volume[]): Config {
  return loadConfig(env, (path: string) => {
    const volume = volumes.find((v) => isInside(path, v.target) && v.hostFile !== undefined);
    if (volume?.hostFile === undefined) throw new Error(`${path} is on no volume`);
    return readFileSync(volume.hostFile(path.slice(volume.target.length)), 'utf8');
  });
}

/** Mapping roots that no volume holds, or whose source volume is writable / destination read-only. */
function unmountedRoots(config: Config, volumes: Volume[]): string[] {
  const problems: string[] = [];
  const volumeOf = (path: string) =>
    volumes.filter((v) => isInside(path, v.target)).sort((a, b) => b.target.length - a.target.length)[0];
  for (const mapping of config.mappings) {
    const source = volumeOf(mapping.source.path);
    const destination = volumeOf(mapping.destination.path);
    if (!source) problems.push(`${mapping.container}: source ${mapping.source.path} is on no volume`);
    else if (!source.readOnly) problems.push(`${mapping.container}: source volume ${source.target} is writable`);
    if (!destination) problems.push(`${mapping.container}: destination ${mapping.destination.path} is on no volume`);
    else if (destination.readOnly) problems.push(`${mapping.container}: destination ${destination.target} is ro`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Compose: .env and ${…}
// ---------------------------------------------------------------------------------------------

/** KEY=VALUE lines of an env file (comments and blank lines skipped), as Compose reads plain values. */
function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [index, line] of text.split('\n').entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(trimmed);
    if (!match?.[1]) throw new Error(`env file line ${index + 1} is not KEY=VALUE: ${line}`);
    env[match[1]] = match[2] ?? '';
  }
  return env;
}

/** One ${…} or $NAME of a Compose value; `$$` is a literal dollar. */
interface Reference {
  name: string;
  /** `-`/`:-` default, `?`/`:?` required, `+`/`:+` alternative, or none. */
  operator: string;
  argument: string;
}

function referencesIn(value: string): Reference[] {
  const found: Reference[] = [];
  for (const match of value.matchAll(/\$(?:\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g)) {
    if (match[2]) found.push({ name: match[2], operator: '', argument: '' });
    if (match[1] === undefined) continue;
    const parts = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?$/.exec(match[1]);
    if (!parts?.[1]) throw new Error(`not a Compose variable: \${${match[1]}} in ${value}`);
    found.push({ name: parts[1], operator: parts[2] ?? '', argument: parts[3] ?? '' });
  }
  return found;
}

/** Every string in a parsed YAML document, keys included. */
function stringsIn(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(stringsIn);
  if (node !== null && typeof node === 'object') {
    return Object.entries(node).flatMap(([key, value]) => [key, ...stringsIn(value)]);
  }
  return [];
}

/** "NAME in value" for each reference that neither the env file sets nor a default covers. */
function undefinedVariables(document: unknown, env: Record<string, string>): string[] {
  return stringsIn(document).flatMap((value) =>
    referencesIn(value)
      .filter((ref) => !(ref.name in env) && ref.operator !== '-' && ref.operator !== ':-')
      .map((ref) => `${ref.name} in ${value}`),
  );
}

/** A value as Compose interpolates it with these variables (throws like Compose on `?`). */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$(?:\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole) => {
    if (whole === '$$') return '$';
    const [ref] = referencesIn(whole);
    if (!ref) throw new Error(`no reference in ${whole}`);
    const set = env[ref.name];
    const empty = set === undefined || (ref.operator.startsWith(':') && set === '');
    if (ref.operator.endsWith('-')) return empty ? ref.argument : (set ?? '');
    if (ref.operator.endsWith('?')) {
      if (empty) throw new Error(`Compose stops: ${ref.name}: ${ref.argument}`);
      return set ?? '';
    }
    if (ref.operator.endsWith('+')) return empty ? '' : ref.argument;
    return set ?? '';
  });
}

interface ComposeService {
  env_file?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
}

const composeText = read('docker-compose.example.yml');
const compose: { services: Record<string, ComposeService> } = parseYaml(composeText);
const dotEnv = parseEnvFile(read('.env.example'));

/** The short-syntax volumes after interpolation: host path, container path, read-only or not. */
function composeVolumes(service: ComposeService): (Volume & { host: string })[] {
  return (service.volumes ?? []).map((spec) => {
    const [host = '', target = '', mode = 'rw'] = interpolate(spec, dotEnv).split(':');
    // Relative host paths are relative to the compose file, which sits at the top of the repository.
    const hostFile = (below: string) => join(resolve(REPO_ROOT, host), below);
    return { host, target, readOnly: mode.split(',').includes('ro'), hostFile };
  });
}

describe('docker-compose.example.yml with .env.example', () => {
  const service = compose.services['sync-webhook'];

  it('defines one service, sync-webhook, built from this repository', () => {
    expect(Object.keys(compose.services)).toEqual(['sync-webhook']);
    expect(service).toMatchObject({ build: '.', env_file: ['.env'] });
  });

  it('uses no variable that .env.example leaves undefined and that has no default', () => {
    expect(undefinedVariables(compose, dotEnv)).toEqual([]);
  });

  it('the check finds a variable used but never defined (the old CONFIG_PATH)', () => {
    const unset = `\${CONFIG_PATH}/sync-webhook/data:/data`;
    const old = { volumes: [unset, `\${HOST_PORT:-5001}:5000`, '$$HOME:/x'] };
    expect(undefinedVariables(old, dotEnv)).toEqual([`CONFIG_PATH in ${unset}`]);
    expect(() => interpolate(`\${MISSING:?set MISSING in .env}`, {})).toThrow('MISSING: set MISSING in .env');
  });

  it('every line of .env.example is used: by the compose file, the service or the entrypoint', () => {
    const inCompose = new Set(stringsIn(compose).flatMap((value) => referencesIn(value).map((ref) => ref.name)));
    const known = knownVariables();
    expect(Object.keys(dotEnv).filter((name) => !inCompose.has(name) && !known.has(name))).toEqual([]);
  });

  it('mounts /data, /logs and the mappings file from places that exist or that Docker creates', () => {
    const volumes = composeVolumes(service ?? {});
    expect(volumes.map((v) => v.target)).toEqual(
      expect.arrayContaining(['/data', '/logs', service?.environment?.SYNC_CONFIG]),
    );
    expect(new Set(volumes.map((v) => v.target)).size).toBe(volumes.length);
    for (const volume of volumes) {
      // An empty variable once made "/sync-webhook/data" out of "${CONFIG_PATH}/sync-webhook/data".
      expect(volume.host, volume.target).toMatch(/^(\.\/|\/)[^/]/);
    }
    const mappings = volumes.find((v) => v.target === service?.environment?.SYNC_CONFIG);
    expect(mappings?.readOnly).toBe(true);
    expect(statSync(mappings?.hostFile?.('') ?? '').isFile()).toBe(true);
  });

  it('its settings pass the service configuration check and the mappings read and write mounted volumes', () => {
    const volumes = composeVolumes(service ?? {});
    const env = { ...dotEnv, ...service?.environment };
    const config = configThrough(env, volumes);
    expect(config.mappingsFrom).toBe('SYNC_CONFIG (/config/sync-webhook.yml)');
    expect(config.mappings.map((m) => m.container)).toEqual(['/movies', '/tv']);
    expect(unmountedRoots(config, volumes)).toEqual([]);
    expect(entrypointCheck(env)).toEqual({ code: 0, stderr: '' });
  });

  it('publishes the container port the service listens on', () => {
    const ports = (service?.ports ?? []).map((spec) => interpolate(spec, dotEnv));
    expect(ports).toEqual(['5001:5000']);
  });

  it("names no one home's shares or networks", () => {
    expect(composeText).not.toMatch(/synology|unraid|rs-movies|mother/i);
    expect(read('.env.example')).not.toMatch(/synology|unraid\/media|rs-movies|mother/i);
  });
});

// ---------------------------------------------------------------------------------------------
// Unraid template
// ---------------------------------------------------------------------------------------------

interface TemplateConfig {
  name: string;
  target: string;
  default: string;
  mode: string;
  type: string;
  display: string;
  required: string;
  mask: string;
  value: string;
}

function parseXml(text: string): Element {
  const document = new DOMParser({
    onError: (level, message) => {
      throw new Error(`XML ${level}: ${message}`);
    },
  }).parseFromString(text, 'text/xml');
  const root = document.documentElement;
  if (!root) throw new Error('XML without a root element');
  return root;
}

function childText(root: Element, name: string): string | undefined {
  for (const child of Array.from(root.childNodes)) {
    if (child.nodeName === name) return child.textContent ?? '';
  }
  return undefined;
}

function configsOf(root: Element): TemplateConfig[] {
  return Array.from(root.getElementsByTagName('Config')).map((c) => ({
    name: c.getAttribute('Name') ?? '',
    target: c.getAttribute('Target') ?? '',
    default: c.getAttribute('Default') ?? '',
    mode: c.getAttribute('Mode') ?? '',
    type: c.getAttribute('Type') ?? '',
    display: c.getAttribute('Display') ?? '',
    required: c.getAttribute('Required') ?? '',
    mask: c.getAttribute('Mask') ?? '',
    value: c.textContent ?? '',
  }));
}

/** What the container gets: the value the user keeps, which the template fills in from its default. */
const effectiveValue = (config: TemplateConfig) => config.value || config.default;

/** Every [PORT:n] and container path that a value refers to but no Config defines. */
function undefinedInTemplate(root: Element): string[] {
  const configs = configsOf(root);
  const ports = new Set(configs.filter((c) => c.type === 'Port').map((c) => c.target));
  const paths = configs.filter((c) => c.type === 'Path').map((c) => c.target);
  const texts = [childText(root, 'WebUI') ?? '', childText(root, 'Overview') ?? '', ...configs.map(effectiveValue)];
  const problems = texts.flatMap((text) =>
    [...text.matchAll(/\[PORT:(\d+)\]/g)].filter((m) => !ports.has(m[1] ?? '')).map((m) => `${m[0]} in ${text}`),
  );
  // Unraid hands values over as they are: a ${…} would reach the service literally.
  problems.push(...texts.filter((text) => text.includes('${')).map((text) => `\${…} in ${text}`));
  const sync = configs.find((c) => c.target === 'SYNC_CONFIG');
  if (sync && !paths.some((path) => isInside(effectiveValue(sync), path))) {
    problems.push(`SYNC_CONFIG ${effectiveValue(sync)} is on no Path`);
  }
  return problems;
}

const templateText = read('unraid/sync-webhook.xml');

/** The template's Paths as volumes; /config holds the shipped mappings file as docs/unraid.md says. */
function templateVolumes(root: Element): Volume[] {
  const configFolder = (below: string) => {
    if (below !== '/sync-webhook.yml') throw new Error(`docs/unraid.md puts no ${below} in /config`);
    return join(REPO_ROOT, 'examples', 'docker-mappings.yml');
  };
  return configsOf(root)
    .filter((c) => c.type === 'Path')
    .map((c) => ({
      target: c.target,
      readOnly: c.mode.split(',').includes('ro'),
      hostFile: c.target === '/config' ? configFolder : undefined,
    }));
}

describe('unraid/sync-webhook.xml', () => {
  const root = parseXml(templateText);
  const configs = configsOf(root);

  it('is a version 2 container template with the fields Unraid shows', () => {
    expect(root.nodeName).toBe('Container');
    expect(root.getAttribute('version')).toBe('2');
    for (const field of ['Name', 'Repository', 'Network', 'Privileged', 'Overview', 'Category', 'WebUI']) {
      expect(childText(root, field)?.trim(), field).toBeTruthy();
    }
    expect(childText(root, 'Privileged')).toBe('false');
  });

  it('gives every Config the attributes Unraid reads, with values it accepts', () => {
    expect(configs.length).toBeGreaterThan(0);
    for (const c of configs) {
      expect(c.name, JSON.stringify(c)).not.toBe('');
      expect(c.target, c.name).not.toBe('');
      expect(['Port', 'Path', 'Variable'], c.name).toContain(c.type);
      expect(['always', 'advanced', 'always-hide', 'advanced-hide'], c.name).toContain(c.display);
      expect(['true', 'false'], c.name).toContain(c.required);
      expect(['true', 'false'], c.name).toContain(c.mask);
      if (c.type === 'Path') expect(['rw', 'ro', 'rw,slave', 'ro,slave'], c.name).toContain(c.mode);
      if (c.type === 'Port') expect(['tcp', 'udp'], c.name).toContain(c.mode);
      if (c.value !== '') expect(c.value, c.name).toBe(c.default);
    }
    expect(new Set(configs.map((c) => c.target)).size).toBe(configs.length);
  });

  it('refers to no port or container path it does not define', () => {
    expect(undefinedInTemplate(root)).toEqual([]);
  });

  it('the check finds a port and a path used but never defined', () => {
    const broken = templateText
      .replace('[PORT:5000]', '[PORT:8080]')
      .replace(/>\/config\/sync-webhook\.yml</, '>/settings/sync-webhook.yml<')
      .replace('Default="/config/sync-webhook.yml"', 'Default="/settings/sync-webhook.yml"')
      .replace('Default="UTC"', `Default="\${TZ}"`)
      .replace('>UTC<', `>\${TZ}<`);
    expect(undefinedInTemplate(parseXml(broken))).toEqual([
      '[PORT:8080] in http://[IP]:[PORT:8080]/health',
      `\${…} in \${TZ}`,
      'SYNC_CONFIG /settings/sync-webhook.yml is on no Path',
    ]);
  });

  it('sets only variables the service or the entrypoint reads, and masks every secret', () => {
    const variables = configs.filter((c) => c.type === 'Variable');
    const known = knownVariables();
    expect(variables.map((c) => c.target).filter((name) => !known.has(name))).toEqual([]);
    const secrets: readonly string[] = SECRET_VARIABLES;
    for (const c of variables) expect(c.mask, c.target).toBe(secrets.includes(c.target) ? 'true' : 'false');
  });

  it('its defaults pass the service configuration check and the mappings read and write its Paths', () => {
    const env = Object.fromEntries(
      configs
        .filter((c) => c.type === 'Variable' && effectiveValue(c) !== '')
        .map((c) => [c.target, effectiveValue(c)]),
    );
    const volumes = templateVolumes(root);
    expect(volumes.map((v) => v.target)).toEqual(expect.arrayContaining(['/data', '/logs', '/config']));
    const config = configThrough(env, volumes);
    expect(config.mappings.map((m) => m.container)).toEqual(['/movies', '/tv']);
    expect(unmountedRoots(config, volumes)).toEqual([]);
    expect(entrypointCheck(env)).toEqual({ code: 0, stderr: '' });
    expect(env).toMatchObject({ PUID: '99', PGID: '100' });
  });

  it('is not the XML parser passing anything: a broken template is refused', () => {
    expect(() => parseXml(templateText.replace('</Container>', ''))).toThrow(/XML/);
  });
});
