import { describe, expect, it } from 'vitest';
import { openBrowser } from '../../src/cli/open-browser.js';

describe('strata studio opens a browser only where there is one', () => {
  const url = 'http://127.0.0.1:1/?token=x';

  it('never under CI, whatever else the environment says', () => {
    expect(openBrowser(url, { CI: 'true', DISPLAY: ':0' })).toBe(false);
    expect(openBrowser(url, { STRATA_NO_BROWSER: '1', DISPLAY: ':0' })).toBe(false);
  });

  // The tests run on Linux (Debian), as the project's machines and CI do.
  it('never on Linux without a display (a server, a container, a test)', () => {
    expect(process.platform).toBe('linux');
    expect(openBrowser(url, {})).toBe(false);
  });
});
