// The review page: plain DOM, no dependencies. Every action goes to the server at once (it writes the run's store),
// and the page re-renders from the server's answer, so what is shown is always what is stored.
'use strict';
const $ = id => document.getElementById(id);
const TILE = 112; // keep in step with --tile in app.css
const VERDICTS = ['undecided', 'keep', 'discard'];
// The report's definition, word for word (ClusterCohesion.Definition; SimilarImagesTests checks they agree).
const COHESION = "Cohesion: mean cosine similarity of the cluster's images to their mean direction, on the model's embeddings (1 = all alike, near 0 = unrelated; higher = tighter).";
let overview = null, paths = null, current = null, selected = -1, focusedCard = 0;
// Images picked in the open cluster for a bulk action (positions in its grid; the map keeps its own, mapPicked).
let picked = new Set(), anchor = -1;
const SECONDS_PER_DECISION = 10, IMAGES_PER_HOUR_BY_HAND = 100; // the README's assumption and the study's figure

async function api(method, url, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
  const response = await fetch(url, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) throw new Error((data && data.error) || text || response.statusText);
  return data;
}

function say(text, isError) { const m = $('message'); m.textContent = text; m.className = isError ? 'error' : ''; }

// body[data-pending] counts the actions still on their way, so a script (or a test) can wait for the page to settle.
let pending = 0;
function busy(delta) { pending += delta; document.body.dataset.pending = String(pending); }

async function act(method, url, body, done) {
  busy(1);
  try {
    const result = await api(method, url, body);
    if (result && result.counts) await show(result);
    if (done) done(result);
  } catch (e) { say(e.message, true); } finally { busy(-1); }
}

function label(c) {
  const base = c.cluster === -1 ? 'noise' : `cluster ${c.cluster}`; // −1: the images a density algorithm left out
  return c.name ? `${c.cluster} · ${c.name}` : base;
}

let cohesionRetry = 0, cohesionAsks = 0;
async function show(view) {
  overview = view;
  const c = view.counts;
  $('count-kept').textContent = c.kept; $('count-discarded').textContent = c.discarded;
  $('count-undecided').textContent = c.undecided; $('count-images').textContent = c.images;
  $('undo').disabled = !view.canUndo; $('redo').disabled = !view.canRedo;
  const decided = c.kept + c.discarded, spent = view.decisions * SECONDS_PER_DECISION / 3600, byHand = decided / IMAGES_PER_HOUR_BY_HAND;
  $('effort').textContent = `· ${view.decisions} decision${view.decisions === 1 ? '' : 's'} for ${decided} decided: ≈ ${hours(spent)} here, ≈ ${hours(byHand)} by hand`;
  $('effort').dataset.decisions = String(view.decisions);
  const p = view.proposals;
  $('accept-proposals').hidden = !p || p.sureKeep === 0;
  if (p) $('accept-proposals').textContent = `Accept ${p.sureKeep} sure proposals`;
  $('queue-note').textContent = !p ? 'largest first · mark examples (L / N on images) to order the clusters by what a look there can gain'
    : p.error ? p.error : `queue: most to gain first · from ${p.like} like and ${p.unlike} unlike images · sure (≥ 0.9): keep ${p.sureKeep}, discard ${p.sureDiscard}`;
  $('discard-undecided').disabled = c.undecided === 0;
  $('run-info').textContent = `${view.clusters.length} clusters · run ${view.run} · images in ${view.input}` +
    (c.addedImages ? ` · ${c.addedImages} new images since the review began: inherited keep ${c.inheritedKeep}, discard ${c.inheritedDiscard}; ${c.inNewGroup} in the group 'new'` : '');
  const list = $('history-list'); list.replaceChildren(...view.history.map(h => { const li = document.createElement('li'); li.textContent = `#${h.seq} ${h.description}`; return li; }));
  if (view.history.length) say(`last: #${view.history[0].seq} ${view.history[0].description}`);
  renderCards();
  // The server lists the clusters before it has read the embeddings (seconds at 100 000 images): ask again for cohesion,
  // for a minute at most (a store that cannot be read leaves it empty for good).
  if (view.clusters.some(k => k.size > 0 && k.cohesion == null) && !cohesionRetry && cohesionAsks < 60)
    cohesionRetry = setTimeout(() => { cohesionRetry = 0; cohesionAsks++; act('GET', '/api/overview'); }, 1000);
  if (findingsOpen) await openFindings();
  if (mapOpen && map) await recolourMap(); // the layout stays; colours follow the decisions
  if (current !== null) {
    if (view.clusters.some(k => k.cluster === current.cluster.cluster)) await openCluster(current.cluster.cluster, true);
    else location.hash = '';
  }
}

