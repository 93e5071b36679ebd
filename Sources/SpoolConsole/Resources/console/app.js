// Spool console: one ES module, no dependencies, no build step.
//
// Rules this file keeps (the page's CSP and the threat model ask for them):
// - No inline script, handler or style: listeners are attached here; sizes go through the CSSOM (el.style.width).
// - Every value from the API reaches the DOM through textContent or setAttribute (see `el`), never innerHTML.
// - The API key is sent once to POST /v1/sessions and dropped; the browser keeps only the HttpOnly cookie. Writes
//   echo the session's CSRF token in X-CSRF-Token.

// ---------------------------------------------------------------------------------------------------------------
// DOM helpers
// ---------------------------------------------------------------------------------------------------------------

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
const SVG_NS = 'http://www.w3.org/2000/svg';
const DASH = '—';

/** An element with attributes and children. `text` sets textContent, `dataset` data-*, `onX` functions listen to X;
 *  null, undefined and false are skipped, true sets an empty (boolean) attribute. Strings become text nodes. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  applyAttrs(node, attrs);
  appendAll(node, children);
  return node;
}

/** The same for SVG elements. */
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  applyAttrs(node, attrs);
  appendAll(node, children);
  return node;
}

function applyAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
}

function appendAll(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces a node's children, with el's rules: arrays are flattened, null/false skipped, strings become text. */
function fill(node, ...children) {
  node.replaceChildren();
  appendAll(node, children);
  return node;
}

/** Sets text only when it changed, so live updates do not disturb screen readers or selections. */
function setText(node, text) {
  const value = text === null || text === undefined ? '' : String(text);
  if (node.textContent !== value) node.textContent = value;
}

function setAttr(node, name, value) {
  if (value === null || value === undefined) node.removeAttribute(name);
  else if (node.getAttribute(name) !== String(value)) node.setAttribute(name, String(value));
}

const enc = encodeURIComponent;
const jobHref = (id) => `#/jobs/${enc(id)}`;
const poolHref = (name) => `#/pools/${enc(name)}`;

/** Only same-origin paths from the API become links or media sources (never `javascript:` or another host). */
function safePath(url) {
  return typeof url === 'string' && url.startsWith('/') && !url.startsWith('//') ? url : null;
}

function parseJSON(text) {
  try { return JSON.parse(text); } catch { return null; }
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------------------------

const STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
const isTerminal = (state) => state === 'succeeded' || state === 'failed' || state === 'cancelled';

function parseDate(value) {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time);
}

function fmtNumber(value, digits = 1) {
  if (value === null || value === undefined || !Number.isFinite(Number(value))) return DASH;
  return Number(value).toLocaleString(undefined, { maximumFractionDigits: digits });
}

function fmtBytes(bytes) {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${value.toFixed(unit > 0 && value < 10 ? 1 : 0)} ${units[unit]}`;
}

function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return DASH;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

function fmtRelative(date, now = Date.now()) {
  if (!date) return DASH;
  const diff = (now - date.getTime()) / 1000;
  const span = Math.abs(diff);
  if (span < 5) return diff >= 0 ? 'just now' : 'in a moment';
  let text;
  if (span < 60) text = `${Math.round(span)} s`;
  else if (span < 3600) text = `${Math.round(span / 60)} min`;
  else if (span < 86400) text = `${Math.round(span / 3600)} h`;
  else text = `${Math.round(span / 86400)} d`;
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

const fmtDateTime = (date) => (date ? date.toLocaleString() : DASH);

/** A <time> that says "3 min ago" (kept fresh by refreshTimes) with the exact moment in its title. */
function timeAgo(iso, className) {
  const date = parseDate(iso);
  if (!date) return el('span', { class: className, text: DASH });
  return el('time', { class: className, datetime: iso, title: fmtDateTime(date), 'data-rel': '', text: fmtRelative(date) });
}

function refreshTimes(root) {
  const now = Date.now();
  for (const node of $$('time[data-rel]', root)) setText(node, fmtRelative(parseDate(node.getAttribute('datetime')), now));
}

/** Integer percent for aria-valuenow: floored while running (99.6 % is not done), 100 once succeeded. */
function percentOf(job) {
  if (job.state === 'succeeded') return 100;
  const fraction = Number(job.progress) || 0;
  return Math.max(0, Math.min(100, Math.floor(fraction * 100)));
}

/** Seconds left, extrapolated from the time since started_at and the progress made; null when unknown. */
function etaSeconds(job, now = Date.now()) {
  if (job.state !== 'running') return null;
  const started = parseDate(job.started_at);
  const fraction = Number(job.progress);
  if (!started || !(fraction > 0.005) || fraction >= 1) return null;
  const elapsed = (now - started.getTime()) / 1000;
  return elapsed > 0 ? (elapsed * (1 - fraction)) / fraction : null;
}

const fmtEta = (job) => fmtDuration(etaSeconds(job));

// ---------------------------------------------------------------------------------------------------------------
// Widgets shared by the views
// ---------------------------------------------------------------------------------------------------------------

function badge(text, tone, title) {
  return el('span', { class: `badge ${tone}`, title, text });
}

function setStateBadge(node, state, title) {
  setText(node, state ?? '');
  node.className = `badge state-${STATES.includes(state) ? state : 'queued'}`;
  setAttr(node, 'title', title ?? null);
}

function progressBar(label, extraClass = '') {
  return el('div', {
    class: `progress ${extraClass}`.trim(), role: 'progressbar', 'aria-label': label,
    'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0,
  }, el('div', { class: 'progress-fill' }));
}

/** Updates a bar in place; the width goes through the CSSOM, which the CSP allows. */
function setProgress(bar, percent, state) {
  setAttr(bar, 'aria-valuenow', percent);
  setAttr(bar, 'aria-valuetext', state ? `${percent}%, ${state}` : `${percent}%`);
  bar.firstElementChild.style.width = `${percent}%`;
  for (const name of STATES) bar.classList.toggle(`is-${name}`, name === state);
}

/** A small gauge (utilisation, memory): role=meter, the text beside it says the value too. */
function meter(label, fraction, text) {
  const percent = Math.max(0, Math.min(100, Math.round((fraction ?? 0) * 100)));
  const bar = el('div', { class: 'progress', role: 'meter', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': percent },
    el('div', { class: 'progress-fill' }));
  bar.firstElementChild.style.width = `${percent}%`;
  return el('span', { class: 'meter' }, bar, el('span', { class: 'meter-text', text }));
}

/** Fills a <dl> from [term, value] pairs (falsy pairs are skipped); grouped wraps each pair in a <div>. */
function fillKV(dl, pairs, { grouped = false } = {}) {
  const items = pairs.filter(Boolean).map(([term, value]) => {
    const nodes = [el('dt', { text: term }), el('dd', {}, value === null || value === undefined || value === '' ? DASH : value)];
    return grouped ? el('div', {}, nodes) : nodes;
  });
  fill(dl, ...items.flat());
}

function emptyRow(columns, title, text) {
  return el('tr', { class: 'empty-row' }, el('td', { colspan: columns, class: 'empty' }, el('strong', { text: title }), text ?? ''));
}

/**
 * Brings the keyed children of `container` in line with `items`, updating rows in place and moving only rows out of
 * order, so focus, selection and running animations survive a refresh. Unkeyed children (a caption, a thead) stay.
 */
function reconcile(container, items, { key, create, update, empty }) {
  const rows = new Map();
  for (const child of Array.from(container.children)) {
    if (child.classList.contains('empty-row') || child.classList.contains('empty-group')) child.remove();
    else if (child.dataset.rowKey !== undefined) rows.set(child.dataset.rowKey, child);
  }
  const wanted = new Set(items.map((item) => String(key(item))));
  for (const [k, row] of rows) if (!wanted.has(k)) { row.remove(); rows.delete(k); }
  let previous = null;
  for (const item of items) {
    const k = String(key(item));
    let row = rows.get(k);
    if (!row) {
      row = create(item);
      row.dataset.rowKey = k;
      rows.set(k, row);
    }
    update(row, item);
    const expected = previous ? previous.nextElementSibling : firstKeyed(container);
    if (row !== expected) {
      if (previous) previous.after(row);
      else if (expected) expected.before(row);
      else container.append(row);
    }
    previous = row;
  }
  if (!items.length && empty) container.append(empty());
}

function firstKeyed(container) {
  for (const child of container.children) if (child.dataset.rowKey !== undefined) return child;
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Flash messages (#flash is the page's polite live region)
// ---------------------------------------------------------------------------------------------------------------

function flash(message, { type = 'info', title } = {}) {
  const region = $('#flash');
  const item = el('div', { class: `flash-msg is-${type}` },
    el('p', {}, title ? el('strong', { text: title }) : null, message),
    el('button', { type: 'button', class: 'flash-close', 'aria-label': 'Dismiss message', onclick: () => item.remove() }, '×'));
  region.append(item);
  while (region.children.length > 3) region.firstElementChild.remove();
  setTimeout(() => item.remove(), type === 'error' ? 12000 : 6000);
}

const isAbort = (error) => error && error.name === 'AbortError';

// ---------------------------------------------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, title, detail, problem) {
    super(detail || title);
    this.status = status;
    this.title = title;
    this.detail = detail || title;
    this.problem = problem;
  }
}

const state = {
  session: null,   // SessionView: caller, tenant, authentication, expires_at, csrf_token
  view: null,      // the active view object
  scope: null,     // its Scope (timers, streams, fetches), disposed when the view is left
  routed: false,   // whether a first view was shown (focus moves to the heading only after that)
  presets: null,
  expiryTimer: 0,
};

const isOperator = () => state.session?.caller === 'admin' || state.session?.caller === 'local';

function csrfHeaders() {
  const token = state.session?.csrf_token;
  return token ? { 'X-CSRF-Token': token } : {};
}

async function readBody(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  return (response.headers.get('Content-Type') || '').includes('json') ? parseJSON(text) : text;
}

/** An ApiError from a problem+json body (its `detail` is what the user reads), or from whatever else came back. */
function problemError(status, body, statusText) {
  if (body && typeof body === 'object') {
    return new ApiError(status, body.title || statusText, body.detail || body.title || statusText || `HTTP ${status}`, body);
  }
  const text = typeof body === 'string' ? body.trim().slice(0, 300) : '';
  return new ApiError(status, statusText || `HTTP ${status}`, text || `The server answered ${status} ${statusText || ''}.`.trim());
}

/**
 * Calls the API with the session cookie. Writes carry the CSRF token; a JSON body is sent as JSON. A 401 means the
 * session is gone: the console shows the sign-in form (unless `quiet401`, for calls that expect it).
 */
async function api(path, { method = 'GET', body, signal, quiet401 = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') Object.assign(headers, csrfHeaders());
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store', signal };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(0, 'Network error', 'The Spool server cannot be reached. Check that it is running and try again.');
  }
  const data = await readBody(response);
  if (!response.ok) {
    const error = problemError(response.status, data, response.statusText);
    if (response.status === 401 && !quiet401) sessionLost(error.detail);
    throw error;
  }
  return data;
}

/** POST /v1/uploads with XMLHttpRequest, the one browser API that reports upload progress. */
function uploadFile(file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/uploads');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [name, value] of Object.entries(csrfHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      const body = xhr.responseText ? parseJSON(xhr.responseText) ?? xhr.responseText : null;
      if (xhr.status >= 200 && xhr.status < 300) { resolve(body); return; }
      const error = problemError(xhr.status, body, xhr.statusText);
      if (xhr.status === 401) sessionLost(error.detail);
      reject(error);
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'Network error',
      'The upload was interrupted: the server closed the connection (the file may be over its size limit) or cannot be reached.')));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'Cancelled', 'The upload was cancelled.')));
    xhr.send(file);
  });
}

/**
 * Everything a view starts (timers, event streams, fetches) belongs to its Scope; leaving the view disposes it, so
 * nothing keeps polling or writes into a view that is no longer shown. Timers skip their turn while the tab is hidden.
 */
class Scope {
  constructor() {
    this.alive = true;
    this.timers = new Set();
    this.streams = new Set();
    this.controller = new AbortController();
    this.cleanups = [];
    this.lastError = '';
  }

  get signal() { return this.controller.signal; }

  every(ms, fn) {
    const id = setInterval(() => { if (this.alive && !document.hidden) fn(); }, ms);
    this.timers.add(id);
    return id;
  }

  after(ms, fn) {
    const id = setTimeout(() => { this.timers.delete(id); if (this.alive) fn(); }, ms);
    this.timers.add(id);
    return id;
  }

  stream(url) {
    const source = new EventSource(url);
    this.streams.add(source);
    return source;
  }

  close(source) {
    if (!source) return;
    source.close();
    this.streams.delete(source);
  }

  onDispose(fn) { this.cleanups.push(fn); }

  /** Shows a refresh error once, not every 5 s while it lasts. */
  report(error, title) {
    if (isAbort(error) || error.status === 401 || !this.alive) return;
    if (error.detail === this.lastError) return;
    this.lastError = error.detail;
    flash(error.detail, { type: 'error', title });
  }

  ok() { this.lastError = ''; }

  dispose() {
    this.alive = false;
    for (const id of this.timers) { clearInterval(id); clearTimeout(id); }
    for (const source of this.streams) source.close();
    this.timers.clear();
    this.streams.clear();
    this.controller.abort();
    for (const fn of this.cleanups) fn();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Session: who is signed in
// ---------------------------------------------------------------------------------------------------------------

async function boot() {
  wireStatic();
  try {
    const session = await api('/v1/sessions/current', { quiet401: true });
    signedIn(session, { fromForm: false });
  } catch (error) {
    if (error.status === 401) showSignIn('');
    else showBootError(error);
  }
}

function showBootError(error) {
  const box = $('#booting');
  fill(box,
    el('span', { text: `The console cannot start: ${error.detail} ` }),
    el('button', { type: 'button', class: 'btn btn-sm', onclick: () => { box.textContent = 'Connecting to Spool…'; boot(); } }, 'Try again'));
}

let wired = false;

function signedIn(session, { fromForm }) {
  state.session = session;
  document.body.classList.remove('is-booting', 'is-signed-out');
  $('#signin-view').hidden = true;
  $('#account').hidden = false;
  $('#nav').hidden = false;
  const caller = session.caller;
  setText($('#whoami'), caller === 'tenant' ? session.tenant ?? 'tenant' : caller);
  setText($('#role-badge'), caller === 'admin' ? 'operator' : caller === 'local' ? 'keyless' : 'tenant');
  $('#signout').hidden = caller === 'local' || session.authentication === 'keyless';
  const expires = parseDate(session.expires_at);
  setAttr($('#whoami'), 'title', expires ? `Session ends ${fmtDateTime(expires)}` : null);
  for (const node of $$('[data-operator-only]')) node.hidden = !isOperator();
  $('#filter-tenant-field').hidden = !isOperator();
  clearTimeout(state.expiryTimer);
  if (expires) {
    const left = expires.getTime() - Date.now();
    // setTimeout cannot wait longer than ~24.8 days; sessions last hours.
    if (left > 0 && left < 2 ** 31 - 1) state.expiryTimer = setTimeout(() => sessionLost('Your session has ended. Sign in again.'), left + 1000);
  }
  route({ focus: fromForm ? 'always' : true });
}

/** The session is gone (expired, signed out elsewhere, key rotated): stop everything and ask to sign in. */
function sessionLost(detail) {
  if (!state.session) return;
  state.session = null;
  showSignIn(detail || 'Your session has ended. Sign in again.');
}

function showSignIn(message) {
  leaveView();
  state.session = null;
  state.presets = null;
  state.routed = false;
  clearTimeout(state.expiryTimer);
  document.body.classList.remove('is-booting');
  document.body.classList.add('is-signed-out');
  $('#account').hidden = true;
  $('#nav').hidden = true;
  for (const view of $$('.view')) view.hidden = true;
  $('#signin-view').hidden = false;
  setText($('#signin-error'), message);
  document.title = 'Sign in · Spool';
  $('#signin-key').focus();
}

async function onSignIn(event) {
  event.preventDefault();
  const input = $('#signin-key');
  const button = $('#signin-submit');
  const key = input.value.trim();
  input.value = ''; // The key is never kept: not in the field, not in storage, not in the URL.
  if (!key) {
    setText($('#signin-error'), 'Enter an API key.');
    input.focus();
    return;
  }
  button.disabled = true;
  setText($('#signin-error'), '');
  try {
    const response = await fetch('/v1/sessions', {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { Authorization: `Bearer ${key}`, Accept: 'application/json' },
    });
    const body = await readBody(response);
    if (!response.ok) throw problemError(response.status, body, response.statusText);
    // An older server answers only {tenant, expires_at}: ask who we are (and for the CSRF token).
    const session = body && body.caller ? body : await api('/v1/sessions/current', { quiet401: true });
    signedIn(session, { fromForm: true });
  } catch (error) {
    setText($('#signin-error'), error.status === 401
      ? `That key was not accepted: ${error.detail}`
      : error.detail || 'Signing in failed.');
    input.focus();
  } finally {
    button.disabled = false;
  }
}

async function onSignOut() {
  try {
    await api('/v1/sessions', { method: 'DELETE', quiet401: true });
  } catch (error) {
    if (error.status !== 401) {
      flash(error.detail, { type: 'error', title: 'Signing out failed' });
      return;
    }
  }
  showSignIn('');
  flash('You are signed out.');
}

// ---------------------------------------------------------------------------------------------------------------
// Router: #/jobs, #/jobs/ID, #/pools, #/pools/NAME, #/workers, #/dead-letters
// ---------------------------------------------------------------------------------------------------------------

function parseHash() {
  const hash = location.hash || '#/jobs';
  if (!hash.startsWith('#/')) return null; // e.g. #main from the skip link: not a route
  const [path, query = ''] = hash.slice(2).split('?');
  const parts = path.split('/').map((part) => { try { return decodeURIComponent(part); } catch { return part; } });
  const params = new URLSearchParams(query);
  switch (parts[0]) {
    case '':
    case 'jobs': return parts[1] ? { name: 'job', id: parts[1], params } : { name: 'jobs', params };
    case 'pools': return parts[1] ? { name: 'pool', id: parts[1], params } : { name: 'pools', params };
    case 'workers': return { name: 'workers', params };
    case 'dead-letters': return { name: 'dead-letters', params };
    default: return { name: 'unknown', params };
  }
}

function leaveView() {
  if (state.scope) state.scope.dispose();
  state.scope = null;
  state.view = null;
}

function route({ focus = true } = {}) {
  if (!state.session) return;
  const target = parseHash();
  if (!target) {
    if (!state.view) location.replace('#/jobs');
    return;
  }
  if (target.name === 'unknown') { location.replace('#/jobs'); return; }
  if (target.name === 'workers' && !isOperator()) {
    flash('Workers are shown to operators (the admin key) only.', { type: 'error' });
    location.replace('#/jobs');
    return;
  }
  leaveView();
  const view = VIEWS[target.name];
  for (const section of $$('.view')) section.hidden = section !== view.section;
  const navRoute = target.name === 'job' ? 'jobs' : target.name === 'pool' ? 'pools' : target.name;
  for (const link of $$('#nav a')) setAttr(link, 'aria-current', link.dataset.route === navRoute ? 'page' : null);
  state.view = view;
  state.scope = new Scope();
  document.title = `${view.title(target)} · Spool`;
  view.enter(target, state.scope);
  // After a navigation, move focus to the new heading so keyboard and screen-reader users land on the content.
  if (focus === 'always' || (focus && state.routed)) $('h1', view.section)?.focus();
  state.routed = true;
}

// ---------------------------------------------------------------------------------------------------------------
// Jobs view: upload, filters, live table
// ---------------------------------------------------------------------------------------------------------------

const JOB_LIMIT = 100;
const jobRows = new Map();   // id → <tr>
const jobData = new Map();   // id → JobView
const rowParts = new WeakMap(); // <tr> → the nodes updated in place
let jobsStream = null;
let jobsPolling = 0;

function jobFilters() {
  return {
    state: $('#filter-state').value,
    pool: $('#filter-pool').value,
    tenant: isOperator() ? $('#filter-tenant').value : '',
  };
}

function filterQuery(filters, limit) {
  const query = new URLSearchParams();
  for (const name of ['state', 'pool', 'tenant']) if (filters[name]) query.set(name, filters[name]);
  if (limit) query.set('limit', String(limit));
  return query;
}

function matchesFilters(job, filters = jobFilters()) {
  return (!filters.state || job.state === filters.state)
    && (!filters.pool || job.pool === filters.pool)
    && (!filters.tenant || job.tenant === filters.tenant);
}

/** A select's options: "All" and the values, keeping the current (or wanted) value even before it is listed. */
function fillSelect(select, values, wanted = select.value) {
  const names = [...new Set(values.filter(Boolean))].sort();
  if (wanted && !names.includes(wanted)) names.push(wanted);
  fill(select, el('option', { value: '', text: 'All' }), ...names.map((name) => el('option', { value: name, text: name })));
  select.value = wanted || '';
}

const jobsView = {
  section: $('#view-jobs'),
  title: () => 'Jobs',
  enter(target, scope) {
    const params = target.params;
    $('#filter-state').value = STATES.includes(params.get('state')) ? params.get('state') : '';
    fillSelect($('#filter-pool'), Array.from($('#filter-pool').options, (o) => o.value), params.get('pool') || '');
    fillSelect($('#filter-tenant'), Array.from($('#filter-tenant').options, (o) => o.value), isOperator() ? params.get('tenant') || '' : '');
    jobRows.clear();
    jobData.clear();
    fill($('#jobs-body'), emptyRow(8, 'Loading jobs…', ''));
    loadPresets(scope);
    loadFilterOptions(scope);
    openJobsStream(scope);
    scope.every(2000, () => tickJobs());
    scope.onDispose(() => { jobsStream = null; clearInterval(jobsPolling); jobsPolling = 0; });
  },
};

function setLive(status) {
  const node = $('#live-status');
  const text = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', polling: 'polling', error: 'offline' }[status];
  node.dataset.status = status;
  setText(node, text);
  setAttr(node, 'title', status === 'polling' ? 'The event stream is unavailable; the list is refreshed every 5 s' : null);
}

/** Opens GET /v1/jobs/events for the current filters: a snapshot first, then one event per changed job. */
function openJobsStream(scope) {
  scope.close(jobsStream);
  clearInterval(jobsPolling);
  jobsPolling = 0;
  const source = scope.stream(`/v1/jobs/events?${filterQuery(jobFilters(), JOB_LIMIT)}`);
  jobsStream = source;
  let opened = false;
  setLive('connecting');
  source.addEventListener('open', () => { opened = true; setLive('live'); });
  source.addEventListener('snapshot', (event) => {
    const data = parseJSON(event.data);
    if (data && Array.isArray(data.jobs)) renderJobs(data.jobs);
    setLive('live');
  });
  source.addEventListener('job', (event) => {
    const job = parseJSON(event.data);
    if (job && job.id) upsertJob(job);
  });
  source.addEventListener('error', () => {
    if (source !== jobsStream || !scope.alive) return;
    // CONNECTING: the browser reconnects by itself (and gets a fresh snapshot).
    if (source.readyState === EventSource.CONNECTING) { setLive('reconnecting'); return; }
    // CLOSED: the server refused the stream (an expired session, a bad filter, an older server). Find out with
    // a plain list request: a 401 signs out, a problem is shown, and if the list works the console polls it.
    scope.close(source);
    jobsStream = null;
    setLive('reconnecting');
    loadJobsOnce(scope).then((ok) => {
      if (!scope.alive || jobsStream) return; // the filters changed meanwhile: a new stream is open
      if (!ok) { setLive('error'); scope.after(10000, () => openJobsStream(scope)); return; }
      if (opened) { scope.after(3000, () => openJobsStream(scope)); return; }
      // The list works but the stream never opened (an older server, a buffering proxy): poll instead.
      setLive('polling');
      jobsPolling = scope.every(5000, () => loadJobsOnce(scope).then((fine) => { if (scope.alive) setLive(fine ? 'polling' : 'error'); }));
    });
  });
}

async function loadJobsOnce(scope) {
  try {
    const data = await api(`/v1/jobs?${filterQuery(jobFilters(), JOB_LIMIT)}`, { signal: scope.signal });
    if (!scope.alive) return false;
    renderJobs(data?.jobs ?? []);
    scope.ok();
    return true;
  } catch (error) {
    scope.report(error, 'Jobs cannot be listed');
    return false;
  }
}

/** A snapshot: the table becomes exactly these jobs (newest first), rows that stay are updated in place. */
function renderJobs(jobs) {
  const filters = jobFilters();
  const shown = jobs.filter((job) => job && job.id && matchesFilters(job, filters)).slice(0, JOB_LIMIT);
  jobData.clear();
  for (const job of shown) jobData.set(job.id, job);
  const body = $('#jobs-body');
  reconcile(body, shown, {
    key: (job) => job.id,
    create: createJobRow,
    update: updateJobRow,
    empty: jobsEmptyRow,
  });
  jobRows.clear();
  for (const row of body.rows) if (row.dataset.jobId) jobRows.set(row.dataset.jobId, row);
}

function jobsEmptyRow() {
  const filtered = Object.values(jobFilters()).some(Boolean);
  return filtered
    ? emptyRow(8, 'No jobs match these filters.', 'Clear the filters to see every job.')
    : emptyRow(8, 'No jobs yet.', 'Drop a video in the box above to start the first transcode.');
}

/** One job changed or appeared: update its row, or insert it by creation time (newest first). */
function upsertJob(job) {
  const previous = jobData.get(job.id);
  // After a reconnect an older update may arrive late: never step back to it.
  if (previous && Date.parse(previous.updated_at) > Date.parse(job.updated_at)) return;
  const body = $('#jobs-body');
  const existing = jobRows.get(job.id);
  if (!matchesFilters(job)) {
    if (existing) {
      existing.remove();
      jobRows.delete(job.id);
      jobData.delete(job.id);
      if (!jobRows.size) body.append(jobsEmptyRow());
    }
    return;
  }
  jobData.set(job.id, job);
  if (existing) { updateJobRow(existing, job); return; }
  $('.empty-row', body)?.remove();
  const row = createJobRow(job);
  row.dataset.rowKey = job.id;
  row.classList.add('row-new');
  updateJobRow(row, job);
  const created = Date.parse(job.created_at);
  let before = null;
  for (const other of body.rows) {
    const data = jobData.get(other.dataset.jobId);
    if (data && Date.parse(data.created_at) < created) { before = other; break; }
  }
  body.insertBefore(row, before);
  jobRows.set(job.id, row);
  while (jobRows.size > JOB_LIMIT) {
    const last = body.rows[body.rows.length - 1];
    jobRows.delete(last.dataset.jobId);
    jobData.delete(last.dataset.jobId);
    last.remove();
  }
}

function createJobRow(job) {
  const parts = {
    link: el('a', { class: 'job-link', href: jobHref(job.id) }),
    sub: el('span', { class: 'cell-sub' }),
    badge: el('span', { class: 'badge' }),
    bar: progressBar(`Progress of job ${job.id}`),
    percent: el('span', { class: 'progress-text' }),
    fps: el('td', { class: 'job-fps num' }),
    eta: el('td', { class: 'job-eta num' }),
    pool: el('td', { class: 'job-pool' }),
    worker: el('td', { class: 'job-worker' }),
  };
  const row = el('tr', { dataset: { jobId: job.id } },
    el('th', { scope: 'row', class: 'job-id' }, parts.link, parts.sub),
    el('td', { class: 'job-state' }, parts.badge),
    el('td', { class: 'job-progress' }, el('div', { class: 'progress-cell' }, parts.bar, parts.percent)),
    parts.fps, parts.eta, parts.pool, parts.worker,
    el('td', { class: 'job-created' }, timeAgo(job.created_at)));
  rowParts.set(row, parts);
  return row;
}

function jobSubtitle(job) {
  return [job.metadata?.filename, job.preset, isOperator() && job.tenant ? `tenant ${job.tenant}` : null]
    .filter(Boolean).join(' · ');
}

function updateJobRow(row, job) {
  const parts = rowParts.get(row);
  const percent = percentOf(job);
  setText(parts.link, job.id);
  const subtitle = jobSubtitle(job);
  setText(parts.sub, subtitle);
  setAttr(parts.sub, 'title', subtitle || null);
  const retry = parseDate(job.retry_at);
  setStateBadge(parts.badge, job.state, retry ? `Retries ${fmtRelative(retry)} (${fmtDateTime(retry)})` : null);
  setProgress(parts.bar, percent, job.state);
  setText(parts.percent, `${percent}%`);
  setText(parts.fps, job.state === 'running' && job.fps != null ? fmtNumber(job.fps, 1) : DASH);
  setText(parts.eta, fmtEta(job));
  const poolName = job.pool ?? '';
  if (parts.pool.dataset.value !== poolName) {
    parts.pool.dataset.value = poolName;
    fill(parts.pool, poolName ? el('a', { href: poolHref(poolName), text: poolName }) : DASH);
  }
  setText(parts.worker, job.worker ?? DASH);
}

function tickJobs() {
  for (const [id, row] of jobRows) {
    const job = jobData.get(id);
    if (job && job.state === 'running') setText(rowParts.get(row).eta, fmtEta(job));
  }
  refreshTimes($('#jobs-body'));
}

function onFiltersChanged() {
  const query = filterQuery(jobFilters()).toString();
  history.replaceState(null, '', `#/jobs${query ? `?${query}` : ''}`);
  // Drop what no longer matches at once; the new stream's snapshot fills in the rest.
  const filters = jobFilters();
  for (const [id, row] of jobRows) {
    if (!matchesFilters(jobData.get(id), filters)) { row.remove(); jobRows.delete(id); jobData.delete(id); }
  }
  if (state.scope && state.view === jobsView) openJobsStream(state.scope);
}

async function loadFilterOptions(scope) {
  try {
    const data = await api('/v1/pools', { signal: scope.signal });
    if (scope.alive) fillSelect($('#filter-pool'), (data?.pools ?? []).map((pool) => pool.name));
  } catch (error) {
    if (!isAbort(error) && error.status !== 401) { /* the filter keeps "All": the list of pools is optional */ }
  }
  if (!isOperator()) return;
  try {
    const data = await api('/v1/admin/tenants', { signal: scope.signal });
    if (scope.alive) fillSelect($('#filter-tenant'), (data?.tenants ?? []).map((tenant) => tenant.id));
  } catch (error) {
    // A keyless server answers 403 to the admin API: it has no tenants to choose from.
    if (!isAbort(error) && error.status === 403 && scope.alive && !$('#filter-tenant').value) $('#filter-tenant-field').hidden = true;
  }
}

// --- Upload ----------------------------------------------------------------------------------------------------

let chosenFile = null;
let uploading = false;

async function loadPresets(scope) {
  if (state.presets) { fillPresets(); return; }
  try {
    const data = await api('/v1/presets', { signal: scope.signal });
    state.presets = Array.isArray(data?.presets) ? data.presets : [];
    fillPresets();
  } catch (error) {
    if (isAbort(error) || error.status === 401) return;
    fill($('#upload-preset'), el('option', { value: '', text: 'Presets unavailable' }));
    setText($('#upload-preset-help'), error.detail);
    updateUploadButton();
  }
}

function fillPresets() {
  const select = $('#upload-preset');
  const presets = state.presets ?? [];
  const previous = select.value;
  fill(select, ...presets.map((preset) => el('option', {
    value: preset.name, text: preset.summary ? `${preset.name} — ${preset.summary}` : preset.name,
  })));
  const names = presets.map((preset) => preset.name);
  select.value = [previous, 'web-default', 'web-720p', names[0]].find((name) => name && names.includes(name)) ?? '';
  if (!presets.length) fill(select, el('option', { value: '', text: 'No presets' }));
  updatePresetHelp();
  updateUploadButton();
}

function updatePresetHelp() {
  const preset = (state.presets ?? []).find((p) => p.name === $('#upload-preset').value);
  const outputs = (preset?.outputs ?? []).map((output) => `${output.name} (${output.kind})`).join(', ');
  setText($('#upload-preset-help'), preset ? `${preset.summary}${outputs ? `. Outputs: ${outputs}.` : ''}` : '');
}

function updateUploadButton() {
  $('#upload-submit').disabled = !chosenFile || uploading || !$('#upload-preset').value;
}

function setUploadProgress(percent, text) {
  const bar = $('#upload-progress');
  setProgress(bar, percent, percent >= 100 ? 'succeeded' : percent > 0 ? 'running' : null);
  setAttr(bar, 'aria-valuetext', text ?? `${percent}%`);
}

function setUploadStatus(content, { error = false } = {}) {
  const node = $('#upload-status');
  node.classList.toggle('is-error', error);
  fill(node, content);
}

function chooseFile(file) {
  chosenFile = file ?? null;
  const zone = $('#dropzone');
  zone.classList.toggle('has-file', Boolean(chosenFile));
  setText($('#upload-file-name'), chosenFile ? `${chosenFile.name} · ${fmtBytes(chosenFile.size)}` : '');
  setUploadProgress(0, 'No upload');
  const looksLikeVideo = !chosenFile || chosenFile.type.startsWith('video/') || /\.(mp4|m4v|mkv|mov|ts|m2ts|webm|avi|mpg|mpeg|flv)$/i.test(chosenFile.name);
  setUploadStatus(looksLikeVideo ? '' : 'This does not look like a video file; the server will check it.');
  updateUploadButton();
}

async function onUploadSubmit(event) {
  event.preventDefault();
  if (!chosenFile || uploading) return;
  const file = chosenFile;
  const preset = $('#upload-preset').value;
  uploading = true;
  updateUploadButton();
  setUploadStatus(`Uploading ${file.name}…`);
  setUploadProgress(0, 'Starting upload');
  try {
    let shown = -1;
    const upload = await uploadFile(file, (fraction) => {
      const percent = Math.min(99, Math.floor(fraction * 100));
      if (percent === shown) return;
      shown = percent;
      setUploadProgress(percent, `${percent}% of ${fmtBytes(file.size)} sent`);
    });
    setUploadProgress(100, 'Upload complete');
    setUploadStatus('Upload complete. Submitting the job…');
    const job = await api('/v1/jobs', {
      method: 'POST',
      body: { input: upload.uri, preset, metadata: { filename: file.name.slice(0, 200) } },
    });
    const link = () => el('a', { class: 'job-link', href: jobHref(job.id), dataset: { jobId: job.id }, text: job.id });
    setUploadStatus(['Job ', link(), ` submitted with preset ${preset}.`]);
    if (state.view !== jobsView) flash(`Job ${job.id} was submitted.`, { type: 'success', title: 'Upload finished' });
    else upsertJob(job);
    $('#upload-file').value = '';
    chooseFileKeepingStatus();
  } catch (error) {
    if (error.status === 401) return;
    setUploadProgress(0, 'Upload failed');
    setUploadStatus(error.detail, { error: true });
  } finally {
    uploading = false;
    updateUploadButton();
  }
}

/** Forgets the sent file but keeps the status line (which links to the new job) and the full bar. */
function chooseFileKeepingStatus() {
  chosenFile = null;
  $('#dropzone').classList.remove('has-file');
  setText($('#upload-file-name'), '');
}

function hasFiles(event) {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}

function wireUpload() {
  const zone = $('#dropzone');
  const input = $('#upload-file');
  let depth = 0; // dragenter/dragleave fire for every child crossed; count them to know when the drag really left
  input.addEventListener('change', () => chooseFile(input.files?.[0]));
  zone.addEventListener('click', (event) => {
    // The input and its label open the picker themselves; a click anywhere else in the zone does too.
    if (event.target === input || event.target.closest('label')) return;
    input.click();
  });
  zone.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth += 1;
    zone.classList.add('is-dragover');
  });
  zone.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) zone.classList.remove('is-dragover');
  });
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    depth = 0;
    zone.classList.remove('is-dragover');
    const file = event.dataTransfer?.files?.[0];
    if (!file) return;
    try { input.files = event.dataTransfer.files; } catch { /* older browsers: the zone still holds the file */ }
    chooseFile(file);
  });
  // A file dropped beside the zone must not make the browser navigate away from the console.
  for (const type of ['dragover', 'drop']) {
    window.addEventListener(type, (event) => { if (hasFiles(event) && !zone.contains(event.target)) event.preventDefault(); });
  }
  $('#upload-preset').addEventListener('change', () => { updatePresetHelp(); updateUploadButton(); });
  $('#upload-form').addEventListener('submit', onUploadSubmit);
}

