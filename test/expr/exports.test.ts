import { describe, it, expect } from 'vitest';
import * as expr from '../../src/expr/index.js';

describe('src/expr public face', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(expr).sort()).toEqual([
      'DEFAULT_RENDER_LIMITS', 'FILTER_NAMES', 'FUNCTION_NAMES', 'clearTemplateCache', 'compileTemplate', 'failureLogMessage', 'isTruthy',
      'renderObject', 'renderString', 'renderTyped',
    ]);
  });

  it('has the documented default limits', () => {
    expect(expr.DEFAULT_RENDER_LIMITS).toEqual({
      maxOutputChars: 10_000_000, maxIterations: 1_000_000, maxDepth: 200, maxRangeSize: 1_000_000,
      maxCollectionSize: 1_000_000, maxSteps: 5_000_000, maxBuiltChars: 100_000_000,
    });
  });
});
