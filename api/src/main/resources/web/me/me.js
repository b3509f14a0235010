// The contractor page: plain JS, no framework. It trusts no verdict of the server: each entry's
// inclusion proof and the checkpoint's signature are checked here with WebCrypto.
'use strict';

const TOKEN_KEY = 'trackrecord.token';
const SVG = 'http://www.w3.org/2000/svg';
const enc = new TextEncoder();
const $ = (id) => document.getElementById(id);

const REASONS = [
  ['wrong_outcome', 'The outcome is wrong'],
  ['wrong_audit', 'The audit result is wrong'],
  ['not_my_work', 'This was not my work'],
  ['payout_error', 'The payout is wrong'],
  ['other', 'Something else'],
];

const state = { me: null, entries: [], history: null, key: null, checkpoints: new Map(), results: new Map(), retries: 0 };

// ------------------------------------------------------------------ HTTP

class HttpError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || ('HTTP ' + status));
    this.status = status;
    this.problem = problem || {};
  }
}

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = Object.assign({}, options.headers || {}, { Authorization: 'Bearer ' + token });
  const res = await fetch(path, Object.assign({}, options, { headers, cache: 'no-store' }));
  if (!res.ok) {
    let problem = null;
    try { problem = await res.json(); } catch (e) { /* not JSON */ }
    throw new HttpError(res.status, problem);
  }
  return res;
}

// ------------------------------------------------------------------ bytes and hashes

function hexToBytes(hex) {
  if (!/^([0-9a-f]{2})*$/.test(hex)) throw new Error('not lowercase hex: ' + hex.slice(0, 16));
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}
const bytesToHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
function b64ToBytes(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
const equalBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
async function sha256(bytes) { return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)); }
// RFC 9162 §2.1.1: leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right).
const leafHash = (bytes) => sha256(concat(Uint8Array.of(0), bytes));
const nodeHash = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

// RFC 9162 §2.1.3.2: the root an inclusion proof leads to (BigInt: indices may pass 2^31).
async function rootFromInclusionProof(index, size, leaf, proof) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn > sn) throw new Error('leaf index ' + index + ' is not below tree size ' + size);
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) throw new Error('the proof is longer than the tree is deep');
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  if (sn !== 0n) throw new Error('the proof is shorter than the tree is deep');
  return r;
}

// C2SP signed-note verifier key: <name>+<8 hex key id>+base64(0x01 || Ed25519 public key).
async function parseVerifierKey(text) {
  // The name holds no '+'; the base64 key may.
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(text.trim());
  if (!m) throw new Error('verifier key is not name+keyid+key');
  const [, name, idHex, b64] = m;
  const raw = b64ToBytes(b64);
  if (raw.length !== 33 || raw[0] !== 1) throw new Error('verifier key is not an Ed25519 key');
  const pub = raw.slice(1);
  const id = (await sha256(concat(enc.encode(name), Uint8Array.of(0x0a, 0x01), pub))).slice(0, 4);
  if (bytesToHex(id) !== idHex) throw new Error('verifier key id ' + idHex + ' does not match its key');
  const key = await crypto.subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
  return { name, id, key, text: text.trim() };
}

// Checks the checkpoint's Ed25519 signature; answers its tree size and root.
function verifyCheckpoint(note) {
  if (!state.checkpoints.has(note)) state.checkpoints.set(note, checkCheckpoint(note));
  return state.checkpoints.get(note);
}
async function checkCheckpoint(note) {
  const split = note.indexOf('\n\n');
  if (split < 0) throw new Error('checkpoint has no signature block');
  const text = note.slice(0, split + 1); // up to and including the newline after the root
  const lines = text.split('\n');
  if (lines.length < 4) throw new Error('checkpoint lacks origin, size or root');
  const [origin, sizeText, rootB64] = lines;
  if (origin !== state.key.name) throw new Error('checkpoint origin ' + origin + ' is not the key name ' + state.key.name);
  if (!/^[0-9]+$/.test(sizeText)) throw new Error('checkpoint tree size is not a number');
  const root = b64ToBytes(rootB64);
  const prefix = '\u2014 ' + state.key.name + ' ';
  for (const line of note.slice(split + 2).split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const sig = b64ToBytes(line.slice(prefix.length));
    if (sig.length !== 68 || !equalBytes(sig.slice(0, 4), state.key.id)) continue;
    const ok = await crypto.subtle.verify({ name: 'Ed25519' }, state.key.key, sig.slice(4), enc.encode(text));
    if (!ok) throw new Error('checkpoint signature does not verify with ' + state.key.text);
    return { size: BigInt(sizeText), root };
  }
  throw new Error('checkpoint carries no signature by ' + state.key.text);
}