// ---------------------------------------------------------------------------------------------------------------
// Job view
// ---------------------------------------------------------------------------------------------------------------

const jobPage = { id: null, job: null, source: null, polling: 0 };

const jobView = {
  section: $('#view-job'),
  title: (target) => `Job ${target.id}`,
  enter(target, scope) {
    Object.assign(jobPage, { id: target.id, job: null, source: null, polling: 0 });
    setText($('#job-id'), target.id);
    setStateBadge($('#job-state'), '');
    setProgress($('#job-progress'), 0, null);
    for (const id of ['#job-percent', '#job-fps', '#job-speed', '#job-detail-eta']) setText($(id), DASH);
    setJobLive('');
    $('#job-load-error').hidden = true;
    $('#job-cancel').disabled = true;
    $('#job-retry').disabled = true;
    fillKV($('#job-details'), [['Status', 'Loading…']]);
    fill($('#job-attempts'));
    $('#job-error-card').hidden = true;
    fill($('#job-error'));
    fill($('#job-outputs'), el('p', { class: 'note', text: 'Loading…' }));
    delete $('#job-outputs').dataset.key;
    $('#job-segments-card').hidden = true;
    fill($('#job-placement-summary'));
    fill($('#job-placement'));
    fill($('#job-webhook'));
    loadJob(scope, { withExtras: true }).then(() => { if (scope.alive && jobPage.job) openJobStream(scope); });
    scope.every(2000, () => {
      if (!jobPage.job) return;
      setText($('#job-detail-eta'), fmtEta(jobPage.job));
      refreshTimes(jobView.section);
    });
    scope.every(5000, () => {
      const job = jobPage.job;
      if (!job || isTerminal(job.state)) return;
      if (job.state === 'queued') loadPlacement(scope); // the explanation is refreshed while the job waits
      if (job.segments) loadJob(scope, { withExtras: false }); // a split job's progress is its tasks' progress
    });
  },
};

