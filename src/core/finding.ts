// What one check of `sync-webhook doctor` found. Pure; imports nothing.

/** ok: it works; note: worth knowing, nothing to fix; problem: must be fixed (doctor exits 1). */
export type FindingLevel = 'ok' | 'note' | 'problem';

export interface Finding {
  level: FindingLevel;
  /** What was checked: "rsync", "/movies source", "telegram". */
  subject: string;
  detail: string;
  /** For a problem: what to change, naming the variable, key or path. */
  fix?: string;
}
