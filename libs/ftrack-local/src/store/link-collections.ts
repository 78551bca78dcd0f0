// Collections stored in a link table (AssetVersion.uses_versions through
// AssetVersionLink, list items through ListObject, workflow statuses): the
// listed items become the members, so links are created for new items and
// removed for items left out (protocol §3.5).
import { randomUUID } from 'node:crypto';
import { validationError } from '../http/errors.js';
import type { Relation } from '../schema/index.js';
import type { EntityRepo, Row } from './entity-repo.js';
import type { SchemaView } from './schema-view.js';
import { asReference } from './values.js';

export function setLinkedMembers(view: SchemaView, repo: EntityRepo, ownerType: string, owner: Row, attribute: string, items: readonly unknown[]): void {
  const relation = view.relation(ownerType, attribute) as Relation & { through: NonNullable<Relation['through']> };
  const { type: linkType, ownerKey, targetKey } = relation.through;
  const ownerId = owner[relation.localKey ?? 'id'];
  const allowed = memberTypes(view, relation.target);
  const wanted: string[] = [];
  for (const item of items) {
    const reference = asReference(item);
    if (!reference || !allowed.includes(reference.type)) {
      throw validationError(`'${reference?.type ?? typeof item}' cannot be a member of '${attribute}' on '${ownerType}'.`);
    }
    const id = reference.data['id'];
    if (typeof id !== 'string' || !repo.findAmong(allowed, [id])) {
      throw validationError(`${reference.type} ${String(id)} does not exist.`);
    }
    if (id === ownerId && linkType === 'AssetVersionLink') throw validationError('A version cannot use itself.');
    if (!wanted.includes(id)) wanted.push(id);
  }
  const linkKey = view.primaryKey(linkType);
  const existing = repo.findBy([linkType], ownerKey, ownerId).map((found) => found.row);
  for (const link of existing) {
    if (!wanted.includes(String(link[targetKey])))
      repo.remove(
        linkType,
        linkKey.map((name) => link[name]),
        link,
      );
  }
  const present = new Set(existing.map((link) => String(link[targetKey])));
  for (const id of wanted) {
    if (present.has(id)) continue;
    const link: Row = { [ownerKey]: ownerId, [targetKey]: id };
    if (linkKey.includes('id')) link['id'] = randomUUID();
    repo.insert(
      linkType,
      linkKey.map((name) => link[name]),
      link,
    );
  }
}

/** Types an item may have: typed-context lists take any typed context, not only Tasks. */
function memberTypes(view: SchemaView, target: string): string[] {
  return view.isTypedContext(target) ? view.concreteTypes('TypedContext') : view.concreteTypes(target);
}

/** Links that point at a deleted entity go with it. */
export function removeLinksTo(repo: EntityRepo, id: unknown): void {
  for (const [linkType, keys] of [
    ['AssetVersionLink', ['from_id', 'to_id']],
    ['ListObject', ['entity_id', 'list_id']],
  ] as const) {
    for (const key of keys) {
      for (const { row: link } of repo.findBy([linkType], key, id)) {
        if (repo.get(linkType, [link['id']])) repo.remove(linkType, [link['id']], link);
      }
    }
  }
}
