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

export interface QueryDataSource {
  model: SchemaModel;
  /** All stored rows of one CONCRETE type, as plain objects keyed by API attribute names (FKs as *_id). */
  rows(type: string): Iterable<Row>;
  /** Computed attribute values (e.g. thumbnail_url, link, is_latest_version) — may return undefined. */
  computed?(type: string, row: Row, attribute: string): unknown;
  /** An entity's `custom_attributes` rows (one per applicable configuration), each with its concrete value type. */
  customAttributes?(type: string, row: Row): { type: string; row: Row }[];
}

export interface ExecuteOptions {
  /** `ftrack-strict-api` / `strict=1`: no system projections beyond PKs and what was asked. */
  strict?: boolean;
  /** Stops evaluation with a QueryBudgetError once spent (shared by the queries of one request). */
  budget?: Budget;
}

export interface QueryResult {
  data: EntityJson[];
  metadata: { next: { offset: number | null } };
}
