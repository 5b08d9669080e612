// Phone simulator: one simulated user chatting with the official account.
// Talks only to the emulator's /_emu/* endpoints; polls the conversation every 2 s.
"use strict";

const POLL_MS = 2000;
const COOKIE = "emu_openid";
const state = { openid: null, users: [], lastSeq: 0, lastTime: 0, menu: [] };
const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function getCookie(name) {
  const found = document.cookie.split("; ").find((part) => part.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
}

function setCookie(name, value) {
  document.cookie = `${name}=${encodeURIComponent(value)}; path=/; SameSite=Lax`;
}

function toast(text, ms = 1800) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, ms);
}

function currentUser() {
  return state.users.find((user) => user.openid === state.openid);
}

// ---------------------------------------------------------------- server calls

async function getJSON(path) {
  const response = await fetch(path, { cache: "no-store" });
  return response.json();
}

async function act(action, body, form) {
  const options = { method: "POST" };
  if (form) {
    options.body = form;
  } else {
    options.headers = { "Content-Type": "application/json" };
    options.body = JSON.stringify(body || {});
  }
  const path = `/_emu/users/${encodeURIComponent(state.openid)}/${action}`;
  const response = await fetch(path, options);
  const result = await response.json();
  if (response.status === 409) {
    toast(result.error);
  } else {
    showStatus(action, result);
  }
  await refreshUsers();
  await pollChat();
  return result;
}

function showStatus(action, result) {
  const results = Array.isArray(result) ? result : [result];
  const lines = results.map((item) => {
    const head = item.status === null ? "无响应" : `HTTP ${item.status}`;
    const event = item.message ? (item.message.Event || item.message.MsgType) : action;
    const reply = item.reply ? `回复 ${JSON.stringify(item.reply)}` : "无被动回复";
    return `${event}: ${head} · 尝试 ${item.attempts} 次 · ${item.error || reply}`;
  });
  $("status").textContent = lines.join("\n");
}

// ---------------------------------------------------------------- users

async function refreshUsers() {
  state.users = await getJSON("/_emu/users");
  const picker = $("user-picker");
  const selected = state.openid || getCookie(COOKIE) || (state.users[0] || {}).openid;
  picker.replaceChildren(...state.users.map((user) => {
    const option = el("option", null, `${user.nickname}${user.subscribed ? "" : "（未关注）"}`);
    option.value = user.openid;
    return option;
  }));
  if (selected && selected !== state.openid) selectUser(selected);
  picker.value = state.openid;
  renderFollowState();
}

function selectUser(openid) {
  state.openid = openid;
  state.lastSeq = 0;
  state.lastTime = 0;
  setCookie(COOKIE, openid);
  $("chat").replaceChildren();
  closeWebview();
  pollChat();
}

function renderFollowState() {
  const user = currentUser();
  const following = Boolean(user && user.subscribed);
  $("composer").hidden = !following;
  $("unfollowed").hidden = following;
  $("follow-toggle").textContent = following ? "取消关注" : "关注";
}

// ---------------------------------------------------------------- chat

async function pollChat() {
  if (!state.openid) return;
  const openid = state.openid;
  const entries = await getJSON(`/_emu/chat/${encodeURIComponent(openid)}?after=${state.lastSeq}`);
  if (openid !== state.openid) return;
  const chat = $("chat");
  const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 40;
  for (const entry of entries) {
    state.lastSeq = Math.max(state.lastSeq, entry.seq);
    renderEntry(entry);
  }
  if (entries.length && (atBottom || entries.some((entry) => entry.kind === "sent"))) {
    chat.scrollTop = chat.scrollHeight;
  }
}

function formatTime(seconds) {
  const date = new Date(seconds * 1000);
  const pad = (value) => String(value).padStart(2, "0");
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return `${date.getMonth() + 1}月${date.getDate()}日 ${clock}`;
}

function renderEntry(entry) {
  const chat = $("chat");
  if (entry.time - state.lastTime >= 300) chat.append(el("div", "time", formatTime(entry.time)));
  state.lastTime = entry.time;
  if (entry.kind === "system") {
    chat.append(el("div", "system", entry.content));
  } else if (entry.kind === "template" || entry.kind === "subscribe") {
    chat.append(templateCard(entry));
  } else {
    chat.append(messageRow(entry));
  }
}