function hours(h) { return h < 1 ? `${Math.round(h * 60)} min` : `${h.toFixed(1)} h`; }

function renderCards() {
  const cards = overview.clusters.map((c, i) => {
    const card = document.createElement('article');
    card.className = `card v-${c.verdict}`; card.tabIndex = 0; card.dataset.cluster = c.cluster; card.dataset.index = i;
    const h = document.createElement('h3');
    h.append(label(c)); const v = document.createElement('span'); v.className = c.verdict; v.textContent = c.verdict; h.append(v);
    const thumbs = document.createElement('div'); thumbs.className = 'thumbs';
    for (const n of c.samples) { const img = document.createElement('img'); img.loading = 'lazy'; img.src = `/api/thumb/${n}`; img.alt = paths ? paths[n] : ''; thumbs.append(img); }
    const meta = document.createElement('div'); meta.className = 'meta';
    meta.textContent = `${c.size} images · cohesion ${c.cohesion == null ? '–' : c.cohesion.toFixed(2)} · kept ${c.kept} · discarded ${c.discarded}`;
    meta.title = COHESION;
    card.append(h, thumbs, meta);
    if (c.proposal) {
      const q = c.proposal, line = document.createElement('div'); line.className = 'proposal';
      line.append(`proposal ${q.verdict} ${q.confidence.toFixed(2)} · to gain ${q.value.toFixed(1)}`);
      if (q.impurity >= 0.2) {
        const mixed = document.createElement('button'); mixed.className = 'mixed'; mixed.textContent = 'mixed: split (S)';
        mixed.title = `${Math.round(q.impurity * 100)} % of its images lean the other way`;
        mixed.addEventListener('click', e => { e.stopPropagation(); act('POST', `/api/clusters/${c.cluster}/split`); });
        line.append(mixed); card.dataset.mixed = 'true';
      }
      card.append(line);
    }
    card.addEventListener('click', () => { location.hash = `cluster=${c.cluster}`; });
    card.addEventListener('focus', () => { focusedCard = i; });
    return card;
  });
  $('cards').replaceChildren(...cards);
}

async function openCluster(cluster, keepScroll) {
  let view;
  try { view = await api('GET', `/api/clusters/${cluster}`); } catch (e) { say(e.message, true); location.hash = ''; return; }
  const sameCluster = current && current.cluster.cluster === cluster;
  // The picks are grid positions: a refresh after a split, a move or an undo may reorder the grid, so they follow their images.
  const pickedImages = sameCluster ? new Set([...picked].map(i => current.images[i])) : new Set();
  const anchorImage = sameCluster && anchor >= 0 ? current.images[anchor] : null;
  current = view;
  if (sameCluster) {
    picked = new Set(view.images.flatMap((image, i) => pickedImages.has(image) ? [i] : []));
    anchor = anchorImage === null ? -1 : view.images.indexOf(anchorImage);
    showPicked();
  }
  $('overview').hidden = true; $('cluster').hidden = false;
  const c = view.cluster;
  $('cluster-title').textContent = label(c);
  $('cluster-meta').textContent = `${c.size} images · ${c.verdict} · cohesion ${c.cohesion == null ? '–' : c.cohesion.toFixed(2)}`;
  $('cluster-meta').title = COHESION;
  $('cluster-title').className = c.verdict;
  $('rename-input').value = c.name || '';
  const others = overview.clusters.filter(k => k.cluster !== cluster);
  $('merge-from').replaceChildren(...others.map(k => new Option(`${label(k)} (${k.size})`, k.cluster)));
  // A refresh (after an edit, or coming back to the window) keeps the target the reviewer already chose.
  const target = $('move-to').value;
  $('move-to').replaceChildren(...others.map(k => new Option(`to ${label(k)}`, k.cluster)));
  if (sameCluster && others.some(k => String(k.cluster) === target)) $('move-to').value = target;
  $('grid-space').style.height = `${Math.ceil(view.images.length / columns()) * TILE}px`;
  if (!(keepScroll && sameCluster)) { $('grid').scrollTop = 0; selected = -1; tiles.forEach(t => t.remove()); tiles.clear(); }
  if (!sameCluster) clearPicked();
  if (selected >= view.images.length) selected = view.images.length - 1;
  renderGrid(true);
  showDetail();
  // Opening a cluster puts the keys on its grid; a refresh of the open one leaves the focus where the reviewer put it
  // (pressing M while a split is still on its way must leave the target list focused).
  const focusLost = !document.activeElement || document.activeElement === document.body;
  if (!sameCluster || focusLost) $('grid').focus({ preventScroll: true });
}

