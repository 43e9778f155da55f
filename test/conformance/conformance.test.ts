/**
 * Kestra's conformance corpus (../shared/conformance): every case of test/conformance-baseline.json
 * must still pass. Cases outside the baseline are not run here; `troupe conformance` reports them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runConformance, type CaseResult } from '../../src/conformance/index.js';
import { needsShared, SHARED_DIR } from '../helpers/shared.js';

const REPO = resolve(import.meta.dirname, '../..');
const CORPUS = resolve(SHARED_DIR, 'conformance');
const BASELINE = JSON.parse(readFileSync(resolve(REPO, 'test/conformance-baseline.json'), 'utf8')) as string[];
const present = needsShared('the Kestra conformance baseline (../shared/conformance)') && existsSync(resolve(CORPUS, 'expectations.yaml'));

describe.skipIf(!present)(`Kestra conformance baseline (corpus ${CORPUS}${present ? '' : ' is absent: skipped'})`, () => {
  const results = new Map<string, CaseResult>();

  beforeAll(async () => {
    const report = await runConformance(CORPUS, { cases: BASELINE });
    for (const r of report.results) results.set(r.case, r);
  }, 180_000);

  it.each(BASELINE)('passes %s', (name) => {
    const r = results.get(name);
    expect(r?.reason, `${name} regressed`).toBeUndefined();
    expect(r?.status).toBe('passed');
  });
});