async function loadJob(scope, { withExtras }) {
  const id = jobPage.id;
  try {
    const job = await api(`/v1/jobs/${enc(id)}`, { signal: scope.signal });
    if (!scope.alive || id !== jobPage.id) return;
    $('#job-load-error').hidden = true;
    renderJob(job);
    if (withExtras) { loadPlacement(scope); loadWebhook(scope); }
  } catch (error) {
    if (isAbort(error) || error.status === 401 || !scope.alive) return;
    const box = $('#job-load-error');
    box.hidden = false;
    setText(box, error.status === 404 ? `There is no job ${id} (it may have expired): ${error.detail}` : error.detail);
    if (!jobPage.job) fill($('#job-outputs'));
  }
}

/** GET /v1/jobs/{id}/events: `state` carries the job, `progress` {fraction, fps, speed}; it ends at a final state. */
function openJobStream(scope) {
  if (isTerminal(jobPage.job?.state)) { setJobLive(''); return; }
  scope.close(jobPage.source);
  clearInterval(jobPage.polling);
  jobPage.polling = 0;
  const source = scope.stream(`/v1/jobs/${enc(jobPage.id)}/events`);
  jobPage.source = source;
  setJobLive('connecting');
  source.addEventListener('open', () => setJobLive('live'));
  source.addEventListener('state', (event) => {
    const job = parseJSON(event.data);
    if (!job || job.id !== jobPage.id) return;
    const known = jobPage.job;
    const changed = !known || known.state !== job.state || Date.parse(job.updated_at) > Date.parse(known.updated_at);
    if (!changed) return; // the first event repeats what GET already showed
    renderJob({ ...job, segments: job.segments ?? known?.segments });
    loadJob(scope, { withExtras: true }); // the full view: outputs, segment states, then placement and webhook
    if (isTerminal(job.state)) { scope.close(source); jobPage.source = null; setJobLive(''); }
  });
  source.addEventListener('progress', (event) => {
    const progress = parseJSON(event.data);
    if (!progress || !jobPage.job) return;
    jobPage.job = {
      ...jobPage.job,
      progress: Number.isFinite(progress.fraction) ? Math.max(jobPage.job.progress ?? 0, progress.fraction) : jobPage.job.progress,
      fps: progress.fps ?? null,
      speed: progress.speed ?? null,
    };
    renderJobProgress(jobPage.job);
  });
  source.addEventListener('error', () => {
    if (source !== jobPage.source || !scope.alive) return;
    // The server ends the stream after a final state; reconnecting would only replay it.
    if (isTerminal(jobPage.job?.state)) { scope.close(source); jobPage.source = null; setJobLive(''); return; }
    if (source.readyState === EventSource.CONNECTING) { setJobLive('reconnecting'); return; }
    scope.close(source);
    jobPage.source = null;
    setJobLive('polling');
    clearInterval(jobPage.polling);
    jobPage.polling = scope.every(3000, () => {
      if (isTerminal(jobPage.job?.state)) { clearInterval(jobPage.polling); setJobLive(''); return; }
      loadJob(scope, { withExtras: false });
    });
  });
}

