import { posix } from 'node:path';
import { z } from 'zod';
import type { SourceResult } from '../core/types.js';
import { isJsonObject, notAnObject, parseWith, requiredPath, stripControlChars } from './common.js';

const manualRequest = z.looseObject({
  path: requiredPath,
  type: z.enum(['movie', 'tv']).default('movie'),
});

export function parseManualRequest(body: unknown): SourceResult {
  if (!isJsonObject(body)) return notAnObject();
  const parsed = parseWith(manualRequest, body);
  if (!parsed.ok) return parsed.invalid;

  // "/movies/Film (2024)/" and "/movies/Film (2024)" must be the same job (and the same duplicate key).
  const path = parsed.data.path.replace(/\/+$/, '') || '/';
  const title = stripControlChars(posix.basename(path) || path) || 'Unknown';
  return {
    kind: 'sync',
    requests: [
      {
        source: 'manual',
        mediaType: parsed.data.type === 'tv' ? 'episode' : 'movie',
        containerPath: path,
        filePath: path,
        title,
        details: { title },
        isUpgrade: false,
        waitForStableSize: true,
      },
    ],
  };
}
