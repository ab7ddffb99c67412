// The path mappings: the built-in table, or the YAML file SYNC_CONFIG names, read through a strict zod
// schema so that a misspelt key stops the start instead of being ignored.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { coerceError } from '../core/errors.js';
import { NOTIFY_KINDS, NOTIFY_PRIORITIES } from '../core/notify-event.js';
import type { Mapping, MountCheck } from '../core/types.js';
import { MEDIA_SERVER_TYPES } from '../media/registry.js';
import type { NotifyTargetSpec } from '../notify/registry.js';
import { DEFAULT_MAPPINGS } from './defaults.js';
import type { Environment } from './env.js';
import { type ConfiguredMediaServer, fileMediaServers } from './media-servers.js';
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
    kind: m.kind,
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

/** A Plex section id, as a number or a string. */
const sectionId = z.union([z.string().min(1), z.number().int().nonnegative()]);

/** A target's `name`, which becomes its id in the outbox, the log and /health. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NAME_RULE = 'must be 1-64 letters, digits, ".", "_" or "-"';

const perSide = <T extends z.ZodType>(inner: T) =>
  z.union([inner, z.strictObject({ source: inner.optional(), destination: inner.optional() })]);

const mappingSchema = z.strictObject({
  container: absolutePath,
  source: absolutePath,
  destination: absolutePath,
  plex_section: sectionId.optional(),
  plex_path: absolutePath.optional(),
  anchor: perSide(relativeFile).optional(),
  fstype: perSide(z.string().regex(/^[a-z0-9._-]+$/i, 'must be a filesystem type such as nfs4')).optional(),
  kind: z.enum(['movie', 'tv'], { error: 'must be movie or tv' }).optional(),
});

const notifySchema = z.strictObject({
  url: z.string().min(1),
  name: z.string().regex(NAME, NAME_RULE).optional(),
  events: z.array(z.enum(NOTIFY_KINDS)).min(1, 'must list at least one kind (leave it out for all)').optional(),
  priority: z.enum(NOTIFY_PRIORITIES).optional(),
});

// No message quotes a value here: a URL or a path_map entry may hold a token pasted into it.
const mediaServerSchema = z
  .strictObject({
    type: z.enum(MEDIA_SERVER_TYPES, { error: `must be one of ${MEDIA_SERVER_TYPES.join(', ')}` }),
    url: z.string().refine(isHttpUrl, 'must be an http(s) URL, such as http://plex:32400'),
    token: z.string().min(1).optional(),
    api_key: z.string().min(1).optional(),
    name: z.string().regex(NAME, NAME_RULE).optional(),
    path_map: z
      .array(
        z.strictObject({
          from: absolutePath,
          to: z
            .string()
            .min(1)
            .refine((p) => !/[\0\n\r]/.test(p), 'must not contain NUL or line breaks'),
        }),
      )
      .optional(),
    sections: z.record(z.string(), sectionId).optional(),
  })
  .superRefine((entry, ctx) => {
    if ((entry.token === undefined) === (entry.api_key === undefined)) {
      const message = 'needs its token or API key: set token (Plex) or api_key (Jellyfin, Emby), one of them';
      ctx.addIssue({ code: 'custom', message, path: [entry.token === undefined ? 'token' : 'api_key'] });
    }
    if (entry.sections !== undefined && entry.type !== 'plex') {
      ctx.addIssue({ code: 'custom', message: 'is for Plex only', path: ['sections'] });
    }
  });

/** One entry of `media_servers:` as read. */
export type MediaServerEntry = z.output<typeof mediaServerSchema>;

const fileSchema = z.strictObject({
  mappings: z.array(mappingSchema).min(1, 'must list at least one mapping'),
  notify: z.array(notifySchema).optional(),
  media_servers: z.array(mediaServerSchema).optional(),
});

/** What the SYNC_CONFIG file holds. */
export interface MappingsFile {
  mappings: Mapping[];
  /** The `notify:` entries, in file order. */
  notify: NotifyTargetSpec[];
  /** The `media_servers:` entries, in file order. */
  mediaServers: ConfiguredMediaServer[];
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
    const builtIn = DEFAULT_MAPPINGS.find((d) => d.container === m.container);
    const fallbackSection = builtIn?.plexSectionEnv;
    const kind = m.kind ?? builtIn?.kind;
    return {
      container: m.container,
      source: side(m.source, pick(m.anchor, 'source'), pick(m.fstype, 'source')),
      destination: side(m.destination, pick(m.anchor, 'destination'), pick(m.fstype, 'destination')),
      plexSection:
        m.plex_section !== undefined ? String(m.plex_section) : fallbackSection ? sections[fallbackSection] : undefined,
      plexPath: m.plex_path ?? m.destination,
      ...(kind ? { kind } : {}),
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
  const mediaServers = fileMediaServers(file.media_servers ?? [], mappings, `SYNC_CONFIG: ${path}`);
  return { mappings, notify, mediaServers };
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

function pick(value: string | { source?: string; destination?: string } | undefined, role: 'source' | 'destination') {
  return typeof value === 'string' ? value : value?.[role];
}

function side(path: string, anchor: string | undefined, fstype: string | undefined): MountCheck {
  return { path, ...(anchor ? { anchor } : {}), ...(fstype ? { fstype } : {}) };
}