function setJobLive(status) {
  const node = $('#job-live');
  node.dataset.status = status || 'idle';
  setText(node, { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', polling: 'polling' }[status] ?? '');
}

function renderJobProgress(job) {
  const percent = percentOf(job);
  setProgress($('#job-progress'), percent, job.state);
  setText($('#job-percent'), `${percent}%`);
  setText($('#job-fps'), job.state === 'running' && job.fps != null ? fmtNumber(job.fps, 1) : DASH);
  setText($('#job-speed'), job.state === 'running' && job.speed != null ? `${fmtNumber(job.speed, 2)}×` : DASH);
  setText($('#job-detail-eta'), fmtEta(job));
}

function renderJob(job) {
  jobPage.job = job;
  const retry = parseDate(job.retry_at);
  setStateBadge($('#job-state'), job.state, retry ? `Retries ${fmtRelative(retry)}` : null);
  renderJobProgress(job);
  updateJobButtons(job);
  renderJobDetails(job);
  renderJobAttempts(job);
  renderJobError(job);
  renderOutputs(job);
  renderSegments(job);
}

/** `refocus`: the user acted with one of these buttons; keep the keyboard on the one that now applies. */
function updateJobButtons(job, { refocus = false } = {}) {
  const cancel = $('#job-cancel');
  const retry = $('#job-retry');
  const canCancel = job.state === 'queued' || job.state === 'running';
  const canRetry = job.state === 'failed' || job.state === 'cancelled';
  // A focused button that becomes disabled drops focus to <body>; hand it to the button that now applies.
  const focused = document.activeElement;
  const lost = refocus && (focused === document.body || focused === cancel || focused === retry || !focused);
  cancel.disabled = !canCancel;
  retry.disabled = !canRetry;
  if (lost || (focused === cancel && !canCancel) || (focused === retry && !canRetry)) {
    (canRetry ? retry : canCancel ? cancel : $('#job-title')).focus();
  }
}

function renderJobDetails(job) {
  const placement = job.placement;
  const metadata = Object.entries(job.metadata ?? {});
  fillKV($('#job-details'), [
    isOperator() && ['Tenant', el('span', { class: 'mono', text: job.tenant })],
    ['Preset', job.preset ?? (job.requested_outputs?.length ? 'custom outputs' : DASH)],
    ['Input', el('span', { class: 'mono', text: job.input })],
    ['Pool', job.pool ? el('a', { href: poolHref(job.pool), text: job.pool }) : DASH],
    ['Worker', job.worker ? el('span', { class: 'mono', text: job.worker }) : DASH],
    placement && ['Placed on', [
      placement.gpu != null ? `GPU ${placement.gpu}` : 'CPU',
      placement.device_model ? ` (${placement.device_model})` : '',
      placement.path ? ` · ${placement.path}` : '',
      placement.demand?.gpu_memory_mib ? ` · ${fmtBytes(placement.demand.gpu_memory_mib * 1048576)} GPU memory` : '',
    ].join('')],
    ['Priority', `${job.priority ?? DASH} · ${job.service_class ?? 'standard'}`],
    ['Acceleration', `${job.acceleration ?? 'auto'}${job.encoder_speed === 'faster' ? ' · faster encoder setting' : ''}`],
    ['Created', timeAgo(job.created_at)],
    ['Started', timeAgo(job.started_at)],
    ['Finished', timeAgo(job.finished_at)],
    job.expires_at && ['Expires', timeAgo(job.expires_at)],
    metadata.length && ['Metadata', el('ul', { class: 'plain-list' },
      metadata.map(([key, value]) => el('li', {}, el('span', { class: 'mono', text: key }), `: ${value}`)))],
  ]);
}

function renderJobAttempts(job) {
  const degradations = job.degradations ?? [];
  const retry = parseDate(job.retry_at);
  fillKV($('#job-attempts'), [
    ['Attempts', String(job.attempts ?? 0)],
    ['Evictions', String(job.evictions ?? 0)],
    ['Retry at', retry ? [timeAgo(job.retry_at), ` · ${fmtDateTime(retry)}`] : DASH],
    ['Degradation', job.degradation === 'forbid' ? 'forbidden' : job.degradation === 'allow' ? 'allowed' : DASH],
    ['Degradations', degradations.length
      ? el('ul', { class: 'plain-list' }, degradations.map((text) => el('li', { text })))
      : 'none'],
    job.deduplicated && ['Reused from', job.deduplicated_from
      ? el('a', { class: 'id-link', href: jobHref(job.deduplicated_from), text: job.deduplicated_from })
      : 'an earlier job'],
  ]);
}

function renderJobError(job) {
  const card = $('#job-error-card');
  const box = $('#job-error');
  const error = job.error;
  card.hidden = !error;
  if (!error) { fill(box); return; }
  const tail = Array.isArray(error.stderr_tail) ? error.stderr_tail : [];
  fill(box,
    el('p', { class: 'error-line' }, el('span', { class: 'code-badge', text: error.code ?? 'error' }), el('span', { text: error.message ?? '' })),
    tail.length ? el('details', { open: true },
      el('summary', { text: `ffmpeg's last ${tail.length} line${tail.length === 1 ? '' : 's'}` }),
      el('pre', { class: 'stderr', text: tail.join('\n') })) : null);
}

/** The URL of one file of a multi-file output. The route takes it relative to the folder of the output's main file
 *  (`url` serves that file); `files` are relative to the job's output folder, so that common folder is dropped. */
function outputFileURL(output, file) {
  const first = output.files?.[0] ?? '';
  const folder = first.includes('/') ? first.slice(0, first.lastIndexOf('/') + 1) : '';
  const relative = folder && file.startsWith(folder) ? file.slice(folder.length) : folder ? file.split('/').pop() : file;
  return `${output.url}/${relative.split('/').map(enc).join('/')}`;
}

function renderOutputs(job) {
  const box = $('#job-outputs');
  const outputs = job.outputs ?? [];
  // Rebuild only when the outputs change: a rebuilt <video> would stop playing on every refresh.
  const key = JSON.stringify([job.state, outputs.map((o) => [o.name, o.url, o.files?.length, o.size_bytes])]);
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  if (!outputs.length) {
    const requested = job.requested_outputs ?? [];
    fill(box,
      el('p', { class: 'note', text: job.state === 'succeeded' ? 'This job has no outputs.' : 'Outputs appear here when the job succeeds. Requested:' }),
      requested.length && job.state !== 'succeeded' ? el('ul', { class: 'plain-list' },
        requested.map((o) => el('li', {}, el('span', { class: 'mono', text: o.name }), ` · ${o.kind}`))) : null);
    return;
  }
  fill(box, ...outputs.map(renderOutput));
}

function renderOutput(output) {
  const url = safePath(output.url);
  const meta = [
    output.kind, output.codec,
    output.width && output.height ? `${output.width}×${output.height}` : null,
    output.duration_seconds ? fmtDuration(output.duration_seconds) : null,
    fmtBytes(output.size_bytes),
    output.ssim != null ? `SSIM ${Number(output.ssim).toFixed(3)}` : null,
  ].filter(Boolean).join(' · ');
  const head = el('div', { class: 'output-head' },
    el('span', { class: 'output-name', text: output.name }),
    el('span', { class: 'output-meta', text: meta }),
    url ? el('a', { href: url, download: '', text: 'Download' }) : null);
  let body = null;
  if (!url) {
    body = el('p', { class: 'note', text: 'No download address.' });
  } else if (output.kind === 'thumbnails') {
    const files = output.files?.length ? output.files : [null];
    const shown = files.slice(0, 60);
    body = [
      el('div', { class: 'thumbs' }, shown.map((file, index) => {
        const src = file ? outputFileURL({ ...output, url }, file) : url;
        return el('a', { href: src, target: '_blank', rel: 'noopener', 'aria-label': `Thumbnail ${index + 1} of ${files.length}, full size (opens in a new tab)` },
          el('img', { class: 'output-thumbnail', src, loading: 'lazy', alt: `Thumbnail ${index + 1} of ${files.length}`, width: output.width, height: output.height }));
      })),
      files.length > shown.length ? el('p', { class: 'note', text: `${files.length - shown.length} more thumbnails not shown.` }) : null,
    ];
  } else if (output.kind === 'hls') {
    body = el('p', {},
      el('a', { class: 'output-hls', href: url, text: 'HLS master playlist' }),
      ` · ${output.files?.length ?? 0} files (play it with an HLS player, or open it in Safari)`);
  } else {
    body = el('video', { class: 'output-video', controls: true, preload: 'metadata', src: url, 'aria-label': `Output ${output.name}` });
  }
  return el('article', { class: 'output', dataset: { output: output.name } }, head, body);
}

function renderSegments(job) {
  const card = $('#job-segments-card');
  const segments = job.segments;
  card.hidden = !segments;
  if (!segments) return;
  const box = $('#job-segments');
  if (segments.whole_file_reason && !segments.tasks?.length) {
    fill(box, el('p', { class: 'note', text: `Encoded whole: ${segments.whole_file_reason}` }));
    return;
  }
  const tasks = segments.tasks ?? [];
  fill(box,
    el('p', { class: 'note', text: `${segments.count} segments · ${segments.done} done · ${segments.running} running · ${segments.waiting} waiting` }),
    el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Segment tasks' },
      el('table', { class: 'table table-compact' },
        el('thead', {}, el('tr', {}, ['Task', 'Kind', 'State', 'Progress', 'Worker', 'Attempts'].map((h) => el('th', { scope: 'col', text: h })))),
        el('tbody', {}, tasks.map((task) => {
          const percent = task.state === 'succeeded' ? 100 : Math.floor((task.progress ?? 0) * 100);
          const bar = progressBar(`Progress of ${task.name}`);
          setProgress(bar, percent, task.state);
          return el('tr', {},
            el('th', { scope: 'row' }, el('span', { class: 'mono', text: task.name })),
            el('td', { text: task.kind }),
            el('td', {}, task.state ? el('span', { class: `badge state-${STATES.includes(task.state) ? task.state : 'queued'}`, text: task.state }) : DASH),
            el('td', {}, el('div', { class: 'progress-cell' }, bar, el('span', { class: 'progress-text', text: `${percent}%` }))),
            el('td', { class: 'mono', text: task.worker ?? DASH }),
            el('td', { class: 'num', text: task.attempts ?? DASH }));
        })))));
}

// --- Placement: why the scheduler chose a device, or why the job waits -------------------------------------------

async function loadPlacement(scope) {
  const id = jobPage.id;
  try {
    const explanation = await api(`/v1/jobs/${enc(id)}/placement`, { signal: scope.signal });
    if (scope.alive && id === jobPage.id) renderPlacement(explanation);
  } catch (error) {
    if (isAbort(error) || !scope.alive) return;
    if (error.status === 404) renderPlacement(null);
    else if (error.status !== 401) renderPlacementMessage(error.detail);
  }
}

function renderPlacementMessage(text) {
  fill($('#job-placement-summary'));
  fill($('#job-placement'), el('tbody', {}, el('tr', {}, el('td', { class: 'empty', text }))));
}

const sameCandidate = (a, b) => a && b && a.worker === b.worker && a.device === b.device && (a.gpu ?? null) === (b.gpu ?? null);

function renderPlacement(explanation) {
  if (!explanation) { renderPlacementMessage('This job is not placed yet: the scheduler has not evaluated it.'); return; }
  if (!Array.isArray(explanation.candidates)) { renderGenericPlacement(explanation); return; }
  const refusals = Object.entries(explanation.refusals ?? {});
  const outcomeTone = explanation.outcome === 'placed' ? 'tone-good' : 'tone-warn';
  fillKV($('#job-placement-summary'), [
    ['Outcome', badge(explanation.outcome ?? 'unknown', outcomeTone)],
    ['Decided', timeAgo(explanation.decided_at)],
    ['Profile', explanation.profile],
    ['Devices in scope', String(explanation.devices_in_scope ?? DASH)],
    ['Evaluated', String(explanation.devices_evaluated ?? DASH)],
    ['Feasible', String(explanation.feasible ?? DASH)],
    explanation.waiting_reason && ['Waiting because', explanation.waiting_reason],
    refusals.length && ['Refused by', refusals.map(([code, count]) => `${code} × ${count}`).join(', ')],
  ], { grouped: true });

  const candidates = [...explanation.candidates];
  const chosen = explanation.chosen;
  if (chosen && !candidates.some((c) => sameCandidate(c, chosen))) candidates.unshift(chosen);
  // One column per score plugin, in the order they first appear, with the weight it counts for.
  const plugins = new Map();
  for (const candidate of candidates) {
    for (const score of candidate.scores ?? []) if (!plugins.has(score.plugin)) plugins.set(score.plugin, score.weight);
  }
  const head = el('thead', {}, el('tr', {},
    el('th', { scope: 'col', text: 'Candidate' }),
    el('th', { scope: 'col', text: 'Pool' }),
    el('th', { scope: 'col', text: 'Path' }),
    [...plugins].map(([plugin, weight]) => el('th', { scope: 'col', class: 'num', title: `Normalised 0–100, weight ${weight}` },
      plugin, weight != null ? el('span', { class: 'cell-sub', text: `×${fmtNumber(weight, 2)}` }) : null)),
    el('th', { scope: 'col', class: 'num', text: 'Total' }),
    el('th', { scope: 'col', text: 'Result' })));
  const rows = candidates.map((candidate) => {
    const isChosen = sameCandidate(candidate, chosen);
    const scores = new Map((candidate.scores ?? []).map((score) => [score.plugin, score]));
    let result;
    if (isChosen) result = badge('chosen', 'tone-good');
    else if (candidate.refused_by) {
      result = [badge('refused', 'tone-bad'), el('span', { class: 'cell-sub' },
        el('span', { class: 'mono', text: candidate.refused_by }), candidate.reason ? `: ${candidate.reason}` : '')];
    } else result = badge('feasible', 'tone-neutral');
    return el('tr', { class: isChosen ? 'is-chosen' : candidate.refused_by ? 'is-refused' : null },
      el('th', { scope: 'row' },
        el('span', { class: 'mono', text: candidate.worker }),
        el('span', { class: 'cell-sub', text: [candidate.device, candidate.gpu != null ? `GPU ${candidate.gpu}` : null].filter(Boolean).join(' · ') })),
      el('td', { text: candidate.pool ?? DASH }),
      el('td', { text: candidate.path ?? DASH }),
      [...plugins.keys()].map((plugin) => {
        const score = scores.get(plugin);
        return el('td', { class: 'num', title: score ? `raw ${fmtNumber(score.raw, 3)}, weight ${fmtNumber(score.weight, 2)}` : null,
          text: score ? fmtNumber(score.normalized, 1) : DASH });
      }),
      el('td', { class: 'num', text: candidate.total != null ? fmtNumber(candidate.total, 1) : DASH }),
      el('td', {}, result));
  });
  fill($('#job-placement'),
    el('caption', { class: 'visually-hidden', text: 'Devices the scheduler evaluated, the chosen one first' }),
    head,
    el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: plugins.size + 5, class: 'empty', text: 'No candidates were evaluated.' }))));
}

