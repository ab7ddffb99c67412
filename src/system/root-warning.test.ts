import { describe, expect, it } from 'vitest';
import { rootWarning } from './root-warning.js';

describe('rootWarning', () => {
  it('warns for uid 0 only, naming PUID/PGID', () => {
    expect(rootWarning(0)).toMatch(/^Running as root\. In the image, set PUID\/PGID/);
    expect(rootWarning(1000)).toBeUndefined();
    expect(rootWarning(undefined)).toBeUndefined();
  });
});
