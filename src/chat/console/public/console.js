// gpuops console page: sends commands and button clicks to /console/api and renders every answer
// with the official Adaptive Cards renderer (window.AdaptiveCards), exactly the card Teams gets.
// Messages arrive from the API responses and from the server-sent event stream; each has an id
// and a revision, so a click that updates a card (here or in another tab) replaces it in place.
// Loaded as an ES module (index.html), so its names stay private to it without a wrapping function.

const AC = window.AdaptiveCards;
const $ = (id) => document.getElementById(id);
const state = { actor: "", identities: [], views: new Map(), seq: 0 };
const HISTORY_KEY = "gpuops.console.history";
const ACTOR_KEY = "gpuops.console.actor";

const hostConfig = new AC.HostConfig({
  fontFamily: '"Segoe UI", system-ui, -apple-system, sans-serif',
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 28, padding: 12 },
  actions: { maxActions: 6, spacing: "default", buttonSpacing: 8, showCard: { actionMode: "inline" }, actionsOrientation: "horizontal", actionAlignment: "left" },
});

async function api(path, body) {
  const init = { credentials: "same-origin", headers: { accept: "application/json" } };
  if (body !== undefined) {
    init.method = "POST";
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`/console/api/${path}`, init);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.message || `The console API answered ${res.status}.`);
  return data;
}

// ---- rendering -------------------------------------------------------------------------------