/** A shape this console does not know: every leaf as a "path: value" row, readable if not pretty. */
function renderGenericPlacement(value) {
  const rows = [];
  const walk = (node, path) => {
    if (node !== null && typeof node === 'object' && rows.length < 400) {
      const entries = Array.isArray(node) ? node.map((v, i) => [String(i), v]) : Object.entries(node);
      if (!entries.length) rows.push([path, Array.isArray(node) ? '[]' : '{}']);
      for (const [key, child] of entries) walk(child, path ? `${path}.${key}` : key);
    } else rows.push([path, node === null ? 'null' : String(node)]);
  };
  walk(value, '');
  fill($('#job-placement-summary'));
  fill($('#job-placement'), el('tbody', {}, rows.map(([key, text]) =>
    el('tr', {}, el('th', { scope: 'row', class: 'mono', text: key }), el('td', { text })))));
}

async function loadWebhook(scope) {
  const id = jobPage.id;
  const box = $('#job-webhook');
  try {
    const delivery = await api(`/v1/jobs/${enc(id)}/webhook`, { signal: scope.signal });
    if (!scope.alive || id !== jobPage.id) return;
    const tone = { delivered: 'tone-good', failed: 'tone-bad', pending: 'tone-info' }[delivery?.state] ?? 'tone-neutral';
    const dl = el('dl', { class: 'kv' });
    fillKV(dl, [
      ['Delivery', badge(delivery?.state ?? 'unknown', tone)],
      jobPage.job?.callback_url && ['Callback URL', el('span', { class: 'mono', text: jobPage.job.callback_url })],
      ['Attempts', String(delivery?.attempts ?? 0)],
      ['Last status', delivery?.last_status != null ? String(delivery.last_status) : DASH],
      delivery?.last_error && ['Last error', delivery.last_error],
      ['Next attempt', timeAgo(delivery?.next_attempt_at)],
      ['Delivered', timeAgo(delivery?.delivered_at)],
    ]);
    fill(box, dl);
  } catch (error) {
    if (isAbort(error) || !scope.alive || error.status === 401) return;
    const url = jobPage.job?.callback_url;
    fill(box, el('p', { class: 'note' }, error.status === 404
      ? (url ? ['A POST to ', el('span', { class: 'mono', text: url }), ' is queued when the job ends.'] : 'No webhook for this job.')
      : error.detail));
  }
}