function columns() { return Math.max(1, Math.floor($('grid').clientWidth / TILE)); }

// Only the rows in view (plus a margin) exist in the DOM: a 10 000-image cluster costs what a screenful does.
const tiles = new Map();
let frame = 0;
function renderGrid(refresh) {
  frame = 0;
  if (!current) return;
  const grid = $('grid'), cols = columns(), n = current.images.length;
  $('grid-space').style.height = `${Math.ceil(n / cols) * TILE}px`;
  const first = Math.max(0, Math.floor(grid.scrollTop / TILE) - 2) * cols;
  const last = Math.min(n, (Math.ceil((grid.scrollTop + grid.clientHeight) / TILE) + 2) * cols);
  for (const [i, t] of tiles) if (i < first || i >= last) { t.firstChild.removeAttribute('src'); t.remove(); tiles.delete(i); }
  for (let i = first; i < last; i++) {
    let t = tiles.get(i);
    const image = current.images[i];
    if (!t) {
      t = document.createElement('div'); t.dataset.pos = i;
      const img = document.createElement('img'); img.decoding = 'async'; t.append(img);
      t.style.left = `${(i % cols) * TILE}px`; t.style.top = `${Math.floor(i / cols) * TILE}px`;
      t.addEventListener('click', e => pickOrSelect(Number(t.dataset.pos), e));
      $('grid-space').append(t); tiles.set(i, t);
    }
    t.style.left = `${(i % cols) * TILE}px`; t.style.top = `${Math.floor(i / cols) * TILE}px`;
    t.dataset.image = image;
    const example = current.examples[i] === 1 ? ' like' : current.examples[i] === 2 ? ' unlike' : '';
    t.className = `tile v-${VERDICTS[current.verdicts[i]]}${current.own[i] ? ' own' : ''}${example}${current.added[i] ? ' added' : ''}${i === selected ? ' selected' : ''}${picked.has(i) ? ' picked' : ''}`;
  }
  clearTimeout(loadTimer);
  loadTimer = setTimeout(loadThumbnails, refresh ? 0 : 80);
}

// Thumbnails are asked for once the scroll rests: a fling through 10 000 images would otherwise queue thousands of
// requests for tiles already gone, and the screen it stops on would wait behind them.
let loadTimer = 0;
function loadThumbnails() {
  for (const t of tiles.values()) {
    const img = t.firstChild, src = `/api/thumb/${t.dataset.image}`;
    if (img.getAttribute('src') !== src) { img.src = src; img.alt = paths ? paths[t.dataset.image] : ''; }
  }
}
function scheduleGrid() { if (!frame) frame = requestAnimationFrame(() => renderGrid(false)); }

function select(pos) {
  if (!current || current.images.length === 0) return;
  selected = Math.max(0, Math.min(current.images.length - 1, pos));
  const grid = $('grid'), top = Math.floor(selected / columns()) * TILE;
  if (top < grid.scrollTop) grid.scrollTop = top;
  else if (top + TILE > grid.scrollTop + grid.clientHeight) grid.scrollTop = top + TILE - grid.clientHeight;
  renderGrid(true); showDetail();
  $('similar-list').replaceChildren();
}

