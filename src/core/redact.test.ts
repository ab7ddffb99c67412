import { describe, expect, it } from 'vitest';
import { maskUrl, REDACTED, redactor } from './redact.js';

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

describe('maskUrl', () => {
  it.each([
    ['tgram://110201543:AAHdq-secret/-1001', 'tgram://[REDACTED]/[REDACTED]'],
    ['tgram://bot110201543:AAHdq-secret', 'tgram://[REDACTED]'],
    ['ntfys://user:pa55@ntfy.example.com/alerts', 'ntfys://[REDACTED]@ntfy.example.com/[REDACTED]'],
    ['gotify://localhost:8080/AppToken123', 'gotify://localhost:8080/[REDACTED]'],
    [
      'json://10.0.0.5:8000/hook?+X-Token=abc&to=1',
      'json://10.0.0.5:8000/[REDACTED]?+X-Token=[REDACTED]&to=[REDACTED]',
    ],
    ['pover://userkey123@apptoken456', 'pover://[REDACTED]@[REDACTED]'],
    // Tokens where a host would be: a dotted one too, when its last part is no top-level domain.
    ['pbul://o.gn5kj6nfhv736I7jC3cj3QLRiyhgl98b', 'pbul://[REDACTED]'],
    [
      'mailtos://user:pass@smtp.example.org:465?to=me@example.org',
      'mailtos://[REDACTED]@smtp.example.org:465?to=[REDACTED]',
    ],
    ['form://[::1]:8080/hook', 'form://[::1]:8080/[REDACTED]'],
    ['xml://nas:8080/hook', 'xml://[REDACTED]/[REDACTED]'],
    ['no url at all: token-123', '[REDACTED]'],
  ])('%s → %s', (raw, masked) => {
    expect(maskUrl(raw)).toBe(masked);
  });
});