function messageRow(entry) {
  const mine = entry.kind === "sent";
  const row = el("div", mine ? "row me" : "row");
  const user = currentUser();
  row.append(el("span", "avatar", mine ? (user ? user.nickname.slice(-2) : "我") : "公众号"));
  row.append(messageBody(entry));
  return row;
}

function messageBody(entry) {
  if (entry.type === "image" && entry.url) {
    const bubble = el("div", "bubble media");
    const image = el("img");
    image.src = entry.url;
    image.alt = "图片";
    bubble.append(image);
    return bubble;
  }
  if (entry.type === "news") return newsCard(entry.articles || []);
  if (entry.type === "text") return textBubble(entry.content || "");
  const labels = { voice: "[语音]", video: "[视频]", shortvideo: "[小视频]", file: "[文件]",
    location: "[位置]", link: "[链接]", music: "[音乐]" };
  const extra = entry.content ? ` ${entry.content}` : "";
  return el("div", "bubble", `${labels[entry.type] || `[${entry.type}]`}${extra}`);
}

// Text replies may carry <a href="...">...</a> (WeChat renders those as links).
function textBubble(content) {
  const bubble = el("div", "bubble");
  const pattern = /<a\s+[^>]*href=["']([^"']+)["'][^>]*>(.*?)<\/a>/gis;
  let last = 0;
  for (const match of content.matchAll(pattern)) {
    bubble.append(document.createTextNode(content.slice(last, match.index)));
    const link = el("a", null, match[2]);
    link.addEventListener("click", () => openWebview(match[1]));
    bubble.append(link);
    last = match.index + match[0].length;
  }
  bubble.append(document.createTextNode(content.slice(last)));
  return bubble;
}

function newsCard(articles) {
  const article = articles[0] || {};
  const card = el("div", "news");
  if (article.picurl) {
    const image = el("img");
    image.src = article.picurl;
    image.alt = "";
    card.append(image);
  }
  const text = el("div", "news-text");
  text.append(el("div", "news-title", article.title), el("div", "news-desc", article.description));
  card.append(text);
  if (article.url) card.addEventListener("click", () => openWebview(article.url));
  return card;
}

function templateCard(entry) {
  const card = el("div", "card");
  card.append(el("h3", null, entry.title || entry.template_id));
  const kind = entry.kind === "subscribe" ? "订阅通知 · " : "";
  card.append(el("div", "card-time", kind + formatTime(entry.time)));
  for (const line of entry.lines || []) {
    const row = el("div", "line");
    row.append(el("span", "label", line.label), el("span", "value", line.value));
    card.append(row);
  }
  if (entry.url) {
    const detail = el("div", "detail", "详情");
    detail.addEventListener("click", () => openWebview(entry.url));
    card.append(detail);
  } else {
    card.append(el("div", "card-end"));
  }
  return card;
}

// ---------------------------------------------------------------- web view

function openWebview(url) {
  $("webview-title").textContent = url;
  $("webview-open").href = url;
  $("webview-frame").src = url;
  $("webview").hidden = false;
}

function closeWebview() {
  $("webview").hidden = true;
  $("webview-frame").src = "about:blank";
}

// ---------------------------------------------------------------- menu

async function refreshMenu() {
  const menu = await getJSON("/_emu/menu");
  const signature = JSON.stringify(menu.button);
  if (signature === refreshMenu.last) return;
  refreshMenu.last = signature;
  state.menu = menu.button || [];
  const nav = $("menu");
  nav.replaceChildren(...state.menu.map((button) => {
    const node = el("button", button.sub_button && button.sub_button.length ? "has-sub" : "",
      button.name);
    node.type = "button";
    node.addEventListener("click", (event) => topButton(button, event.currentTarget));
    return node;
  }));
}