function showDetail() {
  const has = current && selected >= 0 && selected < current.images.length;
  $('image-detail').hidden = !has;
  document.querySelector('#image-panel .hint').hidden = has;
  if (!has) return;
  const image = current.images[selected];
  $('detail-thumb').src = `/api/thumb/${image}`;
  $('detail-path').textContent = paths[image];
  $('detail-verdict').textContent = `${VERDICTS[current.verdicts[selected]]}${current.own[selected] ? ' (its own verdict)' : ' (follows the cluster)'}`;
}

function selectedImage() { return current && selected >= 0 ? current.images[selected] : null; }

// Ctrl (or ⌘) + click toggles an image in the picked set, Shift + click picks the run from the last one; a plain click
// selects one image and drops the picks. A bulk action works on the picks, or on the selected image when there are none.
function pickOrSelect(pos, e) {
  if (e.shiftKey && anchor >= 0) { const [a, b] = anchor < pos ? [anchor, pos] : [pos, anchor]; for (let i = a; i <= b; i++) picked.add(i); }
  else if (e.ctrlKey || e.metaKey) { if (picked.has(pos)) picked.delete(pos); else picked.add(pos); anchor = pos; }
  else { picked.clear(); anchor = pos; }
  select(pos); showPicked();
}
function pickAll() {
  if (!current) return;
  if (picked.size === current.images.length) picked.clear(); else current.images.forEach((_, i) => picked.add(i));
  renderGrid(true); showPicked();
}
function clearPicked() { picked.clear(); anchor = -1; showPicked(); if (current) renderGrid(true); }
function showPicked() {
  $('grid-picked').hidden = picked.size === 0;
  $('grid-picked-count').textContent = `${picked.size} picked`;
  $('grid-picked').dataset.count = String(picked.size);
}
function targetImages() {
  if (picked.size) return [...picked].sort((a, b) => a - b).map(i => current.images[i]);
  const i = selectedImage(); return i === null ? [] : [i];
}
// One decision for a set of images: a verdict, or marking them as examples.
function bulk(what, images, done) {
  if (!images.length) { say('pick or select an image first', true); return; }
  if (what === 'like' || what === 'unlike') act('POST', '/api/examples', { [what]: images }, done);
  else act('POST', '/api/images/verdict', { images, verdict: what }, done);
}
function gridBulk(what) {
  if (what === 'clear') { clearPicked(); return; }
  bulk(what, targetImages(), () => clearPicked());
}

function clusterVerdict(verdict, cluster) { act('POST', `/api/clusters/${cluster ?? current.cluster.cluster}/verdict`, { verdict }); }
function imageVerdict(verdict) { gridBulk(verdict); }
function move() {
  const i = selectedImage(), to = Number($('move-to').value);
  if (i !== null && $('move-to').value !== '') act('POST', '/api/images/move', { images: [i], to });
}
async function similar() {
  const i = selectedImage(); if (i === null) return;
  try {
    const found = await api('GET', `/api/images/${i}/similar?count=12`);
    $('similar-list').replaceChildren(...found.map(s => {
      const f = document.createElement('figure'); const img = document.createElement('img'); img.src = `/api/thumb/${s.image}`; img.alt = s.path;
      const cap = document.createElement('figcaption'); cap.textContent = `${s.similarity.toFixed(2)} · c${s.cluster}`;
      f.title = s.path; f.append(img, cap);
      f.addEventListener('click', () => {
        if (s.cluster === current.cluster.cluster) select(current.images.indexOf(s.image));
        else location.hash = `cluster=${s.cluster}`;
      });
      return f;
    }));
  } catch (e) { say(e.message, true); }
}