// One entry: the listed entry must be the proven bytes, whose leaf hash the proof leads to the
// signed root.
async function verifyEntry(listed, proof) {
  if (proof.seq !== listed.seq || proof.leaf_index !== listed.seq) throw new Error('proof is for another entry');
  if (proof.entry !== JSON.stringify(listed)) throw new Error('the proven bytes differ from the entry shown');
  const cp = await verifyCheckpoint(proof.checkpoint);
  if (BigInt(proof.tree_size) !== cp.size) throw new Error('proof tree size is not the checkpoint\'s');
  const leaf = await leafHash(enc.encode(proof.entry));
  const root = await rootFromInclusionProof(listed.seq, proof.tree_size, leaf, proof.hashes.map(hexToBytes));
  if (!equalBytes(root, cp.root)) {
    throw new Error('proof leads to root ' + bytesToHex(root).slice(0, 16) + '…, the signed checkpoint says '
      + bytesToHex(cp.root).slice(0, 16) + '…');
  }
  return { treeSize: proof.tree_size };
}

// ------------------------------------------------------------------ page

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}
function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}
function say(text) { $('status').textContent = text; }
function fail(text) { $('error').textContent = text; }

// Scores are basis points (0..10000) unless they look like fractions.
function pct(v) {
  if (typeof v !== 'number') return '—';
  const p = v <= 1 && !Number.isInteger(v) ? v * 100 : v / 100;
  return p.toFixed(1);
}
const date = (ts) => (ts || '').replace('T', ' ').replace(/\.\d+Z$|Z$/, '');

function describe(e) {
  const b = e.body || {};
  switch (e.kind) {
    case 'audit.result':
      return 'Audit (' + b.method + ') of task ' + b.task_id + ': ' + b.verdict + ', score ' + pct(b.score_bp) + '%'
        + (b.error_tags && b.error_tags.length ? ', errors: ' + b.error_tags.join(', ') : '');
    case 'task.outcome':
      return 'Task ' + b.task_id + ' in project ' + b.project_id + ': ' + b.outcome
        + (b.skills ? ' (' + b.skills.join(', ') + ')' : '') + (b.late ? ', late' : '');
    case 'payout':
      return 'Payout ' + b.payout_id + ': ' + (b.amount_minor / 100).toFixed(2) + ' ' + b.currency + ', ' + b.status;
    case 'credential.issued':
      return 'Credential ' + b.type + ' issued by ' + b.issuer;
    case 'credential.revoked':
      return 'Credential ' + b.credential_id + ' revoked: ' + b.reason_code;
    case 'contractor.status':
      return 'Account status: ' + b.status + ' (' + b.reason_code + ')';
    case 'dispute.opened':
      return 'You disputed entry #' + b.target_seq + ' (' + b.reason_code.replace(/_/g, ' ') + '): ' + b.reason;
    case 'dispute.resolved':
      return 'Dispute of entry #' + b.target_seq + ' resolved: ' + b.resolution;
    default:
      return e.kind;
  }
}

