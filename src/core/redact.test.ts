import { describe, expect, it } from 'vitest';
import { REDACTED, redactor } from './redact.js';

describe('redactor', () => {
  it('replaces every secret, raw and URL-encoded, with the marker the README documents', () => {
    const redact = redactor(['246810:AAE-token', 'Pa55 word&more']);
    expect(REDACTED).toBe('[REDACTED]');
    expect(redact('bot246810:AAE-token/sendMessage and bot246810%3AAAE-token again')).toBe(
      'bot[REDACTED]/sendMessage and bot[REDACTED] again',
    );
    expect(redact('password=Pa55%20word%26more or Pa55 word&more')).toBe('password=[REDACTED] or [REDACTED]');
  });

  it('also finds a secret as JSON escapes it (a JSON log line, a quoted field)', () => {
    const secret = 'pa"ss\\word';
    const line = JSON.stringify({ msg: `login with ${secret}` });
    expect(line).not.toContain(secret);
    expect(redactor([secret])(line)).toBe('{"msg":"login with [REDACTED]"}');
  });

  it('leaves text alone without secrets, and ignores secrets too short to tell from ordinary words', () => {
    expect(redactor([])('nothing to hide')).toBe('nothing to hide');
    expect(redactor(['', 'abc'])('abc abc')).toBe('abc abc');
  });
});
