// Shapes of the ftrack `query_schemas` payload (protocol §3.2), as served verbatim.

export interface PropertySchema {
  type?: string;
  format?: string;
  $ref?: string;
  items?: { $ref: string };
  default?: unknown;
  alias_for?: string;
  description?: string;
  enum?: unknown[];
  restricted_projection?: boolean;
  key_value_attributes?: { key: string; value: string };
  transform?: Record<string, string>;
}

/** Typed contexts and lists alias a shared backend table plus classifier columns. */
export interface ClassifierAlias {
  id: string;
  classifiers: Record<string, string>;
}

export interface EntitySchema {
  id: string;
  type: string;
  properties: Record<string, PropertySchema>;
  primary_key: string[];
  required?: string[];
  immutable?: string[];
  computed?: string[];
  default_projections?: string[];
  system_projections?: string[];
  alias_for?: string | ClassifierAlias;
}

export type AttributeKind = 'scalar' | 'datetime' | 'reference' | 'collection' | 'mapped_array';

/** One attribute of one entity type, classified the way the Python client does (protocol §3.2). */
export interface AttributeInfo {
  name: string;
  kind: AttributeKind;
  /** JSON type of a scalar: string, integer, number, boolean, object, variable. */
  valueType: string | undefined;
  format: string | undefined;
  /** Entity type a reference / collection points at. */
  target: string | undefined;
  /** Primary or foreign key: compared exactly (case-sensitive). */
  isKey: boolean;
  required: boolean;
  immutable: boolean;
  computed: boolean;
  /** Skipped by clients and never projected. */
  restricted: boolean;
  default: unknown;
  /** Backend column name (`alias_for`), e.g. `statusid` for `status_id`. */
  backendName: string;
}

/** How a relation attribute is stored, for the evaluator and for the server's create/update. */
export interface Relation {
  kind: 'reference' | 'collection';
  /** Declared target type (may be a base such as Context or Component). */
  target: string;
  /**
   * reference: FK attribute on the owner row (`asset_id`).
   * collection: owner attribute the remote key points at (default: the owner's `id`).
   */
  localKey?: string;
  /**
   * reference: target attribute the FK points at (default: the target's `id`).
   * collection: FK attribute on the target row pointing back at the owner (`version_id`).
   */
  remoteKey?: string;
  /** Many-to-many through a link table: owner id = link[ownerKey], target id = link[targetKey]. */
  through?: { type: string; ownerKey: string; targetKey: string };
  /** Relations computed from the tree rather than one key. */
  derived?: 'ancestors' | 'descendants' | 'latest_version' | 'custom_attributes';
  /** Only target rows whose attributes equal these values (Appointment.type for assignments). */
  filter?: Record<string, string>;
  /** mapped_array (key/value collection such as metadata). */
  mapped?: boolean;
}
