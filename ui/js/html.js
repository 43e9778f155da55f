// preact + htm, bound once: every view writes html`…` (values are escaped by preact, never parsed as markup).
import { h, render } from '../../vendor/preact.mjs';
import htm from '../../vendor/htm.mjs';

export { h, render };
export { useState, useEffect, useRef, useMemo, useCallback, useLayoutEffect } from '../../vendor/hooks.mjs';
export const html = htm.bind(h);
