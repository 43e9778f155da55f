import { it } from 'vitest';
import { Parser, Composer, LineCounter } from 'yaml';
import { findExcessiveDepth } from '../../src/flow/depth-guard.js';
import { findDuplicateKeys } from '../../src/flow/duplicate-keys.js';
import { buildTree, toPlain } from '../../src/flow/yaml-tree.js';
import { validateFlow } from '../../src/flow/index.js';
it('x', () => {
  const keys = Array.from({ length: 200000 }, (_, i) => `  k${i}: ${i}`).join('\n');
  const src = `id: a\nnamespace: b\nvariables:\n${keys}\ntasks:\n  - id: x\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;
  for (let round = 0; round < 2; round++) {
  let t = Date.now();
  const lc = new LineCounter();
  const tokens = [...new Parser(lc.addNewLine).parse(src)];
  console.log('cst', Date.now() - t); t = Date.now();
  findExcessiveDepth(tokens, 100); console.log('depth', Date.now() - t); t = Date.now();
  const [doc] = [...new Composer({ uniqueKeys: false, prettyErrors: false, strict: true }).compose(tokens, true, src.length)];
  console.log('compose', Date.now() - t); t = Date.now();
  findDuplicateKeys(doc!, lc); console.log('dups', Date.now() - t); t = Date.now();
  doc!.toJS({ maxAliasCount: 100 }); console.log('toJS', Date.now() - t); t = Date.now();
  const tree = buildTree(doc!, lc); console.log('tree', Date.now() - t); t = Date.now();
  toPlain(tree); console.log('plain', Date.now() - t); t = Date.now();
  validateFlow(src); console.log('all', Date.now() - t); t = Date.now();
  }
});
