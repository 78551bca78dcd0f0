import { EncodeError, type StorageContext } from '@ftrack-encode/core';

export const DEFAULT_STRUCTURE = '{project}/{sequence}/{shot}/{asset}/v{version:03}/{component}.{ext}';

const PLACEHOLDER = /\{(\w+)(?::(\d+))?\}/g;
const KNOWN = new Set(['project', 'sequence', 'shot', 'asset', 'version', 'component', 'componentId', 'ext']);

/**
 * Make a value safe as (part of) one path segment: no separators, no NUL/control characters,
 * no characters Windows shares reject, never `.` or `..`. Spaces and unicode stay as they are.
 */
export function sanitizeSegmentValue(value: string): string {
  const cleaned = value
    .normalize('NFC')
    .replace(/[/\\\u0000-\u001f\u007f<>:"|?*]/g, '_')
    .trim();
  if (cleaned === '' || /^\.+$/.test(cleaned)) return cleaned.replace(/\./g, '_');
  return cleaned;
}

/** Throws E_CONFIG_INVALID for a template that could escape the prefix or names unknown fields. */
export function validateStructure(structure: string): void {
  const fail = (why: string) =>
    new EncodeError('E_CONFIG_INVALID', `Invalid disk storage structure "${structure}": ${why}.`, {
      hint: `Use placeholders ${[...KNOWN].map((k) => `{${k}}`).join(', ')} separated by "/", e.g. ${DEFAULT_STRUCTURE}`,
    });
  if (structure.startsWith('/') || structure.includes('\\') || /^[a-zA-Z]:/.test(structure)) throw fail('it must be relative');
  const segments = structure.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) throw fail('empty, "." and ".." segments are not allowed');
  for (const match of structure.matchAll(PLACEHOLDER)) {
    if (!KNOWN.has(match[1] ?? '')) throw fail(`unknown placeholder {${match[1]}}`);
  }
  if (!/\{(component|componentId)\b/.test(segments[segments.length - 1] ?? '')) {
    throw fail('the file name (last segment) must contain {component} or {componentId}');
  }
}

function valueOf(name: string, context: StorageContext): string | number | undefined {
  switch (name) {
    case 'component':
      return context.componentName;
    case 'componentId':
      return context.componentId;
    case 'ext':
      return context.extension.replace(/^\./, '');
    case 'version':
      return context.version;
    default:
      return context[name as 'project' | 'sequence' | 'shot' | 'asset'];
  }
}

/**
 * Render the structure for a context. A directory segment whose placeholder has no value
 * (e.g. no sequence for an asset build) is left out rather than rendered empty.
 */
export function renderStructure(structure: string, context: StorageContext): string {
  const segments = structure.split('/');
  const rendered: string[] = [];
  segments.forEach((segment, index) => {
    let missing = false;
    const text = segment.replace(PLACEHOLDER, (_all, name: string, pad?: string) => {
      const value = valueOf(name, context);
      if (value === undefined || value === '') {
        missing = true;
        return '';
      }
      const raw = typeof value === 'number' && pad ? String(value).padStart(Number(pad), '0') : String(value);
      return sanitizeSegmentValue(raw);
    });
    const isFileName = index === segments.length - 1;
    if (missing && !isFileName) return;
    rendered.push(sanitizeSegmentValue(text));
  });
  return rendered.join('/');
}
