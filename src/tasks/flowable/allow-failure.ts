/** io.kestra.plugin.core.flow.AllowFailure: a Sequential whose failure becomes WARNING. */
import { sequential } from './sequential.js';
import type { FlowableSpec } from './spec.js';

export const allowFailure: FlowableSpec = {
  ...sequential,
  adjustState: (state) => (state === 'FAILED' ? 'WARNING' : state),
};
