// The smoke test of the browser tier: Debian's Chromium starts under playwright-core, and the two have
// not drifted apart. playwright-core speaks the DevTools protocol of the Chromium it was released with;
// an older browser may lack what it sends, so its Chromium must not be newer than Debian's.
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll } from '../support/cleanup.js';
import { CHROMIUM_PATH, launchBrowser, playwrightChromiumVersion, playwrightVersion } from '../support/browser.js';

afterAll(cleanupAll);

const major = (version: string) => Number(/(\d+)\./.exec(version)?.[1]);

describe('the browser of the browser tests', () => {
  it(`starts ${CHROMIUM_PATH} headless, renders a page and runs its script`, async () => {
    const browser = await launchBrowser();
    const page = await browser.newPage();
    await page.setContent('<p id="p">static</p><script>document.getElementById("p").textContent = "ran"</script>');
    expect(await page.textContent('#p')).toBe('ran');
  });

  it('is not older than the Chromium playwright-core was made for (pin playwright-core when it fails)', async () => {
    const browser = await launchBrowser();
    const debian = browser.version();
    const expected = playwrightChromiumVersion();
    expect(
      major(debian),
      `Debian's Chromium ${debian} is older than Chromium ${expected}, which playwright-core ` +
        `${playwrightVersion()} drives: pin playwright-core in package.json to the newest version whose ` +
        "browsers.json names a chromium not newer than Debian's (npm pack playwright-core@<v>; tar -xzOf … " +
        'package/browsers.json).',
    ).toBeGreaterThanOrEqual(major(expected));
  });
});
