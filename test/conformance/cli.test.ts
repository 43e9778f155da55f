import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conformanceCommand } from '../../src/cli/conformance.js';
import { main } from '../../src/cli/main.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/conformance');
const tmp = mkdtempSync(join(tmpdir(), 'troupe-conformance-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(opts: Parameters<typeof conformanceCommand>[1]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await conformanceCommand(FIXTURE, opts, (s) => out.push(s), (s) => err.push(s));
  return { code, out, err };
}

function baseline(names: string[]): string {
  const file = join(tmp, `baseline-${names.join('-')}.json`);
  writeFileSync(file, JSON.stringify(names));
  return file;
}

describe('troupe conformance', () => {
  it('prints the JSON report and exits 1 when a case fails', async () => {
    const { code, out } = await run({ json: true, case: ['hello-passes', 'wrong-state', 'needs-triggers'] });
    expect(code).toBe(1);
    expect(JSON.parse(out.join('\n'))).toEqual({
      cases: [
        { case: 'hello-passes', passed: true, reason: null },
        { case: 'wrong-state', passed: false, reason: 'state: expected FAILED, got SUCCESS' },
        { case: 'needs-triggers', passed: false, reason: "skipped: tier 'trigger' needs triggers this runner does not provide (it runs 'core' and 'storage' cases)" },
      ],
      passed: 1,
      failed: 1,
      skipped: 1,
    });
  });

  it('exits 0 when only skipped cases did not pass', async () => {
    const { code, out } = await run({ case: ['hello-passes', 'needs-triggers'] });
    expect({ code, out }).toEqual({ code: 0, out: ['✓ hello-passes', "- needs-triggers — skipped: tier 'trigger' needs triggers this runner does not provide (it runs 'core' and 'storage' cases)", '1 passed, 0 failed, 1 skipped'] });
  });

  it('with a baseline, exits 0 when only cases outside it fail, and lists new passes', async () => {
    const { code, out } = await run({ case: ['hello-passes', 'wrong-state', 'failing-flow'], baseline: baseline(['hello-passes']) });
    expect(code).toBe(0);
    expect(out.slice(-2)).toEqual(['baseline: 1 cases, none regressed', 'passing but not in the baseline (add them): failing-flow']);
  });

  it('with a baseline, exits 1 and names each baseline case that regressed', async () => {
    const { code, err } = await run({ json: true, case: ['hello-passes', 'wrong-state'], baseline: baseline(['hello-passes', 'wrong-state']) });
    expect(code).toBe(1);
    expect(err).toEqual(['baseline: 1 of 2 cases regressed:', '  ✘ wrong-state — state: expected FAILED, got SUCCESS']);
  });

  it('is registered on the troupe command, and rejects a bad --timeout-ms with exit code 2', async () => {
    expect(await main(['conformance', FIXTURE, '--timeout-ms', 'soon'])).toBe(2);
  });
});
