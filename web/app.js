// campusbot's web chat: the full page, and the widget's frame (widget.js opens it with ?embed=1).
// Talks to POST /chat and POST /feedback as described in openapi.yaml. No framework, no build step.
import { renderText, safeLink } from './render.js';
import { Auth, AuthError } from './auth.js';

const STORE = 'campusbot.conversation.v1';
const THEME = 'campusbot.theme';
const TIMEOUT_MS = 35000;
const BADGES = {
  database: ['From our data', 'database'],
  documents: ['From our documents', 'documents'],
  general: ['General knowledge', 'general'],
};
const $ = (id) => document.getElementById(id);

const ui = {
  log: $('log'), empty: $('empty'), input: $('input'), form: $('composer'), send: $('send'), typing: $('typing'),
  banner: $('banner'), bannerText: $('banner-text'), retry: $('banner-retry'), status: $('status'),
  counter: $('counter'), theme: $('theme'), fresh: $('new'), who: $('who'), signIn: $('sign-in'),
  signOut: $('sign-out'), dialog: $('sign-in-dialog'), signInForm: $('sign-in-form'), signInError: $('sign-in-error'),
};

async function loadConfig() {
  const defaults = { apiUrl: '/chat', feedbackUrl: '/feedback', title: 'campusbot', maxChars: 1024, cognito: null };
  let config = defaults;
  try {
    const response = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
    if (response.ok) config = { ...defaults, ...(await response.json()) };
  } catch { /* offline at load: the defaults (same-origin API) */ }
  // The widget's data-* attributes arrive as query parameters: only presentation, never where to send messages.
  const query = new URLSearchParams(location.search);
  const colour = (value) => (/^#[0-9a-fA-F]{3,8}$/.test(value || '') ? value : null);
  if (query.get('title')) config.title = query.get('title').slice(0, 60);
  config.colors = { ...(config.colors || {}) };
  if (colour(query.get('accent'))) config.colors.accent = query.get('accent');
  if (colour(query.get('accentText'))) config.colors.accentText = query.get('accentText');
  config.embed = query.get('embed') === '1';
  return config;
}

const config = await loadConfig();
const auth = new Auth(config.cognito);
let conversation = restore();
let busy = false;
let retryTimer = null;
let pending = null; // what "Try again" resends

// Presentation -----------------------------------------------------------------------------------------------

function applyConfig() {
  document.title = config.title;
  $('title').textContent = config.title;
  const root = document.documentElement.style; // CSSOM: allowed by the CSP, unlike style attributes
  if (config.colors.accent) root.setProperty('--accent', config.colors.accent);
  if (config.colors.accentText) root.setProperty('--accent-text', config.colors.accentText);
  if (config.embed) document.documentElement.classList.add('embed');
  ui.input.setAttribute('aria-describedby', 'hint');
}

function applyTheme(theme) {
  const dark = theme ? theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  ui.theme.setAttribute('aria-pressed', String(dark));
}

function announce(text) {
  ui.status.textContent = '';
  setTimeout(() => { ui.status.textContent = text; }, 50);
}

function showBanner(text, { retry = false, kind = 'error' } = {}) {
  ui.bannerText.textContent = text;
  ui.banner.dataset.kind = kind;
  ui.retry.hidden = !retry;
  ui.banner.hidden = false;
}

function hideBanner() {
  ui.banner.hidden = true;
  clearInterval(retryTimer);
  retryTimer = null;
}

function setBusy(value) {
  busy = value;
  ui.typing.hidden = !value;
  ui.send.disabled = value;
  ui.log.setAttribute('aria-busy', String(value));
  if (value) scrollDown();
}

function scrollDown() {
  ui.log.scrollTop = ui.log.scrollHeight;
}

// Conversation state -----------------------------------------------------------------------------------------

function newSessionId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function restore() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORE));
    if (saved && typeof saved.sessionId === 'string' && Array.isArray(saved.turns)) return saved;
  } catch { /* a broken entry starts over */ }
  return { sessionId: newSessionId(), turns: [] };
}

