// The path mappings: the built-in table, or the YAML file SYNC_CONFIG names, read through a strict zod
// schema so that a misspelt key stops the start instead of being ignored.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { coerceError } from '../core/errors.js';
import { NOTIFY_KINDS, NOTIFY_PRIORITIES } from '../core/notify-event.js';
import type { Mapping, MountCheck } from '../core/types.js';
import type { NotifyTargetSpec } from '../notify/registry.js';
import { DEFAULT_MAPPINGS } from './defaults.js';
import type { Environment } from './env.js';
import { ConfigError, parseOrThrow } from './schema.js';

export type ReadFile = (path: string) => string;
/** The PLEX_SECTION_* variables, the sections of the built-in containers. */
type Sections = Pick<Environment, (typeof DEFAULT_MAPPINGS)[number]['plexSectionEnv']>;

export function defaultMappings(sections: Sections): Mapping[] {
  return DEFAULT_MAPPINGS.map((m) => ({
    container: m.container,
    source: { path: m.source },
    destination: { path: m.destination },
    plexSection: sections[m.plexSectionEnv],
    plexPath: m.destination,
  }));
}

const absolutePath = z
  .string()
  .min(1)
  .refine((p) => p.startsWith('/'), 'must be an absolute path (start with /)')
  .refine((p) => !/[\0\n\r]/.test(p), 'must not contain NUL or line breaks')
  .refine((p) => !p.split('/').some((seg) => seg === '..' || seg === '.'), 'must not contain . or .. segments')
  .transform((p) => p.replace(/\/+$/, '') || '/');

const relativeFile = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a path relative to the root, without ..');

const perSide = <T extends z.ZodType>(inner: T) =>
  z.union([inner, z.strictObject({ source: inner.optional(), destination: inner.optional() })]);

const mappingSchema = z.strictObject({
  container: absolutePath,
  source: absolutePath,
  destination: absolutePath,
  plex_section: z.union([z.string().min(1), z.number().int().nonnegative()]).optional(),
  plex_path: absolutePath.optional(),
  anchor: perSide(relativeFile).optional(),
  fstype: perSide(z.string().regex(/^[a-z0-9._-]+$/i, 'must be a filesystem type such as nfs4')).optional(),
});

const notifySchema = z.strictObject({
  url: z.string().min(1),
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-"')
    .optional(),
  events: z.array(z.enum(NOTIFY_KINDS)).min(1, 'must list at least one kind (leave it out for all)').optional(),
  priority: z.enum(NOTIFY_PRIORITIES).optional(),
});

const fileSchema = z.strictObject({
  mappings: z.array(mappingSchema).min(1, 'must list at least one mapping'),
  notify: z.array(notifySchema).optional(),
});

/** What the SYNC_CONFIG file holds. */
export interface MappingsFile {
  mappings: Mapping[];
  /** The `notify:` entries, in file order. */
  notify: NotifyTargetSpec[];
}

export function loadMappingsFile(path: string, readFile: ReadFile, sections: Sections): MappingsFile {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new ConfigError(`SYNC_CONFIG: cannot read ${path}: ${coerceError(error).message}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`SYNC_CONFIG: ${path} is not valid YAML: ${coerceError(error).message}`);
  }
  const file = parseOrThrow(
    fileSchema,
    data,
    (keyPath) => `key ${keyPath.length > 0 ? keyPath.map(String).join('.') : '(top level)'}: `,
    `SYNC_CONFIG: ${path}: `,
  );
  const seen = new Set<string>();
  const mappings = file.mappings.map((m, i): Mapping => {
    if (seen.has(m.container)) {
      throw new ConfigError(`SYNC_CONFIG: ${path}: key mappings.${i}.container: ${m.container} is mapped twice`);
    }
    seen.add(m.container);
    const fallbackSection = DEFAULT_MAPPINGS.find((d) => d.container === m.container)?.plexSectionEnv;
    return {
      container: m.container,
      source: side(m.source, pick(m.anchor, 'source'), pick(m.fstype, 'source')),
      destination: side(m.destination, pick(m.anchor, 'destination'), pick(m.fstype, 'destination')),
      plexSection:
        m.plex_section !== undefined ? String(m.plex_section) : fallbackSection ? sections[fallbackSection] : undefined,
      plexPath: m.plex_path ?? m.destination,
    };
  });
  const notify = (file.notify ?? []).map(
    (n, i): NotifyTargetSpec => ({
      url: n.url,
      from: `SYNC_CONFIG: ${path}: key notify.${i}.url`,
      ...(n.name !== undefined ? { name: n.name } : {}),
      ...(n.events !== undefined ? { events: n.events } : {}),
      ...(n.priority !== undefined ? { priority: n.priority } : {}),
    }),
  );
  return { mappings, notify };
}

function pick(value: string | { source?: string; destination?: string } | undefined, role: 'source' | 'destination') {
  return typeof value === 'string' ? value : value?.[role];
}

function side(path: string, anchor: string | undefined, fstype: string | undefined): MountCheck {
  return { path, ...(anchor ? { anchor } : {}), ...(fstype ? { fstype } : {}) };
}