function renderScore(rep, unavailable) {
  const box = $('score-body');
  box.replaceChildren();
  const expl = $('explanation');
  expl.replaceChildren();
  if (unavailable) {
    box.append(el('p', { class: 'unavailable', id: 'score-unavailable',
      text: 'Your score is not available right now (' + unavailable + '). Your entries, their proofs and your '
        + 'download below do not depend on it.' }));
    expl.append(el('p', { class: 'help', text: 'The explanation appears with your score.' }));
    return;
  }
  const o = rep.overall || {};
  box.append(el('p', { class: 'score-big', id: 'score-value', text: pct(o.score) }));
  box.append(el('p', { class: 'band', id: 'score-band',
    text: 'Likely between ' + pct(o.lower) + ' and ' + pct(o.upper) + ' (out of 100), from about '
      + (typeof o.n_eff === 'number' ? o.n_eff.toFixed(1) : '?') + ' weighted results.'
      + (rep.status ? ' Status: ' + rep.status + '.' : '')
      + (rep.as_of ? ' As of entry #' + rep.as_of.seq + '.' : '') }));
  box.append(bandBar(o, 'Overall'));
  const skills = rep.skills || {};
  const list = Array.isArray(skills) ? skills.map((s) => [s.skill || s.name, s]) : Object.entries(skills);
  if (list.length) {
    box.append(el('h3', { text: 'By skill' }));
    const ul = el('ul', { class: 'skills', id: 'skills' });
    for (const [name, s] of list) {
      ul.append(el('li', {}, el('strong', { text: name + ': ' + pct(s.score) }),
        el('span', { class: 'help', text: ' (' + pct(s.lower) + '–' + pct(s.upper) + ')' }), bandBar(s, name)));
    }
    box.append(ul);
  }
  const items = rep.explanation || [];
  if (!items.length) {
    expl.append(el('p', { text: 'No entries have moved your score yet.' }));
  } else {
    const ol = el('ul', { id: 'explanation-list' });
    for (const item of items) ol.append(el('li', { text: explain(item) }));
    expl.append(ol);
  }
}

function explain(item) {
  if (typeof item === 'string') return item;
  if (item.text || item.message || item.description) return item.text || item.message || item.description;
  const delta = item.delta_bp ?? item.delta ?? item.effect_bp ?? item.effect;
  if (item.seq !== undefined && typeof delta === 'number') {
    return 'Entry #' + item.seq + (item.kind ? ' (' + item.kind + ')' : '') + ' moved your score '
      + (delta >= 0 ? 'up' : 'down') + ' by ' + pct(Math.abs(delta)) + ' points'
      + (item.reason ? ': ' + item.reason : '') + '.';
  }
  return Object.entries(item).map(([k, v]) => k.replace(/_/g, ' ') + ': ' + JSON.stringify(v)).join(', ');
}

function bandBar(s, name) {
  const w = 300, h = 18, x = (v) => Math.max(0, Math.min(w, (Number(pct(v)) || 0) / 100 * w));
  const bar = svg('svg', { viewBox: `0 0 ${w} ${h}`, class: 'bar', role: 'img', preserveAspectRatio: 'none',
    'aria-label': name + ' score ' + pct(s.score) + ', likely between ' + pct(s.lower) + ' and ' + pct(s.upper) });
  bar.append(svg('rect', { x: 0, y: 6, width: w, height: 6, fill: '#e3e3e3' }));
  bar.append(svg('rect', { x: x(s.lower), y: 3, width: Math.max(2, x(s.upper) - x(s.lower)), height: 12, fill: '#1f4e9a55' }));
  bar.append(svg('rect', { x: x(s.score) - 1.5, y: 0, width: 3, height: h, fill: '#1f4e9a' }));
  return bar;
}

