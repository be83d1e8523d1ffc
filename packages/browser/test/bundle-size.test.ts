import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bundleFile, bundleIntegrity } from './harness/bundle';

// The budget for faultline.min.js with global handlers, wrapping, all breadcrumbs, dedupe,
// filters, linked errors and the fetch/beacon transport is 10 KB gzipped (aim 8 KB). It is NOT met
// yet (14,736 bytes, down from 19,188: the store-less transport that tries each envelope once, the
// stackframe stand-in and error-stack-parser without its Opera parsers, the client's light pass over
// events instead of the schema table, the full pipeline pieces (the forms of rare values among them)
// left to the npm packages; `npm run bench` reports it as a miss), so this test holds the line where
// the bundle is today: it fails on any growth. Lower CEILING_BYTES with every cut, down to
// BUDGET_BYTES. (Raised once, by 20 bytes, for core's capture speed on Node 20: copies made with
// Object.assign and processors awaited only when they return a promise.)
const BUDGET_BYTES = 10 * 1024;
const CEILING_BYTES = 14_900;

describe('the CDN bundle', () => {
  const minified = readFileSync(bundleFile('faultline.min.js'));

  it(`does not grow past ${CEILING_BYTES} bytes gzipped (budget ${BUDGET_BYTES})`, () => {
    const gzipped = gzipSync(minified, { level: 9 }).length;
    console.log(`faultline.min.js: ${minified.length} bytes, ${gzipped} bytes gzipped (ceiling ${CEILING_BYTES}, budget ${BUDGET_BYTES})`);
    expect(gzipped).toBeLessThanOrEqual(CEILING_BYTES);
  });

  it('names its licence and that of the library it contains, whose text the package ships', () => {
    for (const file of ['faultline.js', 'faultline.min.js', 'faultline.debug.min.js']) {
      const head = readFileSync(bundleFile(file), 'utf8').slice(0, 300);
      expect(head, file).toMatch(/^\/\*! Faultline \S+ \(MIT\)\. Contains error-stack-parser \S+ \(MIT\): licence texts in THIRD-PARTY-NOTICES\.md\. \*\//);
    }
    expect(readFileSync(join(__dirname, '../THIRD-PARTY-NOTICES.md'), 'utf8')).toContain('## error-stack-parser');
  });

  it('has its sha384 integrity value beside it', () => {
    expect(bundleIntegrity()).toBe(`sha384-${createHash('sha384').update(minified).digest('base64')}`);
  });

  it('leaves debug logging out of the .min.js and keeps it in the .debug.min.js', () => {
    const debug = readFileSync(bundleFile('faultline.debug.min.js'), 'utf8');
    // Not `toContain`: a failure would print the whole bundle.
    expect(minified.toString('utf8').includes('Integration installed')).toBe(false);
    expect(debug.includes('Integration installed')).toBe(true);
  });

  it('sets the global Faultline with the errors API', () => {
    const sandbox: Record<string, any> = {};
    new Function('window', 'self', 'globalThis', `${minified.toString('utf8')}\n;window.Faultline = Faultline;`)(sandbox, sandbox, sandbox);
    for (const name of ['init', 'captureException', 'captureMessage', 'captureEvent', 'addBreadcrumb', 'setUser', 'setTag', 'setTags', 'setContext', 'setExtra', 'setExtras', 'withScope', 'withIsolationScope', 'getCurrentScope', 'getIsolationScope', 'getGlobalScope', 'getClient', 'lastEventId', 'flush', 'close', 'addIntegration']) {
      expect(typeof sandbox.Faultline[name], name).toBe('function');
    }
  });
});