// The findings of 'imagecluster duplicates' and 'issues' in the run folder: groups with the kept image marked, the
// worst images per issue, and one action each that discards them all (a single decision: one undo takes it back).
let findingsOpen = false;
function thumb(image, caption, className) {
  const f = document.createElement('figure'); f.className = className; f.dataset.image = image;
  const img = document.createElement('img'); img.loading = 'lazy'; img.src = `/api/thumb/${image}`; img.alt = paths[image];
  const cap = document.createElement('figcaption'); cap.textContent = caption;
  f.title = paths[image]; f.append(img, cap);
  return f;
}
async function openFindings() {
  let dup, iss;
  try { [dup, iss] = await Promise.all([api('GET', '/api/duplicates'), api('GET', '/api/issues')]); } catch (e) { say(e.message, true); return; }
  findingsOpen = true;
  $('overview').hidden = true; $('cluster').hidden = true; $('findings').hidden = false;
  $('dup-summary').textContent = !dup.found ? dup.missing
    : `${dup.groups} groups; ${dup.toDiscard} images can go, one per group is kept` +
      (dup.shown.length < dup.groups ? ` · showing the first ${dup.shown.length} groups` : '') +
      (dup.notInRun ? ` · ${dup.notInRun} named images are not in this run` : '');
  $('dup-discard').hidden = !dup.found || dup.toDiscard === 0;
  $('dup-groups').replaceChildren(...dup.shown.map((members, g) => {
    const row = document.createElement('div'); row.className = 'dup-group'; row.dataset.group = g;
    row.append(...members.map(m => thumb(m.image, m.keep ? 'kept' : m.similarity.toFixed(3), `v-${VERDICTS[m.verdict]}${m.keep ? ' kept' : ''}`)));
    return row;
  }));
  $('issue-summary').textContent = !iss.found ? iss.missing
    : iss.issues.length === 0 ? 'no image of this run has an issue' : (iss.notInRun ? `${iss.notInRun} named images are not in this run (unreadable files among them)` : '');
  $('issue-list').replaceChildren(...iss.issues.map(i => {
    const box = document.createElement('div'); box.className = 'issue'; box.dataset.issue = i.issue;
    const h = document.createElement('h4'); h.textContent = `${i.issue} · ${i.images}`;
    const b = document.createElement('button'); b.className = 'discard'; b.textContent = `Discard all ${i.images}`;
    b.addEventListener('click', () => act('POST', '/api/issues/discard', { issues: [i.issue] }));
    const thumbs = document.createElement('div'); thumbs.className = 'issue-thumbs';
    thumbs.append(...i.worst.map(n => thumb(n, paths[n], '')));
    box.append(h, b, thumbs);
    return box;
  }));
}

// Search by path: the first 50 images whose path holds the text; a click opens the image in its cluster.
let searchTimer = 0;
function search() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const q = $('search').value.trim();
    if (!q) { $('search-hits').replaceChildren(); $('search-hits').dataset.count = '0'; return; }
    busy(1);
    try {
      const hits = await api('GET', `/api/search?q=${encodeURIComponent(q)}`);
      $('search-hits').replaceChildren(...hits.map(h => {
        const f = thumb(h.image, h.path, 'hit');
        f.addEventListener('click', () => { location.hash = `cluster=${h.cluster}&image=${h.image}`; });
        return f;
      }));
      $('search-hits').dataset.count = String(hits.length);
      if (!hits.length) say(`no image path contains '${q}'`);
    } catch (e) { say(e.message, true); } finally { busy(-1); }
  }, 150);
}

