// Browser script of the review page (served as /review/app.js). Plain JS, no
// framework; every value from the server goes through textContent / attributes.
import { SERVER_LOCATION_ID } from '@ftrack-encode/ftrack-protocol';

export const REVIEW_SCRIPT = String.raw`
const SERVER_LOCATION_ID = '${SERVER_LOCATION_ID}';
const app = document.getElementById('app');

function takeCredentials() {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('user') && hash.get('key')) {
    sessionStorage.setItem('ftrack-local-user', hash.get('user'));
    sessionStorage.setItem('ftrack-local-key', hash.get('key'));
    history.replaceState(null, '', location.pathname + location.search);
  }
  const user = sessionStorage.getItem('ftrack-local-user');
  const key = sessionStorage.getItem('ftrack-local-key');
  return user && key ? { user, key } : null;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function call(creds, operations) {
  const response = await fetch('/api', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'ftrack-user': creds.user, 'ftrack-api-key': creds.key },
    body: JSON.stringify(operations),
  });
  const body = await response.json();
  if (!Array.isArray(body)) throw new Error(body.exception + ': ' + body.content);
  return body;
}

async function query(creds, expression) {
  const [result] = await call(creds, [{ action: 'query', expression }]);
  return result.data;
}

function showLogin() {
  const form = el('form', { id: 'login' },
    el('h2', {}, 'Sign in'),
    el('label', {}, 'API user ', el('input', { name: 'user', autocomplete: 'username' })),
    el('label', {}, 'API key ', el('input', { name: 'key', type: 'password', autocomplete: 'current-password' })),
    el('button', { type: 'submit' }, 'Open'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem('ftrack-local-user', form.elements.user.value);
    sessionStorage.setItem('ftrack-local-key', form.elements.key.value);
    route();
  });
  app.replaceChildren(form);
}

function thumbnail(entity) {
  const url = entity.thumbnail_url && entity.thumbnail_url.url;
  return url ? el('img', { src: url, alt: 'thumbnail', loading: 'lazy' }) : el('div', { class: 'thumb-placeholder' }, 'no thumbnail');
}

function versionLabel(version) {
  const asset = version.asset && version.asset.name ? version.asset.name : 'version';
  return asset + ' v' + String(version.version).padStart(3, '0');
}

async function showProjects(creds) {
  const projects = await query(creds, 'select id, name, full_name from Project order by name');
  app.replaceChildren(el('h1', {}, 'Projects'), el('div', { class: 'grid' }, ...projects.map((p) =>
    el('a', { class: 'card project', href: '/review/project/' + p.id }, el('strong', {}, p.full_name || p.name), el('div', { class: 'muted' }, p.name)))));
}

async function showProject(creds, projectId) {
  const versions = await query(creds, 'select id, version, comment, thumbnail_id, thumbnail_url, link, asset.name from AssetVersion order by version descending');
  const mine = versions.filter((v) => Array.isArray(v.link) && v.link.length > 0 && v.link[0].id === projectId);
  const title = mine.length > 0 ? mine[0].link[0].name : 'Project';
  app.replaceChildren(el('h1', {}, title), mine.length === 0 ? el('p', { class: 'muted' }, 'No versions yet.') : el('div', { class: 'grid' }, ...mine.map((v) =>
    el('a', { class: 'card version', href: '/review/version/' + v.id }, thumbnail(v),
      el('strong', {}, versionLabel(v)),
      el('div', { class: 'muted' }, v.link.slice(1, -1).map((l) => l.name).join(' / ')),
      el('div', {}, v.comment || '')))));
}

function pickPlayable(components) {
  const byName = (name) => components.find((c) => c.name === name);
  return byName('ftrackreview-mp4') || components.find((c) => /^ftrackreview-mp4/.test(c.name)) || byName('ftrackreview-webm') || byName('ftrackreview-image');
}

async function signedUrl(creds, componentId) {
  const rows = await query(creds, 'select url from ComponentLocation where component_id is "' + componentId + '" and location_id is "' + SERVER_LOCATION_ID + '"');
  return rows.length > 0 && rows[0].url ? rows[0].url.value : null;
}

async function showVersion(creds, versionId) {
  const versions = await query(creds, 'select id, version, comment, thumbnail_url, link, asset.name, date from AssetVersion where id is "' + versionId + '"');
  if (versions.length === 0) {
    app.replaceChildren(el('p', { class: 'error' }, 'Version not found.'));
    return;
  }
  const version = versions[0];
  const components = await query(creds, 'select id, name, file_type, size, metadata.key, metadata.value from Component where version_id is "' + versionId + '"');
  const playable = pickPlayable(components);
  let player = el('div', { class: 'thumb-placeholder' }, 'No reviewable media');
  if (playable) {
    const url = await signedUrl(creds, playable.id);
    if (url && /image/.test(playable.name)) player = el('img', { class: 'still', src: url, alt: playable.name });
    else if (url) player = el('video', { id: 'player', controls: '', src: url, preload: 'metadata' });
  } else if (version.thumbnail_url) {
    player = thumbnail(version);
  }
  const rows = components.map((c) => {
    const meta = (c.metadata || []).map((m) => el('div', {}, el('strong', {}, m.key + ': '), el('pre', {}, m.value)));
    return el('tr', {}, el('td', {}, c.name), el('td', {}, c.file_type || ''), el('td', {}, String(c.size ?? '')), el('td', {}, ...meta));
  });
  const path = (version.link || []).slice(0, -1).map((l) => l.name).join(' / ');
  app.replaceChildren(
    el('h1', { id: 'version-title' }, versionLabel(version)),
    el('div', { class: 'muted' }, path),
    el('p', {}, version.comment || ''),
    player,
    el('h2', {}, 'Components'),
    components.length === 0 ? el('p', { class: 'muted' }, 'No components.') :
      el('table', { id: 'components' }, el('tr', {}, el('th', {}, 'name'), el('th', {}, 'type'), el('th', {}, 'bytes'), el('th', {}, 'metadata')), ...rows));
  document.body.dataset.rendered = 'version';
}

async function route() {
  const creds = takeCredentials();
  if (!creds) return showLogin();
  document.getElementById('who').textContent = creds.user;
  try {
    const version = location.pathname.match(/^\/review\/version\/([A-Za-z0-9-]+)/);
    const project = location.pathname.match(/^\/review\/project\/([A-Za-z0-9-]+)/);
    if (version) await showVersion(creds, version[1]);
    else if (project) await showProject(creds, project[1]);
    else await showProjects(creds);
  } catch (error) {
    app.replaceChildren(el('p', { class: 'error' }, String(error.message || error)));
    if (/InvalidCredentials/.test(String(error.message))) { sessionStorage.clear(); showLogin(); }
  }
}

route();
`;
