/**
 * docs/api.md and the OpenAPI description (GET /openapi.json) name the same endpoints: every operation of
 * the description is a row of the page's endpoint table, and every row is an operation, so neither can
 * gain or lose a route alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiDescription } from '../support/api-description.js';
import { REPO_ROOT } from '../support/repo-paths.js';

/** "METHOD /path/{param}" for each row of the table whose first column is `Endpoint`. */
function documentedEndpoints(markdown: string): string[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*Endpoint\s*\|\s*Method/.test(line));
  if (header === -1) throw new Error('docs/api.md has no table with the columns Endpoint | Method');
  const endpoints: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [, endpoint = '', methods = ''] = line.split('|').map((cell) => cell.trim());
    const path = /^`([^`]+)`$/.exec(endpoint)?.[1];
    if (!path) throw new Error(`docs/api.md: an endpoint row without a \`path\`: ${line}`);
    for (const method of methods.match(/\b[A-Z]+\b/g) ?? []) {
      endpoints.push(`${method} ${path.replace(/<([^>]+)>/g, '{$1}')}`);
    }
  }
  return endpoints.sort();
}

describe('docs/api.md', () => {
  it('lists exactly the operations of /openapi.json', async () => {
    const doc = await apiDescription();
    const described = Object.entries(doc.paths)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const documented = documentedEndpoints(readFileSync(join(REPO_ROOT, 'docs', 'api.md'), 'utf8'));
    expect(
      documented.filter((op) => !described.includes(op)),
      'in docs/api.md, not in /openapi.json',
    ).toEqual([]);
    expect(
      described.filter((op) => !documented.includes(op)),
      'in /openapi.json, not in docs/api.md',
    ).toEqual([]);
  });

  it('reads methods and <params> from a table row', () => {
    const table = [
      '| Endpoint | Method | What it does |',
      '| --- | --- | --- |',
      '| `/sync/radarr` | POST (PUT) | Radarr webhook |',
      '| `/jobs/<id>` | GET | One job |',
      '| `/test` | GET, POST | Send a test |',
      '',
      '| `/after` | GET | not in the table |',
    ].join('\n');
    expect(documentedEndpoints(table)).toEqual([
      'GET /jobs/{id}',
      'GET /test',
      'POST /sync/radarr',
      'POST /test',
      'PUT /sync/radarr',
    ]);
    expect(() => documentedEndpoints('no table')).toThrow(/no table/);
  });
});
