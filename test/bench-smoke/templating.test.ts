import { describe, expect, it } from 'vitest';
import { runTemplatingSuite, templatingScenarios } from '../../src/bench/templating.js';

describe('templating benchmark suite', () => {
  it('returns one result per scenario with its template and both figures (timing is not asserted)', async () => {
    const scenarios = templatingScenarios().slice(0, 2);
    const steps: string[] = [];
    const results = await runTemplatingSuite({ quick: true, scenarios, onProgress: (label) => steps.push(label) });
    expect(results.map((r) => ({ name: r.name, template: r.template }))).toEqual(scenarios);
    for (const r of results) {
      expect(Object.keys(r).sort()).toEqual(['cachedUs', 'firstUseUs', 'name', 'template']);
      expect(r.firstUseUs).toBeGreaterThan(0);
      expect(r.cachedUs).toBeGreaterThan(0);
    }
    expect(steps).toEqual(scenarios.flatMap((s) => [`${s.name} first use`, `${s.name} cached`]));
  });

  it('fails before timing anything when a scenario does not render', async () => {
    const names = templatingScenarios().map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    await expect(runTemplatingSuite({ quick: true, scenarios: [{ name: 'broken', template: '{{ inputs.missing }}' }] })).rejects.toMatchObject({
      code: 'TROUPE_EXPR_UNDEFINED_VARIABLE',
    });
  });
});
