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

function metadataValue(component, key) {
  const found = (component.metadata || []).find((m) => m.key === key);
  return found ? found.value : undefined;
}

/** Rate and frame count from the component's ftr_meta (what ftrack's own player uses); 24 fps when absent. */
function timelineOf(component) {
  let meta = {};
  try {
    meta = JSON.parse(metadataValue(component, 'ftr_meta') || '{}');
  } catch {
    meta = {};
  }
  const rate = Number(meta.frameRate);
  const frames = Number(meta.frameOut) - Number(meta.frameIn || 0);
  return { fps: rate > 0 ? rate : 24, frames: frames > 0 ? frames : undefined };
}

/** One-frame steps: buttons and , . / arrow keys; seeks to mid-frame so rounding never lands on a neighbour. */
function frameStepper(video, { fps, frames }) {
  const label = el('span', { id: 'frame-number' }, 'frame 0');
  // The container's duration can run past the last frame; ftr_meta's count is exact.
  const lastFrame = () => Math.max(0, (frames ?? (Number.isFinite(video.duration) ? Math.round(video.duration * fps) : Infinity)) - 1);
  // At the very end Chromium reports the duration, which shows the last frame.
  const frameOf = () => Math.min(lastFrame(), Math.floor(video.currentTime * fps + 1e-3));
  const show = () => { label.textContent = 'frame ' + frameOf(); video.dataset.frame = String(frameOf()); };
  const step = (delta) => {
    video.pause();
    video.currentTime = (Math.min(lastFrame(), Math.max(0, frameOf() + delta)) + 0.5) / fps;
  };
  video.addEventListener('timeupdate', show);
  video.addEventListener('seeked', show);
  document.addEventListener('keydown', (event) => {
    if (event.target instanceof HTMLInputElement) return;
    const delta = { ',': -1, ArrowLeft: -1, '.': 1, ArrowRight: 1 }[event.key];
    if (!delta) return;
    event.preventDefault();
    step(delta);
  }, true);
  const button = (id, text, delta) => {
    const b = el('button', { id, type: 'button' }, text);
    b.addEventListener('click', () => step(delta));
    return b;
  };
  return el('div', { class: 'stepper' }, button('frame-prev', '◀ frame', -1), button('frame-next', 'frame ▶', 1), label,
    el('span', { class: 'muted' }, ' ' + fps + ' fps · keys , . or ← →'));
}

/** The quality gate's figures (written by publish) of each component that has them. */
function qualityTable(components) {
  const measured = components.filter((c) => metadataValue(c, 'ftrack_encode.ssim') !== undefined);
  if (measured.length === 0) return null;
  const frames = (c) => (metadataValue(c, 'ftrack_encode.quality_frames') || '').split(',').filter(Boolean);
  return el('table', { id: 'quality' },
    el('tr', {}, el('th', {}, 'component'), el('th', {}, 'SSIM'), el('th', {}, 'PSNR (dB)'), el('th', {}, 'frames measured')),
    ...measured.map((c) => el('tr', { 'data-component': c.name },
      el('td', {}, c.name), el('td', { class: 'ssim' }, metadataValue(c, 'ftrack_encode.ssim')),
      el('td', { class: 'psnr' }, metadataValue(c, 'ftrack_encode.psnr') || '∞'),
      el('td', { class: 'frames', title: frames(c).join(', ') }, String(frames(c).length)))));
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
    else if (url) {
      const video = el('video', { id: 'player', controls: '', src: url, preload: 'auto' });
      player = el('div', { class: 'player' }, video, frameStepper(video, timelineOf(playable)));
    }
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
    ...(qualityTable(components) ? [el('h2', {}, 'Quality (against the source)'), qualityTable(components)] : []),
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
