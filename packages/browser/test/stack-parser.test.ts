import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultStackParser } from '../src/stack-parser';
import { bundleFile } from './harness/bundle';
import { ENGINES, launch, unavailable, type Engine } from './harness/browsers';
import { startStaticServer } from './harness/static-server';

// Stacks recorded from the real engines by test/fixtures/stacks.js (same code in all three).
// `CAPTURE_STACKS=1 npx vitest run packages/browser/test/stack-parser.test.ts` records them again.
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const RECORDED = `${FIXTURES}stacks.json`;
type Recorded = Record<Engine, Record<string, string>>;

describe.runIf(process.env.CAPTURE_STACKS)('recording stacks', () => {
  it('records the stacks of every installed engine', async () => {
    const site = await startStaticServer({ '/fixtures/': FIXTURES });
    const recorded: Partial<Recorded> = existsSync(RECORDED) ? JSON.parse(readFileSync(RECORDED, 'utf8')) : {};
    try {
      for (const engine of ENGINES.filter((e) => !unavailable(e))) {
        const browser = await launch(engine);
        try {
          await browser.goto(`${site.url}/fixtures/stacks.html`);
          const stacks = await browser.evaluate<Record<string, string>>('window.asyncStack.then(function (s) { stacks.async = s; return stacks; })');
          // The port changes per run; the fixtures name one fixed origin.
          recorded[engine] = JSON.parse(JSON.stringify(stacks).replaceAll(site.url, 'http://127.0.0.1:8000'));
        } finally {
          await browser.close();
        }
      }
    } finally {
      await site.close();
    }
    writeFileSync(RECORDED, `${JSON.stringify(recorded, null, 2)}\n`);
  }, 120_000);
});

const recorded: Recorded = existsSync(RECORDED) ? JSON.parse(readFileSync(RECORDED, 'utf8')) : ({} as Recorded);
const FILE = 'http://127.0.0.1:8000/fixtures/stacks.js';
const names = (stack: string) => defaultStackParser(stack).map((frame) => frame.function);

describe.each(ENGINES)('defaultStackParser on %s stacks', (engine) => {
  const stacks = recorded[engine];

  it('gives frames outermost first, the throw site last, with file, line and column', () => {
    const frames = defaultStackParser(stacks.named!);
    expect(frames.at(-1)).toEqual({ filename: FILE, function: 'inner', lineno: 13, colno: expect.any(Number), in_app: true });
    expect(frames.at(-2)).toMatchObject({ function: 'outer', lineno: 16 });
    expect(frames[0]).toMatchObject({ filename: FILE, lineno: 18 });
    expect(frames.map((frame) => frame.lineno)).toEqual([18, 6, 16, 13]);
  });

  it('reads anonymous callbacks of native methods, leaving out native frames', () => {
    const frames = defaultStackParser(stacks.anonymous!);
    expect(frames.at(-1)).toMatchObject({ filename: FILE, lineno: 22 });
    expect(frames.some((frame) => frame.function === 'outerAnon' && frame.lineno === 21)).toBe(true);
    expect(frames.every((frame) => frame.filename === FILE && frame.in_app)).toBe(true);
  });

  it('places eval frames at the page line that called eval, or leaves them out', () => {
    const frames = defaultStackParser(stacks.eval!);
    expect(frames.some((frame) => frame.function === 'viaEval' && frame.lineno === 28)).toBe(true);
    for (const frame of frames) expect(frame.lineno).toBeGreaterThan(0);
  });

  it('reads strict code whose tail calls an engine may have removed', () => {
    const frames = defaultStackParser(stacks.strictClass!);
    expect(frames.at(-1)).toMatchObject({ filename: FILE, lineno: 39 });
    expect(frames.at(-1)!.function).toMatch(/sum$/);
    expect(frames[0]).toMatchObject({ lineno: 32 });
  });

  it('reads top-level code and does not take message lines for frames', () => {
    const frames = defaultStackParser(stacks.topLevel!);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ filename: FILE, lineno: 46 });
  });

  it('reads frames after an await', () => {
    const frames = defaultStackParser(stacks.async!);
    expect(frames.at(-1)).toMatchObject({ function: 'asyncThrower', filename: FILE, lineno: 53 });
  });
});

it('tells the engines apart only by format: the same code gives the same throw sites', () => {
  const sites = ENGINES.map((engine) =>
    Object.keys(recorded[engine]).sort().map((name) => defaultStackParser(recorded[engine][name]!).at(-1)?.lineno),
  );
  expect(sites[1]).toEqual(sites[0]);
  expect(sites[2]).toEqual(sites[0]);
});

it('marks extension and native frames as not the app', () => {
  const stack = [
    'Error: x',
    '    at app (http://127.0.0.1/app.js:1:1)',
    '    at ext (chrome-extension://abc/content.js:2:2)',
    '    at Array.map (<anonymous>)',
  ].join('\n');
  // V8's `Array.map (<anonymous>)` has no location and is left out, as are JavaScriptCore's `[native code]` frames.
  expect(defaultStackParser(stack).map((frame) => [frame.function, frame.in_app])).toEqual([
    ['ext', false],
    ['app', true],
  ]);
  expect(names('moz@moz-extension://abc/x.js:1:1\n')).toEqual(['moz']);
  expect(defaultStackParser('moz@moz-extension://abc/x.js:1:1\n')[0]!.in_app).toBe(false);
});

// The CDN bundle carries error-stack-parser without its Opera parsers and with a stand-in for
// `stackframe` (rollup.config.mjs): its parser must read every recorded stack as the npm one does.
it('parses every recorded stack in the CDN bundle as in the npm package', () => {
  const sandbox: Record<string, any> = {};
  new Function('window', 'self', 'globalThis', `${readFileSync(bundleFile('faultline.min.js'), 'utf8')}\n;window.Faultline = Faultline;`)(sandbox, sandbox, sandbox);
  const stacks = ENGINES.flatMap((engine) => Object.values(recorded[engine] ?? {}));
  expect(stacks.length).toBeGreaterThan(10);
  for (const stack of stacks) expect(sandbox.Faultline.defaultStackParser(stack)).toEqual(defaultStackParser(stack));
});
