// Discord's rendering of a notification event: one embed, coloured by severity, within Discord's limits.
// Pure. Limits: discord-api-docs, resources/message "Embed Limits" (title 256, description 4096, 25 fields,
// field name 256 / value 1024, 6000 in all); markdown is Discord's, each dynamic value backslash-escaped.

import type { NotifyEvent, NotifySeverity } from '../core/notify-event.js';
import { clip, fitOutline, type Outline } from './outline.js';

export interface DiscordEmbedField {
  name: string;
  value: string;
  inline: boolean;
}

export interface DiscordEmbed {
  title: string;
  description: string;
  color: number;
  timestamp: string;
  fields: DiscordEmbedField[];
}

export const EMBED_LIMITS = { title: 256, description: 4096, fields: 25, name: 256, value: 1024, total: 6000 };

/** Green, blue, orange, red: the colours a reader expects of success, information, warning and failure. */
export const SEVERITY_COLOURS: Readonly<Record<NotifySeverity, number>> = {
  success: 0x2ecc71,
  info: 0x3498db,
  warning: 0xf39c12,
  error: 0xe74c3c,
};

/**
 * A backslash before each character Discord's markdown gives a meaning anywhere in a line (bold, italics,
 * underline, strike, spoiler, code, masked link, mention and timestamp tags), and before those that mean
 * something at a line's start (heading, subtext, quote, list, "1." list). Discord shows an escaped
 * character as itself; the backslash is not shown.
 */
export function escapeDiscordMarkdown(text: string): string {
  return text
    .replace(/[\\*_~`|[\]<]/g, '\\$&')
    .replace(/^(\s*)([#>+-])/gm, '$1\\$2')
    .replace(/^(\s*\d+)\.(?=\s|$)/gm, '$1\\.');
}

/** The embed of an event: the roomiest outline that fits every limit. */
export function discordEmbed(event: NotifyEvent): DiscordEmbed {
  const embed = embedOf(
    fitOutline(event, (outline) => fitsLimits(embedOf(outline, event.at))),
    event.at,
  );
  return clampToLimits(embed);
}

function embedOf(outline: Outline, at: string): DiscordEmbed {
  const [name = '', ...rest] = outline.subject.map(escapeDiscordMarkdown);
  const lines = [name === '' ? '' : `**${name}**`, ...rest];
  const notes = outline.notes.map((note) => `*${escapeDiscordMarkdown(note)}*`);
  const description = [lines.join('\n'), notes.join('\n')].filter((part) => part !== '').join('\n\n');
  const fields: DiscordEmbedField[] = outline.fields.map((field) => ({
    name: escapeDiscordMarkdown(field.label),
    value: escapeDiscordMarkdown(field.value) || '\u2014',
    inline: !field.long,
  }));
  for (const list of outline.lists) {
    const items = list.items.map((item) => `• ${escapeDiscordMarkdown(item)}`);
    if (list.more > 0) items.push(`*…and ${list.more} more*`);
    fields.push({ name: escapeDiscordMarkdown(list.label), value: items.join('\n') || '\u2014', inline: false });
  }
  return {
    title: escapeDiscordMarkdown(outline.title),
    description,
    color: SEVERITY_COLOURS[outline.severity],
    timestamp: at,
    fields,
  };
}

/** Characters Discord counts towards the 6,000 of a message's embeds. */
export function embedLength(embed: DiscordEmbed): number {
  return (
    embed.title.length +
    embed.description.length +
    embed.fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0)
  );
}

function fitsLimits(embed: DiscordEmbed): boolean {
  return (
    embed.title.length <= EMBED_LIMITS.title &&
    embed.description.length <= EMBED_LIMITS.description &&
    embed.fields.length <= EMBED_LIMITS.fields &&
    embed.fields.every((f) => f.name.length <= EMBED_LIMITS.name && f.value.length <= EMBED_LIMITS.value) &&
    embedLength(embed) <= EMBED_LIMITS.total
  );
}

/** The last guard: even the tersest outline is cut to the limits rather than refused by Discord. */
function clampToLimits(embed: DiscordEmbed): DiscordEmbed {
  if (fitsLimits(embed)) return embed;
  const fields = embed.fields.slice(0, EMBED_LIMITS.fields).map((f) => ({
    ...f,
    name: clip(f.name, EMBED_LIMITS.name),
    value: clip(f.value, EMBED_LIMITS.value),
  }));
  const used = fields.reduce((sum, f) => sum + f.name.length + f.value.length, 0);
  const title = clip(embed.title, EMBED_LIMITS.title);
  const room = Math.max(0, EMBED_LIMITS.total - used - title.length);
  return { ...embed, title, description: clip(embed.description, Math.min(EMBED_LIMITS.description, room)), fields };
}