// The run's map (t-SNE up to 1 500 images, UMAP above; laid out once by the server): one dot per image, coloured by its
// cluster now, hollow when discarded; a click opens the dot's cluster with its image selected.
let map = null, mapOpen = false;
const PAD = 12;
function hue(cluster) { return cluster < 0 ? null : (cluster * 137.508) % 360; } // golden angle: neighbours differ
async function openMap() {
  mapOpen = true;
  $('overview').hidden = true; $('cluster').hidden = true; $('findings').hidden = true; $('map').hidden = false;
  if (!map) $('map-note').textContent = 'laying out the map… (UMAP of a large run takes a while, once per server)';
  busy(1);
  try { map = await api('GET', '/api/map'); } catch (e) { say(e.message, true); return; } finally { busy(-1); }
  if (!mapOpen) return;
  $('map-note').textContent = `${map.method}: ${map.note}`;
  drawMap();
}
async function recolourMap() {
  busy(1);
  try { const now = await api('GET', '/api/map/colours'); map.clusters = now.clusters; map.verdicts = now.verdicts; } catch (e) { say(e.message, true); return; } finally { busy(-1); }
  if (mapOpen) drawMap();
}
function drawMap() {
  const canvas = $('map-canvas'), g = canvas.getContext('2d');
  const xs = map.x, ys = map.y, n = map.images.length;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity; // a loop: spreading 100 000 values overflows the stack
  for (let i = 0; i < n; i++) { x0 = Math.min(x0, xs[i]); x1 = Math.max(x1, xs[i]); y0 = Math.min(y0, ys[i]); y1 = Math.max(y1, ys[i]); }
  const sx = (canvas.width - 2 * PAD) / ((x1 - x0) || 1), sy = (canvas.height - 2 * PAD) / ((y1 - y0) || 1);
  map.screen = Array.from({ length: n }, (_, i) => [PAD + (xs[i] - x0) * sx, canvas.height - PAD - (ys[i] - y0) * sy]);
  g.clearRect(0, 0, canvas.width, canvas.height);
  const r = n > 20000 ? 1.5 : n > 2000 ? 2.5 : 4;
  for (let i = 0; i < n; i++) {
    const [px, py] = map.screen[i], h = hue(map.clusters[i]), colour = h === null ? '#888' : `hsl(${h} 70% 45%)`;
    g.beginPath(); g.arc(px, py, r, 0, 2 * Math.PI);
    if (map.verdicts[i] === 2) { g.strokeStyle = colour; g.stroke(); } else { g.fillStyle = colour; g.fill(); }
  }
  g.strokeStyle = '#111'; g.lineWidth = 1.5;
  for (const i of mapPicked) { const [px, py] = map.screen[i]; g.beginPath(); g.arc(px, py, r + 2.5, 0, 2 * Math.PI); g.stroke(); }
  g.lineWidth = 1;
  canvas.dataset.points = String(n);
  showMapPicked();
}

// Lasso: drag a loop on the map; the points inside are picked for one bulk action.
let mapPicked = new Set(), lasso = null, dragged = false;
function canvasPoint(event) {
  const canvas = $('map-canvas'), box = canvas.getBoundingClientRect();
  return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
}
function inside([x, y], polygon) { // even-odd rule
  let hit = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i], [xj, yj] = polygon[j];
    if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}
function showMapPicked() {
  $('map-picked').hidden = mapPicked.size === 0;
  $('map-picked-count').textContent = `${mapPicked.size} picked`;
  $('map-picked').dataset.count = String(mapPicked.size);
}
function mapBulk(what) {
  if (what === 'clear') { mapPicked.clear(); drawMap(); return; }
  bulk(what, [...mapPicked].map(i => map.images[i]), () => { mapPicked.clear(); if (map) drawMap(); });
}
function nearestPoint(event) {
  if (!map || !map.screen) return -1;
  const canvas = $('map-canvas'), box = canvas.getBoundingClientRect();
  const px = (event.clientX - box.left) * canvas.width / box.width, py = (event.clientY - box.top) * canvas.height / box.height;
  let best = -1, bestD = 64; // within 8 px
  map.screen.forEach(([x, y], i) => { const d = (x - px) ** 2 + (y - py) ** 2; if (d < bestD) { bestD = d; best = i; } });
  return best;
}

async function route() {
  const m = /cluster=(-?\d+)(?:&image=(\d+))?/.exec(location.hash);
  mapOpen = location.hash === '#map'; if (!mapOpen) { $('map').hidden = true; mapPicked.clear(); }
  if (m) {
    findingsOpen = false; $('findings').hidden = true; await openCluster(Number(m[1]), false);
    if (m[2] !== undefined && current) { const at = current.images.indexOf(Number(m[2])); if (at >= 0) select(at); }
    return;
  }
  current = null; selected = -1; tiles.forEach(t => t.remove()); tiles.clear();
  if (mapOpen) { await openMap(); return; }
  if (location.hash === '#findings') { await openFindings(); return; }
  findingsOpen = false; $('findings').hidden = true;
  $('cluster').hidden = true; $('overview').hidden = false;
  const cards = $('cards').children;
  if (cards.length) cards[Math.min(focusedCard, cards.length - 1)].focus({ preventScroll: true });
}

function moveCardFocus(delta) {
  const cards = $('cards').children; if (!cards.length) return;
  const perRow = Math.max(1, Math.round($('cards').clientWidth / cards[0].getBoundingClientRect().width));
  const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -perRow, ArrowDown: perRow }[delta];
  focusedCard = Math.max(0, Math.min(cards.length - 1, focusedCard + step));
  cards[focusedCard].focus();
}