async function onJobAction(action) {
  const id = jobPage.id;
  const scope = state.scope;
  const button = action === 'cancel' ? $('#job-cancel') : $('#job-retry');
  const hadFocus = document.activeElement === button;
  button.disabled = true; // no double submit; focus is handed back below
  try {
    const job = action === 'cancel'
      ? await api(`/v1/jobs/${enc(id)}`, { method: 'DELETE' })
      : await api(`/v1/jobs/${enc(id)}/retry`, { method: 'POST' });
    flash(action === 'cancel' ? `Job ${id} is cancelled.` : `Job ${id} is queued again.`, { type: 'success' });
    if (!scope?.alive || id !== jobPage.id || !job) return;
    renderJob(job);
    updateJobButtons(job, { refocus: hadFocus });
    if (action === 'retry') { loadPlacement(scope); openJobStream(scope); }
  } catch (error) {
    if (error.status !== 401) flash(error.detail, { type: 'error', title: action === 'cancel' ? 'Cannot cancel' : 'Cannot retry' });
    if (jobPage.job) updateJobButtons(jobPage.job, { refocus: hadFocus });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Pools view
// ---------------------------------------------------------------------------------------------------------------

const poolsView = {
  section: $('#view-pools'),
  title: () => 'Pools',
  enter(target, scope) {
    fill($('#pools-body'), emptyRow(9, 'Loading pools…', ''));
    setText($('#pool-create-error'), '');
    refreshPools(scope);
    scope.every(5000, () => refreshPools(scope));
  },
};

async function refreshPools(scope) {
  try {
    const data = await api('/v1/pools', { signal: scope.signal });
    if (!scope.alive) return;
    scope.ok();
    reconcile($('#pools-body'), data?.pools ?? [], {
      key: (pool) => pool.name,
      create: createPoolRow,
      update: updatePoolRow,
      empty: () => emptyRow(9, 'No pools yet.', isOperator() ? 'Create one below, or start workers: they register their pool.' : 'An operator creates them.'),
    });
  } catch (error) {
    scope.report(error, 'Pools cannot be listed');
  }
}

function phaseBadge(pool) {
  const phase = pool.spec?.phase;
  if (!phase) return badge('unmanaged', 'tone-neutral', 'Built into the server, or served by workers started by hand');
  return badge(phase, { active: 'tone-good', draining: 'tone-warn', destroying: 'tone-bad' }[phase] ?? 'tone-neutral');
}

function healthBadge(pool) {
  const issues = pool.health?.issues ?? [];
  if (issues.length) return badge(`${issues.length} issue${issues.length === 1 ? '' : 's'}`, 'tone-bad', issues.join('\n'));
  if (!pool.workers) return badge('no workers', 'tone-neutral');
  return badge('healthy', 'tone-good');
}

function createPoolRow(pool) {
  return el('tr', { dataset: { pool: pool.name } },
    el('th', { scope: 'row', class: 'pool-name' }, el('a', { class: 'id-link', href: poolHref(pool.name), text: pool.name }), el('span', { class: 'cell-sub' })),
    el('td', { class: 'pool-kind' }),
    el('td', { class: 'pool-workers num' }),
    el('td', { class: 'pool-wanted num' }),
    el('td', { class: 'pool-bounds num' }),
    el('td', { class: 'pool-running num' }),
    el('td', { class: 'pool-waiting num' }),
    el('td', { class: 'pool-phase' }),
    el('td', { class: 'pool-health' }));
}

function updatePoolRow(row, pool) {
  const cell = (name) => $(`.${name}`, row);
  setText($('.cell-sub', row), pool.summary ?? '');
  setAttr($('.cell-sub', row), 'title', pool.summary || null);
  setText(cell('pool-kind'), pool.kind);
  setText(cell('pool-workers'), pool.workers ?? 0);
  setText(cell('pool-wanted'), pool.desired_workers ?? DASH);
  setText(cell('pool-bounds'), pool.spec ? `${pool.spec.min_workers}–${pool.spec.max_workers}` : DASH);
  setText(cell('pool-running'), `${pool.running ?? 0} / ${pool.slots ?? 0}`);
  setText(cell('pool-waiting'), pool.waiting ?? DASH);
  replaceIfChanged(cell('pool-phase'), phaseBadge(pool));
  replaceIfChanged(cell('pool-health'), healthBadge(pool));
}

/** Swaps a cell's content only when it would look different (no flicker, nothing re-announced). */
function replaceIfChanged(cell, node) {
  const signature = `${node.className}|${node.textContent}|${node.getAttribute('title') ?? ''}`;
  if (cell.dataset.signature === signature) return;
  cell.dataset.signature = signature;
  fill(cell, node);
}

function readInt(input) {
  const text = input.value.trim();
  return /^\d+$/.test(text) ? Number(text) : NaN;
}

function invalid(input, message, errorNode) {
  input.setAttribute('aria-invalid', 'true');
  setText(errorNode, message);
  input.focus();
  return false;
}

async function onPoolCreate(event) {
  event.preventDefault();
  const error = $('#pool-create-error');
  const nameInput = $('#pool-create-name');
  const minInput = $('#pool-create-min');
  const maxInput = $('#pool-create-max');
  for (const input of [nameInput, minInput, maxInput]) input.removeAttribute('aria-invalid');
  setText(error, '');
  const name = nameInput.value.trim();
  const min = readInt(minInput);
  const max = readInt(maxInput);
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(name)) return invalid(nameInput, 'The name must start with a lower-case letter or digit and use only lower-case letters, digits and dashes (up to 40).', error);
  if (!Number.isInteger(min) || min > 1000) return invalid(minInput, 'Min workers must be a whole number from 0 to 1000.', error);
  if (!Number.isInteger(max) || max < 1 || max > 1000) return invalid(maxInput, 'Max workers must be a whole number from 1 to 1000.', error);
  if (min > max) return invalid(minInput, 'Min workers cannot be above max workers.', error);
  const button = $('#pool-create-submit');
  button.disabled = true;
  try {
    const pool = await api('/v1/pools', { method: 'POST', body: { name, kind: $('#pool-create-kind').value, min_workers: min, max_workers: max } });
    flash(`Pool ${pool?.name ?? name} is created.`, { type: 'success' });
    nameInput.value = '';
    if (state.scope && state.view === poolsView) refreshPools(state.scope);
  } catch (failure) {
    if (failure.status === 401) return;
    const field = failure.problem?.field;
    const input = field === 'min_workers' ? minInput : field === 'max_workers' ? maxInput : field === 'name' ? nameInput : null;
    if (input) input.setAttribute('aria-invalid', 'true');
    setText(error, failure.detail);
  } finally {
    button.disabled = false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Pool view: chart, size, drain, decision log
// ---------------------------------------------------------------------------------------------------------------

const poolPage = { name: null, pool: null, points: [], decisionsKey: '', prefilled: false, dirty: false, chartWidth: 0 };

const poolView = {
  section: $('#view-pool'),
  title: (target) => `Pool ${target.id}`,
  enter(target, scope) {
    Object.assign(poolPage, { name: target.id, pool: null, points: [], decisionsKey: '', prefilled: false, dirty: false, chartWidth: 0 });
    setText($('#pool-name'), target.id);
    setText($('#pool-phase'), '');
    setText($('#pool-summary'), '');
    $('#pool-load-error').hidden = true;
    fill($('#pool-stats'));
    fill($('#pool-health'));
    fill($('#pool-decisions'), el('li', { class: 'note', text: 'Loading…' }));
    fill($('#pool-chart-table tbody'));
    for (const input of [$('#pool-resize-min'), $('#pool-resize-max')]) { input.value = ''; input.removeAttribute('aria-invalid'); }
    setText($('#pool-manage-note'), '');
    drawPoolChart();
    refreshPool(scope);
    scope.every(5000, () => refreshPool(scope));
    // Redraw at the container's width, so text in the chart keeps its size instead of being scaled.
    if ('ResizeObserver' in window) {
      const observer = new ResizeObserver(() => {
        const width = Math.round($('#pool-chart-wrap').clientWidth);
        if (width && Math.abs(width - poolPage.chartWidth) > 2) drawPoolChart();
      });
      observer.observe($('#pool-chart-wrap'));
      scope.onDispose(() => observer.disconnect());
    }
  },
};

async function refreshPool(scope) {
  const name = poolPage.name;
  const [pool, decisions] = await Promise.allSettled([
    api(`/v1/pools/${enc(name)}`, { signal: scope.signal }),
    api(`/v1/pools/${enc(name)}/decisions?limit=200`, { signal: scope.signal }),
  ]);
  if (!scope.alive || name !== poolPage.name) return;
  const errorBox = $('#pool-load-error');
  if (pool.status === 'fulfilled') {
    errorBox.hidden = true;
    renderPool(pool.value);
  } else if (!isAbort(pool.reason) && pool.reason.status !== 401) {
    errorBox.hidden = false;
    setText(errorBox, pool.reason.detail);
  }
  if (decisions.status === 'fulfilled') renderDecisions(decisions.value?.events ?? []);
  else if (!isAbort(decisions.reason) && decisions.reason.status !== 401 && decisions.reason.status !== 404) scope.report(decisions.reason, 'Decisions cannot be read');
  else if (decisions.reason?.status === 404) renderDecisions([]);
}

function stat(label, value, note) {
  return el('div', { class: 'stat' },
    el('div', { class: 'stat-label', text: label }),
    el('div', { class: 'stat-value', text: value }),
    note ? el('div', { class: 'stat-note', text: note }) : null);
}

function renderPool(pool) {
  poolPage.pool = pool;
  const spec = pool.spec;
  copyBadge($('#pool-phase'), phaseBadge(pool));
  setText($('#pool-summary'), pool.summary ?? '');
  fill($('#pool-stats'),
    stat('Workers', String(pool.workers ?? 0), `${pool.health?.healthy_workers ?? pool.workers ?? 0} healthy`),
    stat('Wanted', pool.desired_workers != null ? String(pool.desired_workers) : DASH, 'by the autoscaler'),
    stat('Bounds', spec ? `${spec.min_workers}–${spec.max_workers}` : DASH, spec ? 'min–max workers' : 'not managed'),
    stat('Running', `${pool.running ?? 0} / ${pool.slots ?? 0}`, 'jobs / slots'),
    stat('Waiting', pool.waiting != null ? String(pool.waiting) : DASH, 'jobs pinned here'),
    stat('Kind', pool.kind ?? DASH, spec?.instance_type ? `${spec.instance_type}${spec.spot ? ' · spot' : ''}` : null));
  const issues = pool.health?.issues ?? [];
  fill($('#pool-health'), issues.length
    ? [badge(`${issues.length} issue${issues.length === 1 ? '' : 's'}`, 'tone-bad'), el('ul', { class: 'issues' }, issues.map((text) => el('li', { text })))]
    : [badge(pool.workers ? 'healthy' : 'no workers', pool.workers ? 'tone-good' : 'tone-neutral'),
      el('p', { class: 'note health-note', text: pool.workers ? 'Every worker sends heartbeats and passed its self-test.' : 'No live worker serves this pool.' })]);
  // Size and drain apply to pools created through the API, while they are active.
  const managed = Boolean(spec);
  const active = spec?.phase === 'active';
  for (const node of [$('#pool-resize-min'), $('#pool-resize-max'), $('#pool-resize-submit')]) node.disabled = !managed || !active;
  $('#pool-drain').disabled = !managed || !active;
  setText($('#pool-manage-note'), !managed
    ? 'This pool is not managed through the API (built into the server, or workers started by hand): it cannot be resized or drained here.'
    : !active ? `The pool is ${spec.phase}: it can no longer be resized.` : '');
  // Fill the form once, and again only while nobody is editing it.
  const editing = [$('#pool-resize-min'), $('#pool-resize-max')].includes(document.activeElement);
  if (spec && (!poolPage.prefilled || (!poolPage.dirty && !editing))) {
    $('#pool-resize-min').value = String(spec.min_workers);
    $('#pool-resize-max').value = String(spec.max_workers);
    poolPage.prefilled = true;
  }
}

/** Gives an existing badge (one with an id the page relies on) the look and text of a freshly built one. */
function copyBadge(target, source) {
  target.className = source.className;
  setText(target, source.textContent);
  setAttr(target, 'title', source.getAttribute('title'));
}

const EVENT_KINDS = {
  autoscale: ['autoscale', 'tone-info'],
  wait_for_jobs: ['waiting for jobs', 'tone-warn'],
  release_workers: ['releasing workers', 'tone-warn'],
  wait_for_workers: ['waiting for workers', 'tone-warn'],
  removed: ['removed', 'tone-neutral'],
};

/** The decision in words, as PoolEvent.description says it on the server. */
function describeAction(decision) {
  const action = decision.action ?? {};
  const current = decision.current_workers ?? 0;
  switch (action.kind) {
    case 'scale_up': {
      const count = action.count ?? 0;
      const kind = action.instance_type ? ` ${action.instance_type}${action.spot ? ' spot' : ' on-demand'}` : '';
      return `Scale up ${current} → ${current + count} (+${count}${kind})`;
    }
    case 'drain': {
      const workers = action.workers ?? [];
      return `Drain ${workers.length} (${workers.join(', ')}), ${current} → ${decision.desired_workers}`;
    }
    default: return `Keep ${current} worker${current === 1 ? '' : 's'}`;
  }
}

function renderDecisions(events) {
  const key = `${events.length}|${events[0]?.time ?? ''}`;
  if (key === poolPage.decisionsKey) return;
  poolPage.decisionsKey = key;
  const list = $('#pool-decisions');
  if (!events.length) {
    fill(list, el('li', { class: 'note', text: 'No decisions yet: the autoscaler records one each time it evaluates a managed pool.' }));
  } else {
    fill(list, ...events.map((event) => {
      const [label, tone] = EVENT_KINDS[event.kind] ?? [event.kind ?? 'event', 'tone-neutral'];
      const decision = event.decision;
      const time = parseDate(event.time);
      return el('li', {},
        el('time', { class: 'decision-time', datetime: event.time, title: fmtDateTime(time), text: time ? time.toLocaleTimeString() : DASH }),
        el('div', { class: 'decision-body' },
          el('div', { class: 'decision-head' },
            badge(label, tone),
            el('span', { class: 'decision-action', text: decision ? describeAction(decision) : event.note ?? '' }),
            event.actuator ? el('span', { class: 'muted small', text: `via ${event.actuator}` }) : null),
          decision?.reasons?.length ? el('p', { class: 'decision-reason', text: decision.reasons.join('; ') }) : null,
          decision && event.note ? el('p', { class: 'decision-reason', text: event.note }) : null,
          event.error ? el('p', { class: 'decision-error', text: `Failed: ${event.error}` }) : null));
    }));
  }
  // The chart and its table: autoscale decisions, oldest first.
  poolPage.points = events
    .filter((event) => event.decision)
    .map((event) => ({
      t: Date.parse(event.decision.time ?? event.time),
      desired: event.decision.desired_workers ?? 0,
      actual: event.decision.current_workers ?? 0,
      queue: event.decision.signals?.waiting ?? 0,
      running: event.decision.signals?.in_flight ?? null,
      action: describeAction(event.decision),
    }))
    .filter((point) => Number.isFinite(point.t))
    .sort((a, b) => a.t - b.t);
  fill($('#pool-chart-table tbody'), ...[...poolPage.points].reverse().map((point) => el('tr', {},
    el('th', { scope: 'row', class: 'num', text: new Date(point.t).toLocaleString() }),
    el('td', { class: 'num', text: point.desired }),
    el('td', { class: 'num', text: point.actual }),
    el('td', { class: 'num', text: point.queue }),
    el('td', { class: 'num', text: point.running ?? DASH }),
    el('td', { text: point.action }))));
  drawPoolChart();
}

/** Integer ticks from 0 up to at least `max` with a 1-2-5 step: worker counts and queue depths are whole numbers. */
function niceTicks(max, count = 5) {
  const raw = Math.max(max, 1) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw));
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks = [];
  for (let value = 0; value <= top; value += step) ticks.push(value);
  return { top, ticks };
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);

function timeTicks(t0, t1, most) {
  const span = t1 - t0;
  const step = TIME_STEPS.find((s) => span / s <= most) ?? Math.ceil(span / most / 86400e3) * 86400e3;
  // Align to the local clock (a tick at 14:00, not at an offset from UTC).
  const offset = new Date(t0).getTimezoneOffset() * 60e3;
  const ticks = [];
  for (let t = Math.ceil((t0 - offset) / step) * step + offset; t <= t1; t += step) ticks.push(t);
  const format = step < 60e3 ? { hour: '2-digit', minute: '2-digit', second: '2-digit' }
    : step < 86400e3 ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric' };
  return { ticks, label: (t) => new Date(t).toLocaleString([], format) };
}

/** Draws desired and actual workers as step lines and the queue depth as an area on a second axis. */
function drawPoolChart() {
  const chart = $('#pool-chart');
  for (const child of Array.from(chart.children)) if (child.tagName !== 'title' && child.tagName !== 'desc') child.remove();
  const width = Math.max(320, Math.round($('#pool-chart-wrap').clientWidth || 720));
  poolPage.chartWidth = width;
  const height = width < 560 ? 260 : 300;
  setAttr(chart, 'viewBox', `0 0 ${width} ${height}`);
  setAttr(chart, 'width', width);
  setAttr(chart, 'height', height);
  const points = poolPage.points;
  const desc = $('#pool-chart-desc');
  if (!points.length) {
    setText(desc, 'No autoscaler decisions yet.');
    // Empty axes, so the card keeps its shape until the first decision arrives.
    chart.append(
      svg('g', { class: 'axis', 'aria-hidden': 'true' }, svg('path', { d: `M46,20V${height - 30}H${width - 52}V20` })),
      svg('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'empty-text', text: 'No autoscaler decisions yet' }));
    return;
  }
  // The legend first: it wraps onto more rows on a narrow screen, and the plot starts below it. Line styles differ
  // (solid, dashed, filled), so the legend does not rely on colour alone.
  const legend = svg('g', { class: 'legend', 'aria-hidden': 'true' });
  const legendLeft = width < 560 ? 8 : 46;
  let lx = legendLeft;
  let ly = 10;
  for (const [swatch, label] of [['swatch-actual', 'Actual workers'], ['swatch-desired', 'Desired workers'], ['swatch-queue', 'Queue depth']]) {
    const itemWidth = 24 + label.length * 6.6;
    if (lx > legendLeft && lx + itemWidth > width - 8) { lx = legendLeft; ly += 20; }
    legend.append(swatch === 'swatch-queue'
      ? svg('rect', { class: swatch, x: lx, y: ly, width: 18, height: 10, rx: 2 })
      : svg('line', { class: swatch, x1: lx, x2: lx + 18, y1: ly + 5, y2: ly + 5 }));
    legend.append(svg('text', { x: lx + 24, y: ly + 9, text: label }));
    lx += itemWidth + 20;
  }
  const m = { top: ly + 30, right: 52, bottom: 30, left: 46 };
  const innerW = width - m.left - m.right;
  const innerH = height - m.top - m.bottom;
  const now = Date.now();
  let t0 = points[0].t;
  let t1 = points[points.length - 1].t;
  // Carry the last values on to now when the log is recent, so the present size reads as a line.
  if (now > t1 && now - t1 < Math.max(120e3, (t1 - t0) * 0.25)) t1 = now;
  if (t1 - t0 < 60e3) t0 = t1 - 60e3;
  const workers = niceTicks(Math.max(...points.map((p) => Math.max(p.desired, p.actual))), Math.max(2, Math.floor(innerH / 45)));
  const queue = niceTicks(Math.max(...points.map((p) => p.queue)), Math.max(2, Math.floor(innerH / 45)));
  const x = (t) => m.left + ((t - t0) / (t1 - t0)) * innerW;
  const yW = (v) => m.top + innerH - (v / workers.top) * innerH;
  const yQ = (v) => m.top + innerH - (v / queue.top) * innerH;
  const r = (n) => Math.round(n * 10) / 10;

  const grid = svg('g', { class: 'grid', 'aria-hidden': 'true' },
    workers.ticks.map((v) => svg('line', { x1: m.left, x2: m.left + innerW, y1: r(yW(v)), y2: r(yW(v)) })));
  const time = timeTicks(t0, t1, Math.max(2, Math.floor(innerW / 90)));
  const axes = svg('g', { class: 'axis', 'aria-hidden': 'true' },
    svg('line', { x1: m.left, x2: m.left + innerW, y1: m.top + innerH, y2: m.top + innerH }),
    svg('line', { x1: m.left, x2: m.left, y1: m.top, y2: m.top + innerH }),
    svg('line', { x1: m.left + innerW, x2: m.left + innerW, y1: m.top, y2: m.top + innerH }),
    workers.ticks.map((v) => svg('text', { x: m.left - 8, y: r(yW(v)) + 4, 'text-anchor': 'end', text: v })),
    queue.ticks.map((v) => svg('text', { x: m.left + innerW + 8, y: r(yQ(v)) + 4, 'text-anchor': 'start', text: v })),
    time.ticks.map((t) => [
      svg('line', { x1: r(x(t)), x2: r(x(t)), y1: m.top + innerH, y2: m.top + innerH + 5 }),
      svg('text', { x: r(x(t)), y: m.top + innerH + 18, 'text-anchor': 'middle', text: time.label(t) }),
    ]),
    svg('text', { class: 'axis-title', x: m.left - 8, y: m.top - 10, 'text-anchor': 'end', text: 'workers' }),
    svg('text', { class: 'axis-title', x: m.left + innerW + 8, y: m.top - 10, 'text-anchor': 'start', text: 'queue' }));

  const step = (value) => {
    let d = `M${r(x(points[0].t))},${r(value(points[0]))}`;
    for (let i = 1; i < points.length; i += 1) d += `H${r(x(points[i].t))}V${r(value(points[i]))}`;
    return `${d}H${r(x(t1))}`;
  };
  let area = `M${r(x(points[0].t))},${r(yQ(0))}`;
  for (const p of points) area += `L${r(x(p.t))},${r(yQ(p.queue))}`;
  area += `L${r(x(t1))},${r(yQ(points[points.length - 1].queue))}L${r(x(t1))},${r(yQ(0))}Z`;
  const series = svg('g', { 'aria-hidden': 'true' },
    svg('path', { class: 'series-queue', d: area }),
    svg('path', { class: 'series-actual', d: step((p) => yW(p.actual)) }),
    svg('path', { class: 'series-desired', d: step((p) => yW(p.desired)) }));

  const cursor = svg('g', { class: 'cursor', 'aria-hidden': 'true', visibility: 'hidden' });
  const overlay = svg('rect', { x: m.left, y: m.top, width: innerW, height: innerH, fill: 'transparent' });
  chart.append(grid, series, axes, legend, cursor, overlay);

  // Hover read-out: the decision nearest the pointer (the same data is in the table below for keyboards).
  overlay.addEventListener('pointermove', (event) => {
    const box = chart.getBoundingClientRect();
    const px = ((event.clientX - box.left) / box.width) * width;
    const t = t0 + ((px - m.left) / innerW) * (t1 - t0);
    let nearest = points[0];
    for (const p of points) if (Math.abs(p.t - t) < Math.abs(nearest.t - t)) nearest = p;
    const cx = r(x(nearest.t));
    const label = `${new Date(nearest.t).toLocaleTimeString()} · desired ${nearest.desired} · actual ${nearest.actual} · queue ${nearest.queue}`;
    const text = svg('text', { x: 0, y: m.top + 16, text: label });
    fill(cursor, svg('line', { x1: cx, x2: cx, y1: m.top, y2: m.top + innerH }), svg('rect', { x: 0, y: m.top + 2, width: 0, height: 20, rx: 4 }), text);
    const textWidth = text.getComputedTextLength ? text.getComputedTextLength() : label.length * 6;
    const left = Math.min(Math.max(m.left, cx - textWidth / 2 - 8), m.left + innerW - textWidth - 16);
    text.setAttribute('x', r(left + 8));
    cursor.children[1].setAttribute('x', r(left));
    cursor.children[1].setAttribute('width', r(textWidth + 16));
    cursor.setAttribute('visibility', 'visible');
  });
  overlay.addEventListener('pointerleave', () => cursor.setAttribute('visibility', 'hidden'));

  const last = points[points.length - 1];
  setText(desc, `${points.length} decisions from ${new Date(points[0].t).toLocaleString()} to ${new Date(last.t).toLocaleString()}. `
    + `Latest: desired ${last.desired} workers, actual ${last.actual}, queue depth ${last.queue}.`);
}

async function onPoolResize(event) {
  event.preventDefault();
  const name = poolPage.name;
  const minInput = $('#pool-resize-min');
  const maxInput = $('#pool-resize-max');
  const note = $('#pool-manage-note');
  for (const input of [minInput, maxInput]) input.removeAttribute('aria-invalid');
  const min = readInt(minInput);
  const max = readInt(maxInput);
  if (!Number.isInteger(min) || min > 1000) return invalid(minInput, 'Min workers must be a whole number from 0 to 1000.', note);
  if (!Number.isInteger(max) || max < 1 || max > 1000) return invalid(maxInput, 'Max workers must be a whole number from 1 to 1000.', note);
  if (min > max) return invalid(minInput, 'Min workers cannot be above max workers.', note);
  const button = $('#pool-resize-submit');
  button.disabled = true;
  try {
    const pool = await api(`/v1/pools/${enc(name)}`, { method: 'PATCH', body: { min_workers: min, max_workers: max } });
    setText(note, '');
    flash(`Pool ${name} now has ${min}–${max} workers.`, { type: 'success' });
    poolPage.dirty = false;
    poolPage.prefilled = false;
    if (state.scope?.alive && state.view === poolView && pool) renderPool(pool);
  } catch (error) {
    if (error.status !== 401) setText(note, error.detail);
  } finally {
    button.disabled = !poolPage.pool?.spec || poolPage.pool.spec.phase !== 'active';
  }
  return true;
}

async function onPoolDrain() {
  const name = poolPage.name;
  if (!window.confirm(`Drain pool ${name}? No new jobs are placed on it; running jobs finish, then its workers stop and the pool is removed.`)) return;
  const button = $('#pool-drain');
  button.disabled = true;
  try {
    const pool = await api(`/v1/pools/${enc(name)}/drain`, { method: 'POST' });
    flash(`Pool ${name} is draining.`, { type: 'success' });
    if (state.scope?.alive && state.view === poolView && pool) renderPool(pool);
  } catch (error) {
    if (error.status !== 401) flash(error.detail, { type: 'error', title: 'Cannot drain' });
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Workers view: one <tbody> per worker, its devices as rows under it
// ---------------------------------------------------------------------------------------------------------------

const HEARTBEAT_STALE_SECONDS = 20; // the server's default worker timeout is 15 s; allow for the refresh period

const workersView = {
  section: $('#view-workers'),
  title: () => 'Workers',
  enter(target, scope) {
    const table = $('#workers-table');
    for (const body of $$('tbody', table)) body.remove();
    table.append(el('tbody', { class: 'empty-group' }, emptyRow(6, 'Loading workers…', '')));
    refreshWorkers(scope);
    scope.every(5000, () => refreshWorkers(scope));
  },
};

async function refreshWorkers(scope) {
  try {
    const data = await api('/v1/workers', { signal: scope.signal });
    if (!scope.alive) return;
    scope.ok();
    const workers = (data?.workers ?? []).slice().sort((a, b) => (a.pool ?? '').localeCompare(b.pool ?? '') || String(a.id).localeCompare(String(b.id)));
    reconcile($('#workers-table'), workers, {
      key: (worker) => worker.id,
      create: () => el('tbody', { class: 'worker-group' }),
      update: updateWorkerGroup,
      empty: () => el('tbody', { class: 'empty-group' }, emptyRow(6, 'No workers registered.', 'Workers appear here when they start and send heartbeats.')),
    });
  } catch (error) {
    scope.report(error, 'Workers cannot be listed');
  }
}

function workerState(worker) {
  const age = (Date.now() - (parseDate(worker.heartbeat_at)?.getTime() ?? 0)) / 1000;
  if (age > HEARTBEAT_STALE_SECONDS) return ['offline', 'tone-bad', `No heartbeat for ${fmtDuration(age)}`];
  // A failed self-test also stops a worker taking jobs (it drains), so it is named first: it is the reason.
  if (worker.self_test && worker.self_test.passed === false) return ['self-test failed', 'tone-bad', worker.self_test.detail];
  if (worker.draining) return ['draining', 'tone-warn', 'Finishing its jobs; takes no new ones'];
  if (worker.running?.length) return ['busy', 'tone-info', null];
  return ['idle', 'tone-good', null];
}

/** Rebuilds a worker's rows only when something but the heartbeat time changed; that one is updated in place. */
function updateWorkerGroup(group, worker) {
  const [stateText] = workerState(worker);
  const signature = JSON.stringify({ ...worker, heartbeat_at: null, stateText });
  if (group.dataset.signature === signature) {
    const time = $('.worker-heartbeat time', group);
    if (time) { time.setAttribute('datetime', worker.heartbeat_at); setAttr(time, 'title', fmtDateTime(parseDate(worker.heartbeat_at))); }
    refreshTimes(group);
    return;
  }
  group.dataset.signature = signature;
  fill(group, workerRow(worker), ...deviceRows(worker));
}

function workerRow(worker) {
  const [label, tone, title] = workerState(worker);
  const running = worker.running ?? [];
  const devices = worker.devices;
  return el('tr', { dataset: { workerId: worker.id } },
    el('th', { scope: 'row', class: 'worker-id' },
      el('span', { class: 'mono', text: worker.id }),
      el('span', { class: 'cell-sub', text: [worker.pool_kind, `${worker.slots} slot${worker.slots === 1 ? '' : 's'}`, worker.accepts_unpinned === false ? 'pinned jobs only' : null].filter(Boolean).join(' · ') })),
    el('td', { class: 'worker-pool' }, worker.pool ? el('a', { href: poolHref(worker.pool), text: worker.pool }) : DASH),
    el('td', { class: 'worker-host' },
      el('span', { text: worker.host }),
      el('span', { class: 'cell-sub', text: [`pid ${worker.pid}`, devices?.cpu_cores ? `${devices.cpu_cores} cores` : null].filter(Boolean).join(' · ') })),
    el('td', { class: 'worker-state' }, badge(label, tone, title)),
    el('td', { class: 'worker-heartbeat num' }, timeAgo(worker.heartbeat_at)),
    el('td', { class: 'worker-jobs' },
      el('span', { class: 'num', text: `${running.length} / ${worker.slots}` }),
      running.length ? el('span', { class: 'cell-sub' }, running.slice(0, 4).flatMap((id, i) => [
        i ? ', ' : '', el('a', { class: 'id-link', href: jobHref(id), text: id })]),
      running.length > 4 ? ` +${running.length - 4} more` : '') : null));
}

function deviceRow(workerId, name, metrics) {
  return el('tr', { class: 'device', dataset: { deviceOf: workerId } }, el('td', { colspan: 6 },
    el('div', { class: 'device-line' }, el('span', { class: 'device-name' }, name), el('div', { class: 'device-metrics' }, metrics))));
}

function metric(label, value) {
  return el('span', { class: 'device-metric' }, `${label} `, el('b', { text: value }));
}

function deviceRows(worker) {
  const devices = worker.devices;
  if (!devices) return [deviceRow(worker.id, 'Devices', el('span', { class: 'note', text: 'No device inventory reported.' }))];
  const rows = [];
  const fenced = worker.fenced_gpus ?? {};
  for (const gpu of devices.gpus ?? []) {
    const reason = fenced[String(gpu.index)];
    const used = gpu.memory_used_mib ?? 0;
    const total = gpu.memory_total_mib ?? 0;
    const engines = gpu.engines ?? {};
    // What Spool's running jobs hold on this GPU (from their placements, `gpus_held`), beside the engines and the
    // driver's session limit.
    const held = (worker.gpus_held ?? []).find((entry) => entry.gpu === gpu.index);
    const encSessions = held?.encoder_sessions ?? 0;
    const decSessions = held?.decoder_sessions ?? 0;
    rows.push(deviceRow(worker.id, [`GPU ${gpu.index} · ${gpu.name} `, reason ? badge('fenced', 'tone-bad', reason) : null], [
      el('span', { class: 'device-metric' }, 'Utilisation ',
        gpu.utilization_percent != null ? meter(`GPU ${gpu.index} utilisation`, gpu.utilization_percent / 100, `${fmtNumber(gpu.utilization_percent, 0)}%`) : el('b', { text: DASH })),
      el('span', { class: 'device-metric' }, 'Memory ',
        total ? meter(`GPU ${gpu.index} memory used`, used / total, `${fmtBytes(used * 1048576)} / ${fmtBytes(total * 1048576)}`) : el('b', { text: DASH })),
      metric('Encoder', [
        `${encSessions} session${encSessions === 1 ? '' : 's'} held · ${engines.nvenc ?? 0}× NVENC`,
        engines.session_limit ? ` (limit ${engines.session_limit})` : '',
        gpu.encoder_utilization_percent != null ? ` · ${fmtNumber(gpu.encoder_utilization_percent, 0)}%` : '',
      ].join('')),
      metric('Decoder', [
        `${decSessions} session${decSessions === 1 ? '' : 's'} held · ${engines.nvdec ?? 0}× NVDEC`,
        gpu.decoder_utilization_percent != null ? ` · ${fmtNumber(gpu.decoder_utilization_percent, 0)}%` : '',
      ].join('')),
      metric('Temperature', gpu.temperature_c != null ? `${fmtNumber(gpu.temperature_c, 0)} °C` : DASH),
      gpu.power_draw_w != null ? metric('Power', `${fmtNumber(gpu.power_draw_w, 0)}${gpu.power_limit_w ? ` / ${fmtNumber(gpu.power_limit_w, 0)}` : ''} W`) : null,
      reason ? el('span', { class: 'device-warning', text: `Fenced: ${reason}` }) : null,
    ]));
  }
  for (const device of devices.opencl ?? []) {
    rows.push(deviceRow(worker.id, `OpenCL ${device.platform_index}.${device.device_index} · ${device.name}`, metric('Platform', device.platform ?? DASH)));
  }
  const ffmpeg = devices.ffmpeg;
  rows.push(deviceRow(worker.id, `CPU · ${devices.cpu_cores ?? '?'} cores`, [
    ffmpeg?.ffmpeg_version ? metric('ffmpeg', ffmpeg.ffmpeg_version.split(' ')[0]) : null,
    ffmpeg?.hwaccels?.length ? metric('hwaccels', ffmpeg.hwaccels.slice().sort().join(', ')) : null,
  ]));
  if (devices.gpu_discovery_problem) {
    rows.push(deviceRow(worker.id, 'GPU discovery', el('span', { class: 'device-warning', text: `failed: ${devices.gpu_discovery_problem}` })));
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// Dead letters view
// ---------------------------------------------------------------------------------------------------------------

const deadLettersView = {
  section: $('#view-dead-letters'),
  title: () => 'Dead letters',
  enter(target, scope) {
    fill($('#dead-letters-body'), emptyRow(6, 'Loading dead letters…', ''));
    refreshDeadLetters(scope);
    scope.every(5000, () => refreshDeadLetters(scope));
  },
};

async function refreshDeadLetters(scope) {
  try {
    const data = await api('/v1/dead-letters?limit=100', { signal: scope.signal });
    if (!scope.alive) return;
    scope.ok();
    reconcile($('#dead-letters-body'), data?.jobs ?? [], {
      key: (job) => job.id,
      create: createDeadLetterRow,
      update: updateDeadLetterRow,
      empty: () => emptyRow(6, 'No dead letters.', 'Jobs that fail after using up their retries show up here.'),
    });
    refreshTimes($('#dead-letters-body'));
  } catch (error) {
    scope.report(error, 'Dead letters cannot be listed');
  }
}

function createDeadLetterRow(job) {
  return el('tr', { dataset: { jobId: job.id } },
    el('th', { scope: 'row' }, el('a', { class: 'job-link', href: jobHref(job.id), text: job.id }), el('span', { class: 'cell-sub' })),
    el('td', { class: 'dead-letter-code' }),
    el('td', { class: 'dead-letter-message' }),
    el('td', { class: 'dead-letter-attempts num' }),
    el('td', { class: 'dead-letter-failed' }),
    el('td', {}, el('button', { type: 'button', class: 'btn btn-sm dead-letter-retry', 'aria-label': `Retry job ${job.id}`, dataset: { jobId: job.id } }, 'Retry')));
}

function updateDeadLetterRow(row, job) {
  setText($('.cell-sub', row), jobSubtitle(job));
  replaceIfChanged($('.dead-letter-code', row), el('span', { class: 'code-badge', text: job.error?.code ?? 'unknown' }));
  const message = job.error?.message ?? '';
  const cell = $('.dead-letter-message', row);
  setText(cell, message.length > 240 ? `${message.slice(0, 240)}…` : message);
  setAttr(cell, 'title', message.length > 240 ? message : null);
  setText($('.dead-letter-attempts', row), job.attempts ?? DASH);
  const failed = $('.dead-letter-failed', row);
  if (failed.dataset.value !== (job.finished_at ?? '')) {
    failed.dataset.value = job.finished_at ?? '';
    fill(failed, timeAgo(job.finished_at));
  }
}

async function onDeadLetterRetry(event) {
  const button = event.target.closest('button.dead-letter-retry');
  if (!button) return;
  const id = button.dataset.jobId;
  button.disabled = true;
  try {
    await api(`/v1/jobs/${enc(id)}/retry`, { method: 'POST' });
    flash(`Job ${id} is queued again.`, { type: 'success' });
    const row = button.closest('tr');
    // Keep the keyboard where it was: on the next row's button, or the heading when the list is empty.
    const next = row.nextElementSibling?.querySelector('button.dead-letter-retry') ?? row.previousElementSibling?.querySelector('button.dead-letter-retry');
    row.remove();
    if (next) next.focus(); else $('#dead-letters-title').focus();
    if (state.scope?.alive && state.view === deadLettersView) refreshDeadLetters(state.scope);
  } catch (error) {
    if (error.status !== 401) flash(error.detail, { type: 'error', title: 'Cannot retry' });
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Wiring
// ---------------------------------------------------------------------------------------------------------------

const VIEWS = {
  jobs: jobsView,
  job: jobView,
  pools: poolsView,
  pool: poolView,
  workers: workersView,
  'dead-letters': deadLettersView,
};

/** Listeners on elements that exist once in index.html, attached once. */
function wireStatic() {
  if (wired) return;
  wired = true;
  $('#signin').addEventListener('submit', onSignIn);
  $('#signout').addEventListener('click', onSignOut);
  $('#skip-link').addEventListener('click', (event) => {
    // The skip link must not change the hash: that is the router's.
    event.preventDefault();
    $('#main').focus();
  });
  window.addEventListener('hashchange', () => route());
  for (const id of ['#filter-state', '#filter-pool', '#filter-tenant']) $(id).addEventListener('change', onFiltersChanged);
  $('#job-filters').addEventListener('submit', (event) => event.preventDefault());
  // `reset` fires before the fields are cleared; read them on the next turn.
  $('#job-filters').addEventListener('reset', () => setTimeout(onFiltersChanged, 0));
  wireUpload();
  $('#job-cancel').addEventListener('click', () => onJobAction('cancel'));
  $('#job-retry').addEventListener('click', () => onJobAction('retry'));
  $('#pool-create').addEventListener('submit', onPoolCreate);
  $('#pool-resize').addEventListener('submit', onPoolResize);
  for (const id of ['#pool-resize-min', '#pool-resize-max']) $(id).addEventListener('input', () => { poolPage.dirty = true; });
  $('#pool-drain').addEventListener('click', onPoolDrain);
  $('#dead-letters-body').addEventListener('click', onDeadLetterRetry);
}

boot();
