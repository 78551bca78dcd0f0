// Composition root of the web app: the wasm encoder with this app's own core files, the
// web profile, and the page.
import { WasmBrowserEncoder } from '@ftrack-encode/encoder-wasm/browser';
import { App } from './app.js';
import { PageEncoder } from './encode/page-encoder.js';
import { wasmAssets } from './encode/wasm-assets.js';
import { webReviewProfile } from './encode/web-profile.js';
import { initialCredentials } from './settings.js';

const root = document.getElementById('main');
if (!root) throw new Error('index.html has no #main');

const encoder = new WasmBrowserEncoder({ assets: wasmAssets(import.meta.env.BASE_URL, location.href) });
const app = new App(root, new PageEncoder(encoder, webReviewProfile()), sessionStorage);
const initial = initialCredentials(location, sessionStorage, history);
app.showSignIn(initial, Boolean(initial.user && initial.apiKey));