document.addEventListener('keydown', e => {
  if (e.target.matches('input, select, textarea')) return;
  const key = e.key.toLowerCase();
  if ((e.ctrlKey || e.metaKey) && key === 'z') { e.preventDefault(); act('POST', e.shiftKey ? '/api/redo' : '/api/undo'); return; }
  if ((e.ctrlKey || e.metaKey) && key === 'y') { e.preventDefault(); act('POST', '/api/redo'); return; }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (key === '?') { $('help').hidden = !$('help').hidden; return; }
  if (key === 'e') { $('export-panel').hidden = false; $('export-to').focus(); e.preventDefault(); return; }
  if (key === 'g') { location.hash = 'findings'; return; }
  if (key === 'p') { location.hash = 'map'; return; }
  if (mapOpen && mapPicked.size && { k: 1, d: 1, l: 1, n: 1 }[key]) { mapBulk({ k: 'keep', d: 'discard', l: 'like', n: 'unlike' }[key]); return; }
  if (findingsOpen || mapOpen) { if (key === 'escape') { if (mapPicked.size) mapBulk('clear'); else location.hash = ''; } return; }
  if (!current) {
    const card = overview && overview.clusters[focusedCard];
    if (key === '/') { e.preventDefault(); $('search').focus(); return; }
    if (e.key.startsWith('Arrow')) { e.preventDefault(); moveCardFocus(e.key); }
    else if (key === 'enter' && card) location.hash = `cluster=${card.cluster}`;
    else if (key === 's' && card && card.proposal && card.proposal.impurity >= 0.2) act('POST', `/api/clusters/${card.cluster}/split`);
    else if (card && { k: 1, d: 1, u: 1 }[key]) clusterVerdict({ k: 'keep', d: 'discard', u: 'undecided' }[key], card.cluster);
    return;
  }
  const cols = columns();
  const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols }[e.key];
  if (step) { e.preventDefault(); select(selected < 0 ? 0 : selected + step); return; }
  const actions = {
    escape: () => { if (picked.size) clearPicked(); else location.hash = ''; }, k: () => clusterVerdict('keep'), d: () => clusterVerdict('discard'),
    u: () => clusterVerdict('undecided'), s: () => act('POST', `/api/clusters/${current.cluster.cluster}/split`), x: () => imageVerdict('discard'),
    i: () => imageVerdict('keep'), o: () => imageVerdict('undecided'), l: () => gridBulk('like'), n: () => gridBulk('unlike'), a: pickAll,
    m: () => $('move-to').focus(), f: similar, // M, then arrows and Enter
  };
  if (actions[key]) { e.preventDefault(); actions[key](); }
});