function save() {
  try {
    localStorage.setItem(STORE, JSON.stringify(conversation));
  } catch { /* storage full or disabled: the conversation still works, it is just not kept */ }
}

function startOver() {
  conversation = { sessionId: newSessionId(), turns: [] };
  save();
  hideBanner();
  renderAll();
  announce('New conversation started.');
  ui.input.focus();
}

// Rendering --------------------------------------------------------------------------------------------------

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderUser(turn) {
  const article = element('article', 'msg user');
  article.setAttribute('aria-label', 'You said');
  const bubble = element('div', 'bubble');
  bubble.append(renderText(turn.text));
  article.append(bubble);
  return article;
}

function renderCitations(turn) {
  const sources = (turn.sources || []).filter((s) => s && (s.title || s.s3_key));
  if (!sources.length || turn.answer_source === 'database') return null;
  const box = element('div', 'citations');
  box.append(element('p', 'citations-title', 'Sources'));
  const list = element('ol');
  for (const source of sources) {
    const item = element('li');
    if (Number.isInteger(source.n)) item.value = source.n; // the [n] markers in the answer
    const title = String(source.title || source.s3_key);
    const link = source.url ? safeLink(String(source.url), title) : null;
    const passage = source.snippet || source.passage || source.text;
    if (link) item.append(link);
    if (passage) {
      const details = element('details');
      details.append(element('summary', null, link ? 'Show passage' : title));
      details.append(element('p', 'passage', String(passage)));
      item.append(details);
    } else if (!link) {
      item.append(document.createTextNode(title));
    }
    list.append(item);
  }
  box.append(list);
  return box;
}

const THUMBS = { // Material Design icons (Apache-2.0): no emoji font needed
  1: 'M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z',
  [-1]: 'M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 1.1.9 2 2 2h6.31l-.95 4.57-.03.32c0 .41.17.79.44 1.06L9.83 23l6.59-6.59c.36-.36.58-.86.58-1.41V5c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z',
};

function icon(path) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const shape = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  shape.setAttribute('d', path);
  svg.append(shape);
  return svg;
}

function renderRating(turn) {
  const group = element('div', 'rate');
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', 'Rate this answer');
  for (const [rating, label] of [[1, 'Helpful'], [-1, 'Not helpful']]) {
    const button = element('button', 'icon');
    button.append(icon(THUMBS[rating]));
    button.type = 'button';
    button.setAttribute('aria-label', label);
    button.title = label;
    button.setAttribute('aria-pressed', String(turn.rating === rating));
    button.addEventListener('click', () => rate(turn, rating, group));
    group.append(button);
  }
  return group;
}

function renderBot(turn, isLast) {
  const article = element('article', 'msg bot');
  article.setAttribute('aria-label', 'campusbot said');
  const bubble = element('div', 'bubble');
  for (const text of turn.messages || []) bubble.append(renderText(text));
  article.append(bubble);
  const meta = element('div', 'meta');
  const badge = BADGES[turn.answer_source];
  if (badge) meta.append(element('span', `badge badge-${badge[1]}`, badge[0]));
  if (turn.turn_id && config.feedbackUrl) meta.append(renderRating(turn));
  const citations = renderCitations(turn);
  if (citations) article.append(citations);
  if (meta.childNodes.length) article.append(meta);
  if (isLast && turn.buttons && turn.buttons.length) {
    const quick = element('div', 'quick');
    quick.setAttribute('role', 'group');
    quick.setAttribute('aria-label', 'Suggested answers');
    for (const choice of turn.buttons) {
      const button = element('button', 'chip', choice.text);
      button.type = 'button';
      button.addEventListener('click', () => send(choice.value));
      quick.append(button);
    }
    article.append(quick);
  }
  return article;
}

