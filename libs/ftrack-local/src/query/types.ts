// Public types of the query evaluator.
import type { SchemaModel } from '../schema/index.js';
import type { Budget } from './budget.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** An entity on the wire (protocol §4.1): concrete type, every primary key, projected attributes. */
export interface EntityJson {
  __entity_type__: string;
  [attribute: string]: JsonValue;
}

export type Row = Record<string, unknown>;

/** A stored row's identity and insertion order, without its data. */
export interface IndexedRef {
  type: string;
  key: string;
  order: number;
}

/**
 * Optional index over the stored rows, so a query reads only the rows it returns:
 * lookups by indexed attributes, identities in insertion order, rows by identity.
 */
export interface QueryIndex {
  /** Whether rows of this concrete type are all in the index (false for computed rows). */
  covers(type: string): boolean;
  /** `exact` (ids, foreign keys: compared as text) or `folded` (names: lower-cased); undefined when not indexed. */
  kind(attribute: string): 'exact' | 'folded' | undefined;
  /** Identities of rows whose attribute has one of the values (index text). */
  refs(types: readonly string[], attribute: string, values: readonly string[]): IndexedRef[];
  /** Every identity of the types, in insertion order. */
  all(types: readonly string[]): IndexedRef[];
  /** Rows by identity, in the order given. */
  load(refs: readonly IndexedRef[]): { type: string; row: Row }[];
  /** Stored top-level attribute values by `type\u0000key` (for sorting without whole rows). */
  values(refs: readonly IndexedRef[], attributes: readonly string[]): Map<string, unknown[]>;
  /** Every identity of the types with stored top-level attribute values, in one pass. */
  allValues(types: readonly string[], attributes: readonly string[]): { ref: IndexedRef; values: unknown[] }[];
  /** Changes whenever a row of the types (of any type, for an empty list) is written (for caches of sorted identities). */
  generation(types: readonly string[]): string;
}

/** Sorted identities of whole types, kept across queries until the types change (owned by the caller). */
export type SortCache = Map<string, { generation: string; refs: IndexedRef[] }>;

export interface QueryDataSource {
  model: SchemaModel;
  /** All stored rows of one CONCRETE type, as plain objects keyed by API attribute names (FKs as *_id). */
  rows(type: string): Iterable<Row>;
  /** Computed attribute values (e.g. thumbnail_url, link, is_latest_version) — may return undefined. */
  computed?(type: string, row: Row, attribute: string): unknown;
  /** An entity's `custom_attributes` rows (one per applicable configuration), each with its concrete value type. */
  customAttributes?(type: string, row: Row): { type: string; row: Row }[];
  index?: QueryIndex;
}

export interface ExecuteOptions {
  /** `ftrack-strict-api` / `strict=1`: no system projections beyond PKs and what was asked. */
  strict?: boolean;
  /** Stops evaluation with a QueryBudgetError once spent (shared by the queries of one request). */
  budget?: Budget;
  sortCache?: SortCache;
}

export interface QueryResult {
  data: EntityJson[];
  metadata: { next: { offset: number | null } };
}
