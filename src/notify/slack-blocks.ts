// Slack's rendering of a notification event: Block Kit blocks in one attachment that carries the severity's
// colour. Pure. Every dynamic value goes into a `plain_text` object, which Slack shows as it is (no mrkdwn,
// no mentions, no links), because mrkdwn has no escape for `* _ ~ \``; `mrkdwn` objects hold only our own
// labels, escaped all the same (`&`, `<`, `>`: docs.slack.dev "Formatting text for app surfaces").
// Limits (docs.slack.dev Block Kit reference, 2026): header 150, section text 3000, 10 fields of 2000 each,
// 50 blocks.

import type { NotifyEvent, NotifySeverity } from '../core/notify-event.js';
import { clip, fitOutline, type Outline } from './outline.js';

interface PlainText {
  type: 'plain_text';
  text: string;
  emoji: true;
}

interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}

export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text: PlainText | Mrkdwn }
  | { type: 'section'; fields: (PlainText | Mrkdwn)[] }
  | { type: 'context'; elements: PlainText[] };

export interface SlackAttachment {
  color: string;
  /** What a notification shows where blocks cannot be shown. */
  fallback: string;
  blocks: SlackBlock[];
}

export interface SlackMessage {
  attachments: [SlackAttachment];
}

export const SLACK_LIMITS = { header: 150, text: 3000, field: 2000, fieldsPerSection: 10, blocks: 50 };

const SEVERITY_COLOURS: Readonly<Record<NotifySeverity, string>> = {
  success: '#2ecc71',
  info: '#3498db',
  warning: '#f39c12',
  error: '#e74c3c',
};

/** `&`, `<` and `>` as Slack's entities: the three characters Slack reads as control characters. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The message of an event: the roomiest outline whose blocks fit Slack's limits without a cut. */
export function slackMessage(event: NotifyEvent): SlackMessage {
  const outline = fitOutline(event, (o) => {
    const { blocks, cut } = blocksOf(o);
    return !cut && blocks.length <= SLACK_LIMITS.blocks;
  });
  return {
    attachments: [
      {
        color: SEVERITY_COLOURS[outline.severity],
        fallback: [outline.title, outline.subject[0]].filter((part) => part).join(': '),
        blocks: blocksOf(outline).blocks.slice(0, SLACK_LIMITS.blocks),
      },
    ],
  };
}

const label = (text: string): Mrkdwn => ({ type: 'mrkdwn', text: `*${escapeSlack(text)}*` });

/** The blocks of an outline, each text within its limit; `cut` says whether one had to be cut to fit. */
function blocksOf(outline: Outline): { blocks: SlackBlock[]; cut: boolean } {
  let cut = false;
  const plain = (text: string, max: number): PlainText => {
    if (text.length > max) cut = true;
    // Slack refuses an empty text object; a value can be empty (a test text), so it shows a dash.
    return { type: 'plain_text', text: clip(text, max) || '\u2014', emoji: true };
  };
  const blocks: SlackBlock[] = [{ type: 'header', text: plain(outline.title, SLACK_LIMITS.header) }];
  if (outline.subject.length > 0) {
    blocks.push({ type: 'section', text: plain(outline.subject.join('\n'), SLACK_LIMITS.text) });
  }
  // Label and value side by side: Slack lays a section's fields out in two columns.
  const short = outline.fields.filter((field) => !field.long);
  const perSection = SLACK_LIMITS.fieldsPerSection / 2;
  for (let i = 0; i < short.length; i += perSection) {
    const fields = short
      .slice(i, i + perSection)
      .flatMap((field) => [label(field.label), plain(field.value, SLACK_LIMITS.field)]);
    blocks.push({ type: 'section', fields });
  }
  for (const field of outline.fields.filter((f) => f.long)) {
    blocks.push({ type: 'section', text: label(field.label) });
    blocks.push({ type: 'section', text: plain(field.value, SLACK_LIMITS.text) });
  }
  for (const list of outline.lists) {
    const lines = list.items.map((item) => `• ${item}`);
    if (list.more > 0) lines.push(`…and ${list.more} more`);
    blocks.push({ type: 'section', text: label(list.label) });
    blocks.push({ type: 'section', text: plain(lines.join('\n'), SLACK_LIMITS.text) });
  }
  if (outline.notes.length > 0) {
    blocks.push({ type: 'context', elements: outline.notes.map((note) => plain(note, SLACK_LIMITS.text)) });
  }
  return { blocks, cut };
}
