// The one way a secret is kept out of text that leaves the process: log lines, errors of the outbound
// clients, configuration errors. Pure; imports nothing.

/** The marker the README documents for a removed secret. */
export const REDACTED = '[REDACTED]';

/**
 * Replaces each secret, raw, URL-encoded (as it sits in a URL) or JSON-escaped (as it sits in a JSON
 * log line or a quoted field, where " and \ are escaped), wherever it appears. Secrets shorter
 * than 4 characters are left alone: replacing them would mangle ordinary words in every line.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    needles.add(secret);
    needles.add(encodeURIComponent(secret));
    needles.add(JSON.stringify(secret).slice(1, -1));
  }
  if (needles.size === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    return out;
  };
}
