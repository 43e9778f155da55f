/**
 * The filter registry: Pebble core filters still enabled in Kestra, plus Kestra's own.
 */
import type { FilterFn } from '../context.js';
import { COLLECTION_FILTERS } from './collections.js';
import { DATA_FILTERS } from './data.js';
import { DATE_FILTERS } from './dates.js';
import { NUMBER_FILTERS } from './numbers.js';
import { STRING_FILTERS } from './strings.js';

/** Filters by name. */
export const FILTERS: ReadonlyMap<string, FilterFn> = new Map([
  ...STRING_FILTERS,
  ...COLLECTION_FILTERS,
  ...NUMBER_FILTERS,
  ...DATA_FILTERS,
  ...DATE_FILTERS,
]);

/** The names of all filters, sorted. */
export const FILTER_NAMES: readonly string[] = Object.freeze([...FILTERS.keys()].sort());