function topButton(button, node) {
  closePopup();
  if (!button.sub_button || !button.sub_button.length) {
    menuAction(button);
    return;
  }
  const popup = el("div", "popup");
  for (const sub of button.sub_button) {
    const item = el("button", null, sub.name);
    item.type = "button";
    item.addEventListener("click", () => { closePopup(); menuAction(sub); });
    popup.append(item);
  }
  const screen = document.querySelector(".screen");
  const left = node.getBoundingClientRect().left - screen.getBoundingClientRect().left;
  popup.style.left = `${Math.max(6, left + 4)}px`;
  screen.append(popup);
  setTimeout(() => document.addEventListener("click", closePopup, { once: true }), 0);
}

function closePopup() {
  document.querySelectorAll(".popup").forEach((popup) => popup.remove());
}

function menuAction(button) {
  const type = button.type;
  if (type === "click") return act("click", { key: button.key });
  if (type === "view") {
    act("view", { url: button.url });
    return openWebview(button.url);
  }
  if (type && type.startsWith("pic_")) return pickPhotos(button);
  if (type === "location_select") {
    return act("location_select", { key: button.key, label: "模拟位置", poiname: "县纪委监委" });
  }
  if (type === "scancode_push" || type === "scancode_waitmsg") {
    const result = window.prompt("扫码结果（模拟）", "https://example.com/qr");
    if (result !== null) act("scancode", { key: button.key, event: type, result });
    return;
  }
  toast("模拟器不支持此类菜单");
}

function pickPhotos(button) {
  const input = $("pic-input");
  input.value = "";
  input.onchange = () => {
    if (!input.files.length) return;
    const form = new FormData();
    form.append("event", button.type);
    form.append("key", button.key || "");
    for (const file of input.files) form.append("photo", file);
    act("pic", null, form);
  };
  input.click();
}

// ---------------------------------------------------------------- scan

async function openScanSheet() {
  const codes = await getJSON("/_emu/qrcodes");
  const sheet = $("sheet");
  const body = el("div", "sheet-body");
  body.append(el("h4", null, codes.length ? "选择要扫描的二维码" : "还没有生成任何带参数二维码"));
  for (const code of codes) {
    const item = el("button", "sheet-item");
    item.type = "button";
    const image = el("img");
    image.src = code.image;
    image.alt = "二维码";
    const text = el("span");
    text.append(el("div", null, `场景 ${code.scene}`),
      el("div", "muted", code.expired ? "已过期" : code.action_name));
    item.append(image, text);
    item.disabled = code.expired;
    item.addEventListener("click", () => { closeSheet(); act("scan", { ticket: code.ticket }); });
    body.append(item);
  }
  sheet.replaceChildren(body);
  sheet.hidden = false;
}

function closeSheet() {
  $("sheet").hidden = true;
}

// ---------------------------------------------------------------- wiring

function wire() {
  $("user-picker").addEventListener("change", (event) => {
    selectUser(event.target.value);
    renderFollowState();
  });
  $("text-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const content = $("text-input").value;
    if (!content.trim()) return;
    $("text-input").value = "";
    act("text", { content });
  });
  $("photo-input").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const form = new FormData();
    form.append("photo", file);
    event.target.value = "";
    act("image", null, form);
  });
  const toggleFollow = () => {
    const user = currentUser();
    act(user && user.subscribed ? "unsubscribe" : "subscribe");
  };
  $("follow-toggle").addEventListener("click", toggleFollow);
  $("follow-big").addEventListener("click", toggleFollow);
  $("scan-button").addEventListener("click", openScanSheet);
  $("sheet").addEventListener("click", (event) => {
    if (event.target.id === "sheet") closeSheet();
  });
  $("fake-photo").addEventListener("click", () => act("image", {}));
  $("send-location").addEventListener("click", () => act("location", { label: "模拟位置" }));
  $("webview-close").addEventListener("click", closeWebview);
}

async function start() {
  wire();
  const config = await getJSON("/_emu/config");
  $("account-name").textContent = `公众号 ${config.original_id}`;
  await refreshUsers();
  await refreshMenu();
  setInterval(pollChat, POLL_MS);
  setInterval(refreshMenu, POLL_MS * 2.5);
  setInterval(refreshUsers, POLL_MS * 5);
}

start();