function renderAll() {
  ui.log.replaceChildren();
  ui.empty.hidden = conversation.turns.length > 0;
  ui.log.append(ui.empty);
  const last = conversation.turns.length - 1;
  conversation.turns.forEach((turn, index) => {
    ui.log.append(turn.role === 'user' ? renderUser(turn) : renderBot(turn, index === last));
  });
  scrollDown();
}

function append(turn) {
  conversation.turns.push(turn);
  save();
  ui.log.querySelector('.quick')?.remove(); // quick replies belong to the latest question only
  ui.empty.hidden = true;
  ui.log.append(turn.role === 'user' ? renderUser(turn) : renderBot(turn, true));
  scrollDown();
}

// Talking to the API -----------------------------------------------------------------------------------------

async function post(url, body, { signedIn = true } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (config.apiKey) headers['X-Api-Key'] = config.apiKey; // the stage's usage-plan key (public, like the page)
  const token = signedIn && auth.enabled ? await auth.idToken() : null;
  if (token) headers.Authorization = `Bearer ${token}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    let response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: controller.signal });
    if (response.status === 401 && token) { // an expired or revoked token: refresh once, else go on anonymously
      const fresh = await auth.idToken({ force: true });
      if (fresh) headers.Authorization = `Bearer ${fresh}`;
      else delete headers.Authorization;
      response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: controller.signal });
    }
    return response;
  } finally {
    clearTimeout(timer);
  }
}

function tooLong(text) {
  return `Your message is too long: ${text.length} characters, at most ${config.maxChars}. Shorten it and send again.`;
}

async function send(text) {
  const message = text.trim();
  if (!message || busy) return;
  if (message.length > config.maxChars) {
    showBanner(tooLong(message));
    return;
  }
  hideBanner();
  pending = message;
  append({ role: 'user', text: message });
  ui.input.value = '';
  updateCounter();
  setBusy(true);
  let response;
  try {
    response = await post(config.apiUrl, { message, session_id: conversation.sessionId });
  } catch (error) {
    setBusy(false);
    return failed(message, navigator.onLine === false
      ? 'You are offline. Your message was not sent; it is back in the box below. It will be ready to send when you reconnect.'
      : error.name === 'AbortError'
        ? 'campusbot took too long to answer. Try again.'
        : 'Cannot reach campusbot right now. Check your connection and try again.', { retry: true, kind: 'offline' });
  }
  const payload = await response.json().catch(() => ({}));
  setBusy(false);
  if (response.ok) {
    pending = null;
    const reply = { role: 'bot', ...payload };
    append(reply);
    announce(`campusbot: ${(payload.messages || []).join(' ')}`);
    return;
  }
  if (response.status === 429) {
    const wait = Math.max(1, Math.min(120, Number(response.headers.get('Retry-After')) || 5));
    failed(message, '', { retry: false });
    countdown(wait);
  } else if (response.status === 413) {
    failed(message, `${payload.error || 'Your message is too long.'} Shorten it and send again.`);
  } else if (response.status >= 500) {
    failed(message, `campusbot could not answer (error ${response.status}). Your message is back in the box below.`, { retry: true });
  } else {
    failed(message, payload.error || payload.message || `The message was refused (error ${response.status}).`);
  }
}

function failed(message, text, options = {}) {
  // The unanswered message leaves the log and goes back into the box, so nothing is lost.
  const last = conversation.turns[conversation.turns.length - 1];
  if (last && last.role === 'user' && last.text === message) {
    conversation.turns.pop();
    save();
    renderAll();
  }
  ui.input.value = message;
  updateCounter();
  if (text) showBanner(text, options);
  ui.input.focus();
}

function countdown(seconds) {
  let left = seconds;
  const tick = () => {
    if (left <= 0) {
      clearInterval(retryTimer);
      retryTimer = null;
      showBanner('You can send your message again now.', { retry: true, kind: 'info' });
      return;
    }
    showBanner(`campusbot is busy (too many requests). Try again in ${left} s.`, { kind: 'busy' });
    left -= 1;
  };
  clearInterval(retryTimer);
  tick();
  retryTimer = setInterval(tick, 1000);
}

async function rate(turn, rating, group) {
  if (turn.rating === rating) return;
  let response;
  try {
    response = await post(config.feedbackUrl, { turn_id: turn.turn_id, session_id: turn.session_id || conversation.sessionId, rating });
  } catch {
    announce('Your rating could not be sent. Try again later.');
    return;
  }
  if (!response.ok) {
    announce('Your rating could not be sent.');
    return;
  }
  turn.rating = rating;
  save();
  for (const button of group.querySelectorAll('button')) {
    button.setAttribute('aria-pressed', String(button.getAttribute('aria-label') === (rating === 1 ? 'Helpful' : 'Not helpful')));
  }
  announce('Thanks for your feedback.');
}

// Input ------------------------------------------------------------------------------------------------------

function updateCounter() {
  const length = ui.input.value.length;
  ui.counter.textContent = length > config.maxChars * 0.8 ? `${length}/${config.maxChars}` : '';
  ui.counter.classList.toggle('over', length > config.maxChars);
  ui.input.style.height = 'auto';
  ui.input.style.height = `${Math.min(ui.input.scrollHeight, 160)}px`;
}

ui.input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send(ui.input.value);
  }
});
ui.input.addEventListener('input', updateCounter);
ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  send(ui.input.value);
});
ui.retry.addEventListener('click', () => send(ui.input.value || pending || ''));
ui.fresh.addEventListener('click', startOver);
ui.theme.addEventListener('click', () => {
  const theme = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  localStorage.setItem(THEME, theme);
  applyTheme(theme);
});
if (config.embed) { // in the widget's frame: Escape closes the widget (widget.js listens on the host page)
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !ui.dialog.open) window.parent.postMessage({ campusbot: 'close' }, '*');
  });
}
window.addEventListener('offline', () => showBanner('You are offline. Messages will not be sent until you reconnect.', { kind: 'offline' }));
window.addEventListener('online', () => {
  if (ui.banner.dataset.kind === 'offline') showBanner('You are back online.', { retry: Boolean(ui.input.value), kind: 'info' });
});

// Sign-in ----------------------------------------------------------------------------------------------------

function showIdentity(email) {
  ui.signIn.hidden = !auth.enabled || Boolean(email);
  ui.signOut.hidden = !auth.enabled || !email;
  ui.who.hidden = !email;
  ui.who.textContent = email ? `Signed in as ${email}` : '';
}

ui.signIn.addEventListener('click', () => {
  ui.signInError.textContent = '';
  ui.dialog.showModal();
  $('sign-in-email').focus();
});
$('sign-in-cancel').addEventListener('click', () => ui.dialog.close());
ui.signInForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const submit = $('sign-in-submit');
  submit.disabled = true;
  try {
    const email = await auth.signIn($('sign-in-email').value.trim(), $('sign-in-password').value);
    $('sign-in-password').value = '';
    ui.dialog.close();
    announce(`Signed in as ${email}.`);
    ui.input.focus();
  } catch (error) {
    ui.signInError.textContent = error instanceof AuthError ? error.message : 'Sign-in failed.';
  } finally {
    submit.disabled = false;
  }
});
ui.signOut.addEventListener('click', () => {
  auth.signOut();
  announce('Signed out.');
  ui.signIn.focus();
});
auth.onChange(showIdentity);

// Start ------------------------------------------------------------------------------------------------------

applyConfig();
applyTheme(localStorage.getItem(THEME));
showIdentity(auth.email);
ui.input.maxLength = config.maxChars * 4; // the counter and the banner say the real limit
renderAll();
if (!navigator.onLine) showBanner('You are offline. Messages will not be sent until you reconnect.', { kind: 'offline' });
document.documentElement.dataset.ready = 'true';
