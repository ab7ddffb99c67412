// Docker secrets (and Kubernetes, systemd credentials) hand a secret over as a file: NAME_FILE names
// the file, and its content becomes NAME, as if it had been set. Only the variables in
// SECRET_VARIABLES take a _FILE twin; a message names the variable and the path, never the content.
import { coerceError } from '../core/errors.js';
import type { Env } from './env.js';
import type { ReadFile } from './mappings-file.js';
import { ConfigError } from './schema.js';

/** `env` with each secret's _FILE read into the secret's own name. */
export function withSecretFiles(env: Env, secrets: readonly string[], readFile: ReadFile): Env {
  const resolved: Record<string, string | undefined> = { ...env };
  for (const name of secrets) {
    const fileVariable = `${name}_FILE`;
    const path = env[fileVariable]?.trim();
    if (!path) continue;
    if (env[name]?.trim()) {
      throw new ConfigError(
        `${name} and ${fileVariable} are both set: keep one (${fileVariable} reads it from a file)`,
      );
    }
    let content: string;
    try {
      content = readFile(path);
    } catch (error) {
      throw new ConfigError(`${fileVariable}: cannot read ${path}: ${reasonOf(error, path)}`);
    }
    // `echo token > file` and editors end the file with a newline that is no part of the secret.
    const value = content.replace(/[\r\n]+$/, '');
    if (value.trim() === '') throw new ConfigError(`${fileVariable}: ${path} is empty`);
    resolved[name] = value;
  }
  return resolved;
}

/** Node's message ("EACCES: permission denied, open '/run/secrets/x'") without the path it repeats. */
function reasonOf(error: unknown, path: string): string {
  return coerceError(error).message.replace(`, open '${path}'`, '');
}