function time(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function identityName(id) {
  return state.identities.find((i) => i.id === id)?.name ?? id;
}

// ---- width classes ----------------------------------------------------------------------------
// Cards mark their wide and narrow variants with `targetWidth` (as Teams reads it); this renderer
// version does not know the property, so the page keeps only the variants for the pane's width.
const WIDTHS = ["veryNarrow", "narrow", "standard", "wide"];

function widthClass(px) {
  if (px < 300) return "veryNarrow";
  if (px < 520) return "narrow";
  if (px < 900) return "standard";
  return "wide";
}

function fitsTarget(target, cls) {
  if (typeof target !== "string") return true;
  const at = WIDTHS.indexOf(cls);
  const [op, name] = target.includes(":") ? target.split(":") : ["is", target];
  const want = WIDTHS.findIndex((w) => w.toLowerCase() === String(name).toLowerCase());
  if (want < 0) return true;
  if (op.toLowerCase() === "atleast") return at >= want;
  if (op.toLowerCase() === "atmost") return at <= want;
  return at === want;
}

/** A copy of the card JSON without the elements whose targetWidth does not match `cls`. */
function forWidth(node, cls) {
  if (Array.isArray(node)) return node.filter((n) => !(n && typeof n === "object" && !fitsTarget(n.targetWidth, cls))).map((n) => forWidth(n, cls));
  if (node && typeof node === "object") {
    const out = {};
    for (const [k, v] of Object.entries(node)) if (k !== "targetWidth") out[k] = forWidth(v, cls);
    return out;
  }
  return node;
}

function paneWidth(pane) {
  const log = logFor(pane);
  const style = getComputedStyle(log);
  return log.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
}

function renderCard(view) {
  const card = new AC.AdaptiveCard();
  card.hostConfig = hostConfig;
  card.onExecuteAction = (action) => onCardAction(view.id, action);
  const context = new AC.SerializationContext();
  const cls = widthClass(paneWidth(view.pane));
  card.parse(forWidth(view.card, cls), context);
  for (let i = 0; i < context.eventCount; i++) console.warn("card parse:", context.getEventAt(i).message);
  const el = card.render();
  const box = document.createElement("div");
  box.className = "card";
  box.dataset.width = cls;
  if (el) box.appendChild(el);
  return box;
}

function buildMessage(view) {
  const li = document.createElement("li");
  li.className = `message ${view.from}`;
  li.dataset.messageId = view.id;
  li.dataset.rev = String(view.rev);
  li.dataset.order = String(view.order);
  const meta = document.createElement("div");
  meta.className = "meta";
  if (view.from === "user") fillUserMessage(li, meta, view);
  else fillBotMessage(li, meta, view);
  return li;
}

/** What someone typed: who and when, and their words in a bubble. */
function fillUserMessage(li, meta, view) {
  meta.textContent = `${view.actor?.name ?? view.actor?.id ?? "someone"} · ${time(view.at)}`;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  bubble.textContent = view.text ?? "";
  li.append(meta, bubble);
}

/** An answer: its card, marked as ephemeral, threaded or updated as the chat platforms show it. */
function fillBotMessage(li, meta, view) {
  li.dataset.title = view.reply?.title ?? "";
  li.dataset.outcome = view.reply?.outcome ?? "";
  if (view.ephemeralFor) {
    li.classList.add("ephemeral");
    li.dataset.ephemeralFor = view.ephemeralFor;
  }
  if (view.threadId) {
    li.classList.add("thread");
    li.dataset.threadId = view.threadId;
  }
  const parts = ["gpuops", time(view.at)];
  if (view.threadId) parts.push("reply in thread");
  if (view.rev > 1) parts.push("updated");
  if (view.ephemeralFor) parts.push(`only ${identityName(view.ephemeralFor)} can see this`);
  meta.textContent = parts.join(" · ");
  li.append(meta, renderCard(view));
  applyVisibility(li);
}

function applyVisibility(li) {
  const only = li.dataset.ephemeralFor;
  li.classList.toggle("hidden", Boolean(only) && only !== state.actor);
}

function logFor(pane) {
  return pane === "channel" ? $("channel-log") : $("chat-log");
}

/** Adds or replaces a message; older revisions than the one shown are ignored. */
function upsert(view) {
  if (!view?.id) return;
  state.seq = Math.max(state.seq, view.seq ?? 0);
  const prev = state.views.get(view.id);
  if (prev && prev.rev >= view.rev) return;
  state.views.set(view.id, view);
  const el = buildMessage(view);
  const log = logFor(view.pane);
  const existing = log.querySelector(`li[data-message-id="${CSS.escape(view.id)}"]`);
  if (existing) {
    el.classList.add("updated");
    existing.replaceWith(el);
    return;
  }
  insertMessage(log, el, view);
}

/** Puts a new message in its place by order, and keeps the reader where they were reading. */
function insertMessage(log, el, view) {
  const after = [...log.querySelectorAll("li.message")].find((li) => Number(li.dataset.order) > view.order);
  const stick = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  log.insertBefore(el, after ?? null);
  if (view.pane === "channel") {
    updateChannelPane();
    rerenderAll();
  }
  // A new answer is read from its title: scroll to its top, not to its end.
  if (view.from === "bot" && (view.pane === "chat" || stick)) scrollToTop(log, el);
  else if (stick || view.pane === "chat") log.scrollTop = log.scrollHeight;
}

function scrollToTop(log, el) {
  log.scrollTop = el.offsetTop - log.offsetTop - 8;
}

// ---- layout ------------------------------------------------------------------------------------
// The local channel pane folds into a bar while it is empty or the window is narrow; its button
// opens it (and says how many posts wait there).
const layout = { channelOpen: null, seenInChannel: 0 };

function updateChannelPane() {
  const count = $("channel-log").querySelectorAll("li.message").length;
  const narrow = window.matchMedia("(max-width: 800px)").matches;
  const open = layout.channelOpen ?? (count > 0 && !narrow);
  document.querySelector(".panes").classList.toggle("channel-collapsed", !open);
  const toggle = $("channel-toggle");
  toggle.setAttribute("aria-expanded", String(open));
  toggle.textContent = open ? "Hide" : count > 0 ? `Show (${count})` : "Show";
}

function wireChannelToggle() {
  $("channel-toggle").addEventListener("click", () => {
    const open = $("channel-toggle").getAttribute("aria-expanded") === "true";
    layout.channelOpen = !open;
    updateChannelPane();
    rerenderAll();
  });
}

/** Redraws every card for its pane's current width class (after a resize or the channel pane folding). */
function rerenderAll() {
  for (const view of state.views.values()) {
    if (view.from !== "bot") continue;
    const log = logFor(view.pane);
    const existing = log.querySelector(`li[data-message-id="${CSS.escape(view.id)}"]`);
    const box = existing?.querySelector(".card");
    if (existing && box && box.dataset.width !== widthClass(paneWidth(view.pane))) existing.replaceWith(buildMessage(view));
  }
}

function wireResize() {
  let resizeTimer;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      updateChannelPane();
      rerenderAll();
    }, 150);
  });
}

function systemLine(pane, text) {
  const li = document.createElement("li");
  li.className = "system";
  li.textContent = text;
  logFor(pane).appendChild(li);
  logFor(pane).scrollTop = logFor(pane).scrollHeight;
}

// ---- buttons ---------------------------------------------------------------------------------

