// The review page's HTML shell; all content is rendered by /review/app.js.
export const REVIEW_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ftrack-local review</title>
<link rel="icon" href="data:,">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #1e1f22; color: #e6e6e6; }
  header { padding: 12px 20px; background: #2b2d31; display: flex; gap: 16px; align-items: center; }
  header a { color: #9ecbff; text-decoration: none; }
  main { padding: 20px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 16px; }
  .card { background: #2b2d31; border-radius: 6px; padding: 10px; color: inherit; text-decoration: none; display: block; }
  .card img, .thumb-placeholder { width: 100%; aspect-ratio: 16/9; object-fit: contain; background: #111; display: block; }
  .thumb-placeholder { display: flex; align-items: center; justify-content: center; color: #777; }
  video, .still { max-width: 100%; max-height: 60vh; background: #000; display: block; }
  video#player { width: min(100%, 960px); }
  .stepper { display: flex; gap: 8px; align-items: center; margin: 6px 0; }
  table { border-collapse: collapse; margin: 8px 0 20px; }
  td, th { border: 1px solid #444; padding: 4px 8px; text-align: left; vertical-align: top; }
  pre { margin: 0; white-space: pre-wrap; }
  .muted { color: #999; }
  .error { color: #ff8a8a; }
  form label { display: block; margin: 8px 0; }
  input { width: 320px; padding: 4px; }
</style>
</head>
<body>
<header><strong>ftrack-local</strong><a href="/">Projects</a><span id="who" class="muted"></span></header>
<main id="app"><p class="muted">Loading…</p></main>
<script src="/review/app.js" type="module"></script>
</body>
</html>
`;