// The engine's score after each scored entry when the service gives it (state.history);
// otherwise a running Beta(1,1) posterior of audit scores computed here, with a ~95% band.
function renderChart() {
  const box = $('chart');
  box.replaceChildren();
  const engine = state.history && state.history.points && state.history.points.length;
  const audits = state.entries.filter((e) => e.kind === 'audit.result' && e.body && typeof e.body.score_bp === 'number')
    .sort((a, b) => a.body.occurred_at.localeCompare(b.body.occurred_at) || a.seq - b.seq);
  if (!engine && !audits.length) {
    box.append(el('p', { id: 'chart-empty', text: 'No audit results yet, so there is nothing to chart.' }));
    return;
  }
  $('chart-help').textContent = engine
    ? 'Your overall score as the reputation engine computed it right after each of your audit results and task '
      + 'outcomes, by the date they happened, with the range it could plausibly be in.'
    : 'Running average of your audit results by the date they happened, with the range it could plausibly be in, '
      + 'computed on this page from your verified entries.';
  let points;
  if (engine) {
    points = state.history.points.map((p) => ({ t: Date.parse(p.occurred_at), mean: p.score, lo: p.lower, hi: p.upper,
      tip: date(p.occurred_at) + ': after entry #' + p.seq + ', score ' + (p.score * 100).toFixed(1), at: p.occurred_at }))
      .sort((x, y) => x.t - y.t);
  } else {
    let a = 1, b = 1;
    points = audits.map((e) => {
      const s = e.body.score_bp / 10000;
      a += s; b += 1 - s;
      const mean = a / (a + b);
      const sd = Math.sqrt(mean * (1 - mean) / (a + b + 1));
      return { t: Date.parse(e.body.occurred_at), mean, lo: Math.max(0, mean - 1.96 * sd), hi: Math.min(1, mean + 1.96 * sd),
        tip: date(e.body.occurred_at) + ': entry #' + e.seq + ', audit ' + pct(e.body.score_bp), at: e.body.occurred_at };
    });
  }
  const W = 640, H = 260, L = 40, R = 12, T = 12, B = 32;
  const t0 = points[0].t, t1 = points[points.length - 1].t;
  const px = (t) => (t1 === t0 ? L + (W - L - R) / 2 : L + (t - t0) / (t1 - t0) * (W - L - R));
  const py = (v) => T + (1 - v) * (H - T - B);
  const last = points[points.length - 1];
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', id: 'chart-svg',
    'aria-labelledby': 'chart-title chart-desc' });
  const title = svg('title', { id: 'chart-title' });
  title.textContent = engine ? 'Score over time' : 'Audit score over time';
  const desc = svg('desc', { id: 'chart-desc' });
  desc.textContent = points.length + (engine ? ' scored entries' : ' audit results') + ' from ' + date(points[0].at)
    + ' to ' + date(last.at) + '; ' + (engine ? 'score' : 'running average') + ' now ' + (last.mean * 100).toFixed(1)
    + ', likely between ' + (last.lo * 100).toFixed(1) + ' and ' + (last.hi * 100).toFixed(1) + '.';
  chart.append(title, desc);
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    chart.append(svg('line', { class: 'grid', x1: L, x2: W - R, y1: py(v), y2: py(v) }));
    const label = svg('text', { x: L - 6, y: py(v) + 4, 'text-anchor': 'end' });
    label.textContent = String(v * 100);
    chart.append(label);
  }
  chart.append(svg('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
  chart.append(svg('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
  const upper = points.map((p) => px(p.t) + ',' + py(p.hi));
  const lower = points.slice().reverse().map((p) => px(p.t) + ',' + py(p.lo));
  chart.append(svg('polygon', { class: 'band-area', points: upper.concat(lower).join(' ') }));
  chart.append(svg('polyline', { class: 'line', points: points.map((p) => px(p.t) + ',' + py(p.mean)).join(' ') }));
  for (const p of points) {
    const dot = svg('circle', { class: 'dot', cx: px(p.t), cy: py(p.mean), r: 3.5 });
    const tip = svg('title');
    tip.textContent = p.tip;
    dot.append(tip);
    chart.append(dot);
  }
  for (const [t, anchor] of [[t0, 'start'], [t1, 'end']]) {
    const label = svg('text', { x: px(t), y: H - 10, 'text-anchor': t0 === t1 ? 'middle' : anchor });
    label.textContent = new Date(t).toISOString().slice(0, 10);
    chart.append(label);
  }
  box.append(chart);
}

function renderEntries(focusSeq) {
  const ol = $('entries');
  ol.replaceChildren();
  const disputed = new Map();
  for (const e of state.entries) {
    if (e.kind === 'dispute.opened') disputed.set(e.body.target_seq, e.seq);
  }
  for (const e of state.entries.slice().reverse()) {
    const headingId = 'entry-' + e.seq + '-h';
    const badge = el('span', { class: 'badge pending', id: 'badge-' + e.seq, text: 'Checking…' });
    const li = el('li', { class: 'entry', id: 'entry-' + e.seq, 'data-seq': String(e.seq), 'data-kind': e.kind,
      'aria-labelledby': headingId });
    li.append(el('div', { class: 'entry-head' },
      el('h3', { id: headingId, tabindex: '-1', text: '#' + e.seq + ' ' + e.kind }),
      el('span', { class: 'help', text: 'happened ' + date(e.body && e.body.occurred_at) }), badge));
    li.append(el('p', { text: describe(e) }));
    if (disputed.has(e.seq)) li.append(el('p', { class: 'help', text: 'You disputed this entry (entry #' + disputed.get(e.seq) + ').' }));
    if (!e.kind.startsWith('dispute.')) li.append(disputeControls(e));
    ol.append(li);
    showResult(e.seq);
  }
  if (focusSeq !== undefined && $('entry-' + focusSeq + '-h')) $('entry-' + focusSeq + '-h').focus();
}

function disputeControls(e) {
  const formId = 'dispute-form-' + e.seq;
  const wrap = el('div');
  const open = el('button', { type: 'button', class: 'secondary dispute-open', id: 'dispute-' + e.seq,
    'aria-expanded': 'false', 'aria-controls': formId, text: 'Dispute entry #' + e.seq });
  const form = el('form', { class: 'dispute-form', id: formId, hidden: '' });
  const select = el('select', { id: formId + '-code', name: 'reason_code', required: '' });
  for (const [v, label] of REASONS) select.append(el('option', { value: v, text: label }));
  const text = el('textarea', { id: formId + '-reason', name: 'reason', rows: '3', maxlength: '2000', required: '' });
  form.append(el('label', { for: select.id, text: 'Why is entry #' + e.seq + ' wrong?' }), select,
    el('label', { for: text.id, text: 'Explain in your own words' }), text,
    el('div', { class: 'actions' }, el('button', { type: 'submit', text: 'Send dispute' }),
      el('button', { type: 'button', class: 'secondary', text: 'Cancel' })));
  const toggle = (show) => {
    form.hidden = !show;
    open.setAttribute('aria-expanded', String(show));
    (show ? select : open).focus();
  };
  open.addEventListener('click', () => toggle(form.hidden));
  form.querySelector('button[type=button]').addEventListener('click', () => toggle(false));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    fail('');
    say('Sending your dispute of entry #' + e.seq + '…');
    try {
      const res = await api('/v1/me/disputes', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ target_seq: e.seq, reason_code: select.value, reason: text.value }) });
      const answer = await res.json();
      await loadEntries();
      say('Your dispute of entry #' + e.seq + ' is recorded as entry #' + answer.seq
        + (answer.duplicate ? ' (you had already sent it).' : '.'));
      renderEntries(answer.seq);
      renderChart();
      state.retries = 0;
      verifyAll();
    } catch (err) {
      fail('The dispute was not recorded: ' + err.message);
    }
  });
  wrap.append(open, form);
  return wrap;
}

