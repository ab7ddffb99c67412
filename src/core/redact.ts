// The one way a secret is kept out of text that leaves the process: log lines, errors of the outbound
// clients, configuration errors. Pure; imports nothing.

/** The marker docs/configuration.md documents for a removed secret. */
export const REDACTED = '[REDACTED]';

/**
 * Replaces each secret, raw or URL-encoded (as it sits in a URL), wherever it appears. Secrets shorter
 * than 4 characters are left alone: replacing them would mangle ordinary words in every line.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    needles.add(secret);
    needles.add(encodeURIComponent(secret));
  }
  if (needles.size === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    return out;
  };
}
