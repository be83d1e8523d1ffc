import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultStackParser } from '@faultline/node';
import { rejectionSourceLine } from '../../src/integrations/fatal-error';

const dir = mkdtempSync(join(tmpdir(), 'faultline-fatal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const withStack = (stack: string): Error => Object.assign(new Error('x'), { stack });

describe('rejectionSourceLine', () => {
  it("prints the top frame's line with a caret under its column, as Node does", async () => {
    const file = join(dir, 'job.cjs');
    writeFileSync(file, "first\n\tif (x) throw new Error('no');\nlast\n");
    const line = await rejectionSourceLine(withStack(`Error: no\n    at run (${file}:2:20)\n    at main (${file}:3:1)`), defaultStackParser);
    expect(line).toBe(`${file}:2\n\tif (x) throw new Error('no');\n\t                  ^\n`);
  });

  it('names an ES module by its URL, as Node does', async () => {
    const file = join(dir, 'job.mjs');
    writeFileSync(file, 'throw new Error();\n');
    const url = pathToFileURL(file).href;
    expect(await rejectionSourceLine(withStack(`Error\n    at ${url}:1:7`), defaultStackParser)).toBe(`${url}:1\nthrow new Error();\n      ^\n`);
  });

  it('gives nothing for a value without a stack, Node internals or a missing file', async () => {
    expect(await rejectionSourceLine('a string', defaultStackParser)).toBeUndefined();
    expect(await rejectionSourceLine(withStack('Error\n    at node:internal/x:1:1'), defaultStackParser)).toBeUndefined();
    expect(await rejectionSourceLine(withStack(`Error\n    at f (${join(dir, 'gone.js')}:1:1)`), defaultStackParser)).toBeUndefined();
  });
});