function showResult(seq) {
  const badge = $('badge-' + seq);
  const r = state.results.get(seq);
  if (!badge || !r) return;
  badge.className = 'badge ' + r.state;
  badge.textContent = r.state === 'verified' ? '✓ Verified by this page'
    : r.state === 'failed' ? '✗ Verification failed' : 'Waiting for the next signed checkpoint';
  badge.title = r.detail || '';
  const li = $('entry-' + seq);
  let detail = li.querySelector('.verify-detail');
  if (r.state === 'failed') {
    if (!detail) { detail = el('p', { class: 'verify-detail help' }); li.insertBefore(detail, li.children[2] || null); }
    detail.textContent = 'Why it failed: ' + r.detail;
  } else if (detail) {
    detail.remove();
  }
}

function summarize() {
  const all = state.entries.map((e) => state.results.get(e.seq)).filter(Boolean);
  const ok = all.filter((r) => r.state === 'verified').length;
  const bad = all.filter((r) => r.state === 'failed').length;
  const waiting = all.filter((r) => r.state === 'pending').length;
  const s = $('verify-summary');
  s.className = 'summary ' + (bad ? 'bad' : 'ok');
  s.textContent = ok + ' of ' + state.entries.length + ' entries verified' + (bad ? ', ' + bad + ' FAILED' : '')
    + (waiting ? ', ' + waiting + ' waiting for a checkpoint' : '') + '.';
}

async function verifyAll() {
  let waiting = false;
  await Promise.all(state.entries.map(async (e) => {
    try {
      const proof = await (await api('/v1/me/entries/' + e.seq + '/proof')).json();
      await verifyEntry(e, proof);
      state.results.set(e.seq, { state: 'verified', detail: 'against the checkpoint at tree size ' + proof.tree_size });
    } catch (err) {
      if (err instanceof HttpError && err.status === 409) {
        waiting = true;
        state.results.set(e.seq, { state: 'pending', detail: err.message });
      } else {
        state.results.set(e.seq, { state: 'failed', detail: err.message });
      }
    }
    showResult(e.seq);
  }));
  summarize();
  if (waiting && state.retries++ < 20) setTimeout(() => verifyAll(), 2500);
}