/** Action.Execute (and its Action.Submit fallback) carry {verb, payload}, read as the Teams door reads them. */
async function onCardAction(messageId, action) {
  const data = action.data && typeof action.data === "object" ? action.data : {};
  const verb = typeof action.verb === "string" && action.verb ? action.verb : data.verb;
  if (typeof verb !== "string") return;
  const body = { verb, payload: data.payload ?? {}, actor: state.actor, messageId };
  const li = document.querySelector(`li[data-message-id="${CSS.escape(messageId)}"] .card`);
  li?.classList.add("busy");
  try {
    const result = await api("action", body);
    for (const v of result.updated ?? []) upsert(v);
    for (const v of result.posted ?? []) upsert(v);
    if (result.ephemeral) upsert(result.ephemeral);
  } catch (err) {
    systemLine("chat", err.message);
  } finally {
    li?.classList.remove("busy");
  }
}

// ---- commands --------------------------------------------------------------------------------

function history() {
  try {
    return JSON.parse(localStorage.getItem(HISTORY_KEY) ?? "[]");
  } catch {
    return [];
  }
}
let historyAt = -1;

async function send(text) {
  const input = $("command");
  const button = $("send");
  const h = history().filter((t) => t !== text);
  h.unshift(text);
  localStorage.setItem(HISTORY_KEY, JSON.stringify(h.slice(0, 50)));
  historyAt = -1;
  input.value = "";
  button.disabled = true;
  const typing = document.createElement("li");
  typing.className = "typing";
  typing.textContent = "gpuops is working on it…";
  $("chat-log").appendChild(typing);
  try {
    const result = await api("command", { text, actor: state.actor });
    upsert(result.asked);
    upsert(result.message);
  } catch (err) {
    systemLine("chat", err.message);
  } finally {
    typing.remove();
    button.disabled = false;
    input.focus();
  }
}

/** The command box (Enter sends, arrow keys walk the history) and the example buttons. */
function wireComposer() {
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("command").value.trim();
    if (text) void send(text);
  });
  $("command").addEventListener("keydown", (e) => {
    if (e.key !== "ArrowUp" && e.key !== "ArrowDown") return;
    const h = history();
    if (h.length === 0) return;
    e.preventDefault();
    historyAt = e.key === "ArrowUp" ? Math.min(historyAt + 1, h.length - 1) : Math.max(historyAt - 1, -1);
    $("command").value = historyAt < 0 ? "" : h[historyAt];
  });
  for (const b of document.querySelectorAll("button.example")) {
    b.addEventListener("click", () => void send(b.textContent.trim()));
  }
}

// ---- identities, history, live updates --------------------------------------------------------

/** The "act as" picker: ephemeral answers show only to the identity they were for. */
function wireActorPicker() {
  $("actor").addEventListener("change", () => {
    state.actor = $("actor").value;
    localStorage.setItem(ACTOR_KEY, state.actor);
    for (const li of document.querySelectorAll("li.message.bot")) applyVisibility(li);
  });
}

async function catchUp() {
  const [chat, channel] = await Promise.all([api(`chat?after=${state.seq}`), api(`channel?after=${state.seq}`)]);
  for (const v of chat.messages) upsert(v);
  for (const v of channel.messages) upsert(v);
}

function listen() {
  const events = new EventSource("/console/api/events");
  events.addEventListener("message", (e) => upsert(JSON.parse(e.data)));
  // After a reconnect, fetch whatever changed while the stream was down.
  events.addEventListener("hello", () => void catchUp().catch((err) => systemLine("chat", err.message)));
}

/** Fills the "act as" picker; the identity chosen last time stays chosen. */
function showIdentities(who) {
  state.identities = who.identities;
  $("demo-label").hidden = !who.demo;
  const saved = localStorage.getItem(ACTOR_KEY);
  state.actor = who.identities.some((i) => i.id === saved) ? saved : who.defaultActor;
  for (const i of who.identities) {
    const opt = document.createElement("option");
    opt.value = i.id;
    opt.textContent = `${i.name} (${i.role})`;
    $("actor").appendChild(opt);
  }
  $("actor").value = state.actor;
}

async function start() {
  try {
    showIdentities(await api("identities"));
    updateChannelPane();
    await catchUp();
    updateChannelPane();
    listen();
    document.body.dataset.ready = "true";
  } catch (err) {
    systemLine("chat", `The console could not start: ${err.message}`);
  }
}

wireChannelToggle();
wireResize();
wireComposer();
wireActorPicker();
void start();
