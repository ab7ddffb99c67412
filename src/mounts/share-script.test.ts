import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readShareScript, SCRIPT_EXIT, type ShareScriptName } from './share-script.js';

const run = promisify(execFile);
const names: ShareScriptName[] = [
  'root-check',
  'source-inspection',
  'partial-copies',
  'list-folders',
  'source-presence',
  'destination-files',
];

/** The `NAME=NUMBER` lines a script starts with. */
function declaredExitCodes(script: string): Record<string, number> {
  return Object.fromEntries([...script.matchAll(/^([A-Z_]+)=(\d+)$/gm)].map(([, name, code]) => [name, Number(code)]));
}

describe('the share scripts', () => {
  it('are every file of scripts/', () => {
    const files = readdirSync(new URL('./scripts/', import.meta.url)).sort();
    expect(files).toEqual(names.map((name) => `${name}.sh`).sort());
  });

  it.each(names)('%s.sh is valid sh', async (name) => {
    const path = new URL(`./scripts/${name}.sh`, import.meta.url).pathname;
    await expect(run('sh', ['-n', path])).resolves.toMatchObject({ stderr: '' });
  });

  it.each(names)('%s.sh exits with the codes the service knows, by name', (name) => {
    const script = readShareScript(name);
    const declared = declaredExitCodes(script);
    expect(Object.keys(declared).length).toBeGreaterThan(0);
    expect(SCRIPT_EXIT).toMatchObject(declared);
    // An exit code other than 0 is named; the literal 1 ends the inner loop over links, not the script.
    const literal = [...script.matchAll(/\bexit (\d+)/g)].map(([, code]) => code);
    expect(literal.every((code) => code === '0' || code === '1')).toBe(true);
    const named = [...script.matchAll(/\bexit \$([A-Z_]+)/g)].map(([, name]) => name ?? '');
    expect(named.length).toBeGreaterThan(0);
    expect(Object.keys(declared)).toEqual(expect.arrayContaining(named));
  });

  it('use every exit code the service knows', () => {
    const used = Object.assign({}, ...names.map((name) => declaredExitCodes(readShareScript(name))));
    expect(used).toEqual({ ...SCRIPT_EXIT });
  });
});