async function loadEntries() {
  const entries = [];
  let cursor = null;
  do {
    const page = await (await api('/v1/me/entries?limit=1000' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''))).json();
    state.me = page.contractor;
    entries.push(...page.entries);
    cursor = page.next_cursor;
  } while (cursor && entries.length < 20000);
  state.entries = entries;
}

async function loadReputation() {
  try {
    renderScore(await (await api('/v1/me/reputation')).json(), null);
  } catch (err) {
    if (err instanceof HttpError && err.status >= 500) renderScore(null, err.message);
    else throw err;
  }
  try {
    state.history = await (await api('/v1/me/reputation/history')).json();
  } catch (err) {
    state.history = null;
    if (!(err instanceof HttpError && err.status >= 500)) throw err;
  }
  renderChart();
}

async function loadAccessLog() {
  const log = await (await api('/v1/me/access-log')).json();
  const c = $('access-chain');
  c.className = 'summary ' + (log.chain.verified ? 'ok' : 'bad');
  const checked = log.chain.length - log.chain.checked_from;
  c.textContent = log.chain.verified
    ? 'The access log\'s hash chain verified (' + checked + (checked === 1 ? ' record' : ' records') + ' checked, '
      + log.chain.length + ' in all' + (log.chain.starts_after ? '; older records were deleted after the retention period' : '')
      + ').'
    : 'The access log does NOT verify: ' + log.chain.problem;
  const rows = $('access-rows');
  rows.replaceChildren();
  if (!log.records.length) {
    rows.append(el('tr', {}, el('td', { colspan: '3', text: 'Nobody else has read your record.' })));
  }
  for (const r of log.records) {
    rows.append(el('tr', {}, el('td', { text: date(r.ts) }),
      el('td', { text: r.kind === 'dropped' ? '(unknown)' : r.principal }),
      el('td', { text: r.kind === 'dropped' ? r.dropped + ' reads by anyone were not recorded (overload)' : r.route })));
  }
}

async function loadAll() {
  fail('');
  say('Loading your record…');
  state.retries = 0;
  state.results.clear();
  try {
    state.key = state.key || await parseVerifierKey(await (await api('/v1/checkpoints/key')).text());
    $('key-text').textContent = state.key.text;
    await loadEntries();
  } catch (err) {
    if (err instanceof HttpError && (err.status === 401 || err.status === 403)) {
      signOut();
      fail('Sign-in failed: ' + err.message);
      return;
    }
    fail('Could not load your record: ' + err.message);
    return;
  }
  $('signin').hidden = true;
  $('dashboard').hidden = false;
  $('sign-out').hidden = false;
  $('who').hidden = false;
  $('who').textContent = 'Signed in as contractor ' + state.me;
  renderEntries();
  renderChart();
  await Promise.all([loadReputation().catch((e) => fail('Score: ' + e.message)),
    loadAccessLog().catch((e) => fail('Access log: ' + e.message)), verifyAll()]);
  say('Loaded ' + state.entries.length + ' entries.');
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  state.me = null;
  $('dashboard').hidden = true;
  $('sign-out').hidden = true;
  $('who').hidden = true;
  $('signin').hidden = false;
}

async function download() {
  fail('');
  say('Preparing your download…');
  try {
    const res = await api('/v1/me/export');
    const blob = await res.blob();
    const name = 'trackrecord-' + state.me + '.zip';
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    say('Downloaded ' + name + ' (' + blob.size + ' bytes). Anyone can check it offline: trackrecord verify ' + name);
  } catch (err) {
    fail('Download failed: ' + err.message);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('signin-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const token = $('token').value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    $('token').value = '';
    await loadAll();
    if (!$('dashboard').hidden) $('title').focus();
  });
  $('sign-out').addEventListener('click', () => { signOut(); say('Signed out.'); $('token').focus(); });
  $('refresh').addEventListener('click', () => loadAll());
  $('download').addEventListener('click', () => download());
  if (!window.crypto || !crypto.subtle) {
    fail('This page needs WebCrypto, which browsers offer only over HTTPS or on localhost.');
  }
  if (sessionStorage.getItem(TOKEN_KEY)) loadAll();
});