function wire() {
  $('undo').addEventListener('click', () => act('POST', '/api/undo'));
  $('redo').addEventListener('click', () => act('POST', '/api/redo'));
  $('export-toggle').addEventListener('click', () => { $('export-panel').hidden = !$('export-panel').hidden; });
  $('help-toggle').addEventListener('click', () => { $('help').hidden = !$('help').hidden; });
  $('back').addEventListener('click', () => { location.hash = ''; });
  $('findings-toggle').addEventListener('click', () => { location.hash = 'findings'; });
  $('findings-back').addEventListener('click', () => { location.hash = ''; });
  $('map-toggle').addEventListener('click', () => { location.hash = 'map'; });
  $('map-back').addEventListener('click', () => { location.hash = ''; });
  $('map-canvas').addEventListener('click', e => {
    if (dragged) { dragged = false; return; } // the end of a lasso, not a click on a dot
    const i = nearestPoint(e); if (i >= 0) location.hash = `cluster=${map.clusters[i]}&image=${map.images[i]}`;
  });
  $('map-canvas').addEventListener('mousedown', e => { if (map && map.screen) { lasso = [canvasPoint(e)]; dragged = false; } });
  $('map-canvas').addEventListener('mousemove', e => {
    if (lasso && e.buttons === 1) {
      lasso.push(canvasPoint(e));
      const [x0, y0] = lasso[0], [x1, y1] = lasso[lasso.length - 1];
      if (Math.abs(x1 - x0) + Math.abs(y1 - y0) > 6) dragged = true;
      if (dragged) {
        const g = $('map-canvas').getContext('2d');
        g.strokeStyle = '#2563eb'; g.beginPath(); g.moveTo(...lasso[lasso.length - 2]); g.lineTo(x1, y1); g.stroke();
      }
      return;
    }
    const i = nearestPoint(e);
    $('map-hover').textContent = i < 0 ? '' : `${paths[map.images[i]]} · cluster ${map.clusters[i]} · ${VERDICTS[map.verdicts[i]]}`;
  });
  window.addEventListener('mouseup', () => {
    if (!lasso) return;
    const loop = lasso; lasso = null;
    if (!dragged || loop.length < 3) return;
    map.screen.forEach((p, i) => { if (inside(p, loop)) mapPicked.add(i); });
    drawMap();
  });
  $('map-picked').addEventListener('click', e => { if (e.target.dataset.act) mapBulk(e.target.dataset.act); });
  $('grid-picked').addEventListener('click', e => { if (e.target.dataset.act) gridBulk(e.target.dataset.act); });
  $('i-like').addEventListener('click', () => gridBulk('like'));
  $('i-unlike').addEventListener('click', () => gridBulk('unlike'));
  $('accept-proposals').addEventListener('click', () => act('POST', '/api/proposals/accept', { minConfidence: 0.9 }));
  $('discard-undecided').addEventListener('click', () => act('POST', '/api/images/discard-undecided'));
  $('search').addEventListener('input', search);
  $('search').addEventListener('keydown', e => { if (e.key === 'Escape') { $('search').value = ''; search(); $('search').blur(); } });
  $('dup-discard').addEventListener('click', () => act('POST', '/api/duplicates/discard'));
  $('c-keep').addEventListener('click', () => clusterVerdict('keep'));
  $('c-discard').addEventListener('click', () => clusterVerdict('discard'));
  $('c-undecide').addEventListener('click', () => clusterVerdict('undecided'));
  $('rename').addEventListener('click', () => act('POST', `/api/clusters/${current.cluster.cluster}/rename`, { name: $('rename-input').value }));
  $('merge').addEventListener('click', () => { if ($('merge-from').value !== '') act('POST', `/api/clusters/${current.cluster.cluster}/merge`, { from: [Number($('merge-from').value)] }); });
  $('split').addEventListener('click', () => act('POST', `/api/clusters/${current.cluster.cluster}/split`));
  $('i-keep').addEventListener('click', () => imageVerdict('keep'));
  $('i-discard').addEventListener('click', () => imageVerdict('discard'));
  $('i-follow').addEventListener('click', () => imageVerdict('undecided'));
  $('move').addEventListener('click', move);
  $('move-to').addEventListener('keydown', e => { if (e.key === 'Enter') { e.preventDefault(); move(); $('grid').focus(); } });
  $('similar').addEventListener('click', similar);
  $('export-run').addEventListener('click', () => {
    $('export-result').textContent = 'exporting…';
    api('POST', '/api/export', { to: $('export-to').value, mode: $('export-mode').value, what: $('export-what').value, onCollision: $('export-collision').value })
      .then(r => { $('export-result').textContent = `exported ${r.written} images to ${r.to}; manifest ${r.manifest}; undo with: imagecluster undo ${r.journal}`; },
        e => { $('export-result').textContent = ''; say(e.message, true); });
  });
  $('grid').addEventListener('scroll', scheduleGrid, { passive: true });
  window.addEventListener('resize', () => { if (current) { tiles.forEach(t => t.remove()); tiles.clear(); renderGrid(true); } });
  window.addEventListener('hashchange', route);
  // 'select' in a terminal may have recorded decisions meanwhile: coming back to the page shows them.
  window.addEventListener('focus', () => { if (overview) act('GET', '/api/overview'); });
}

async function start() {
  wire();
  try {
    [paths, overview] = await Promise.all([api('GET', '/api/images'), api('GET', '/api/overview')]);
    await show(overview);
    await route();
    busy(0);
    document.body.dataset.ready = 'true';
  } catch (e) { say(e.message, true); }
}
start();
