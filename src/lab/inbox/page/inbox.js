// @ts-check
// The lab inbox page: plain JavaScript, no framework, no network beyond this origin. Everything a message
// brings (headers, text, transcripts) goes into the page as text nodes, never as markup; the message's HTML is
// only ever shown inside a sandboxed iframe served under its own policy (see src/lab/inbox/view.ts).

/** @typedef {{ code: number, text: string, command: string | null }} Reply */
/** @typedef {{ checked: boolean, spf: string | null, dkim: string | null, dmarc: string | null }} VerdictRow */
/**
 * @typedef {{ id: string, outcome: "accepted" | "refused", time: string, persona: string, port: string, user: string | null, remote: string,
 *   from: string, to: string[], subject: string, size: number, snippet: string, attachments: number, reply: Reply | null,
 *   verdict: VerdictRow, read: boolean }} Row
 */
/** @typedef {{ t: number, stage: string, outcome: "accepted" | "refused" | "dropped", reply: string | null, why: string }} Decision */
/** @typedef {{ t: number, dir: "C" | "S" | "*", text: string }} Line */
/** @typedef {{ start: string, persona: string, port: string, remote: string, helo: string | null, user: string | null, secure: boolean, transcript: Line[], decisions: Decision[], omitted: number }} Session */
/** @typedef {{ method: string, result: string, reason: string | null, props: Record<string, string> }} MethodResult */
/** @typedef {{ checked: boolean, authservId: string | null, spf: MethodResult | null, dkim: MethodResult[], dmarc: MethodResult | null, other: MethodResult[], header: string | null }} Receiver */
/**
 * @typedef {{ links: { url: string, text: string, source: string }[], remote: { url: string, kind: "image" | "style" }[],
 *   unsubscribe: { present: boolean, header: string, post: string, links: string[], errors: string[], oneClick: boolean, signedBy: string | null, verified: boolean | null },
 *   headers: { level: "error" | "warning", header: string, text: string, source: string }[],
 *   size: { bytes: number, limits: { name: string, limit: number, fits: boolean }[] } }} Checks
 */
/**
 * @typedef {Row & { envelope: { mailFrom: string | null, rcptTo: string[] },
 *   message: { file: string, size: number, complete: boolean, html: boolean } | null, headers: { name: string, value: string }[],
 *   text: string, parts: { partId: string, filename: string, contentType: string, size: number, inline: boolean }[],
 *   session: Session | null, receiver: Receiver | null, checks: Checks | null }} Detail
 */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * Builds an element; string children become text nodes (never HTML).
 * @param {string} tag
 * @param {Record<string, string | boolean | ((e: Event) => void)>} [attrs]
 * @param {(Node | string | null | undefined | false)[]} children
 * @returns {HTMLElement}
 */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === "function") node.addEventListener(k.replace(/^on/, ""), v);
    else if (v === true) node.setAttribute(k, "");
    else if (v !== false) node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(typeof c === "string" ? document.createTextNode(c) : c);
  return node;
}

/**
 * @param {string} path
 * @param {RequestInit} [init]
 */
async function api(path, init) {
  const res = await fetch(path, { ...init, headers: { Accept: "application/json", ...(init?.body ? { "Content-Type": "application/json" } : {}) } });
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.headers.get("Content-Type")?.startsWith("application/json") ? res.json() : res.text();
}

const state = {
  /** @type {Row[]} */ rows: [],
  /** @type {string | null} */ selected: null,
  query: "",
  tab: "html",
  narrow: false,
  /** Remote images are allowed per message, and only after a click. @type {Set<string>} */ remote: new Set(),
};

function size(/** @type {number} */ n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function when(/** @type {string} */ iso) {
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

function outcomeBadge(/** @type {Row} */ r) {
  if (r.outcome === "accepted") return el("span", { class: "badge ok", title: r.reply?.text ?? "accepted" }, "✓ accepted");
  const code = r.reply ? String(r.reply.code) : "dropped";
  return el("span", { class: "badge bad", title: r.reply ? `${r.reply.command ?? "connect"} → ${r.reply.text}` : "connection dropped" }, `✗ ${code}${r.reply?.command ? ` ${r.reply.command}` : ""}`);
}

function resultBadge(/** @type {string} */ name, /** @type {string | null} */ result) {
  const cls = result === "pass" ? "ok" : result === null || result === "none" || result === "neutral" ? "none" : /fail|permerror/.test(result) ? "bad" : "warn";
  return el("span", { class: `badge ${cls}`, title: `${name}=${result ?? "none"}` }, `${name} ${result ?? "–"}`);
}

function verdictChips(/** @type {VerdictRow} */ v) {
  if (!v.checked) return el("span", { class: "badge none", title: "the message has no Authentication-Results header" }, "not checked");
  return el("span", { class: "chips" }, resultBadge("spf", v.spf), resultBadge("dkim", v.dkim), resultBadge("dmarc", v.dmarc));
}

function renderCounts(/** @type {{ total: number, accepted: number, refused: number }} */ c) {
  $("counts").textContent = `${c.accepted} accepted · ${c.refused} refused`;
}

function renderList() {
  const body = $("rows");
  body.replaceChildren(...state.rows.map(rowElement));
  $("empty").hidden = state.rows.length > 0;
}

function rowElement(/** @type {Row} */ r) {
  const subject = r.subject || (r.outcome === "refused" && !r.size ? `no message — refused at ${r.reply?.command ?? "the connection"}` : "(no subject)");
  return el(
    "tr",
    { "data-id": r.id, class: [r.outcome, r.read ? "" : "unread", r.id === state.selected ? "selected" : ""].filter(Boolean).join(" "), onclick: () => select(r.id) },
    el(
      "td",
      { class: "main" },
      el("div", { class: "line1" }, outcomeBadge(r), el("span", { class: "persona-tag", title: "persona" }, r.persona), el("span", { class: "from", title: r.from }, r.from || r.user || `client ${r.remote}`)),
      el("div", { class: "line2", title: r.to.join(", ") }, `to ${r.to.join(", ") || "—"}`),
      el("div", { class: "line3" }, el("span", { class: "subject" }, subject), r.snippet ? el("span", { class: "snippet" }, ` — ${r.snippet}`) : null),
    ),
    el(
      "td",
      { class: "side" },
      el("div", { class: "time", title: r.time }, when(r.time)),
      el("div", { class: "size" }, r.size ? size(r.size) : "", r.attachments ? ` · ${r.attachments} file${r.attachments === 1 ? "" : "s"}` : ""),
      el("div", {}, verdictChips(r.verdict)),
    ),
  );
}

async function loadList() {
  const q = state.query ? `&query=${encodeURIComponent(state.query)}` : "";
  const data = /** @type {{ total: number, accepted: number, refused: number, entries: Row[] }} */ (await api(`/api/lab/v1/entries?limit=500${q}`));
  state.rows = data.entries;
  renderCounts(data);
  renderList();
}

/** @param {string} id */
async function select(id) {
  state.selected = id;
  history.replaceState(null, "", `#/entry/${id}`);
  for (const tr of document.querySelectorAll("#rows tr")) tr.classList.toggle("selected", tr.getAttribute("data-id") === id);
  const d = /** @type {Detail} */ (await api(`/api/lab/v1/entry/${encodeURIComponent(id)}`));
  const row = state.rows.find((r) => r.id === id);
  if (row) row.read = true;
  document.querySelector(`#rows tr[data-id="${CSS.escape(id)}"]`)?.classList.remove("unread");
  if (!d.message && (state.tab === "html" || state.tab === "text")) state.tab = "session";
  if (d.message && !d.message.html && state.tab === "html") state.tab = "text";
  renderDetail(d);
}

/** The decision that settled a refused attempt: the last refusal or drop. */
function settling(/** @type {Detail} */ d) {
  const list = d.session?.decisions ?? [];
  for (let i = list.length - 1; i >= 0; i--) if (list[i].outcome !== "accepted") return list[i];
  return null;
}

function renderDetail(/** @type {Detail} */ d) {
  const pane = $("detail");
  pane.hidden = false;
  const decisive = settling(d);
  const box =
    d.outcome === "refused"
      ? el(
          "div",
          { class: "verdict-box refused", id: "outcome" },
          el("strong", {}, `Refused by the ${d.persona} persona${decisive ? ` at ${decisive.stage}` : ""}`),
          d.reply ? el("div", {}, el("code", {}, d.reply.text)) : el("div", {}, "The connection was closed without a reply."),
          decisive ? el("div", { class: "why" }, `Why: ${decisive.why}`) : null,
        )
      : el("div", { class: "verdict-box", id: "outcome" }, el("strong", {}, `Accepted by the ${d.persona} persona`), d.reply ? el("div", {}, el("code", {}, d.reply.text)) : null);
  const receiver = d.receiver;
  const meta = el(
    "dl",
    { class: "meta" },
    el("dt", {}, "From"),
    el("dd", {}, d.from || "—"),
    el("dt", {}, "To"),
    el("dd", {}, d.to.join(", ") || "—"),
    el("dt", {}, "Envelope"),
    el("dd", {}, d.envelope.mailFrom === null ? "none: the client did not get as far as MAIL FROM" : `MAIL FROM <${d.envelope.mailFrom}> → ${d.envelope.rcptTo.map((r) => `<${r}>`).join(", ") || "(no RCPT TO)"}`),
    el("dt", {}, "Received"),
    el("dd", {}, `${new Date(d.time).toLocaleString()} on the ${d.port} port from ${d.remote}${d.user ? `, signed in as ${d.user}` : ""}`),
    el("dt", {}, "Size"),
    el("dd", {}, d.message ? `${size(d.message.size)}${d.message.complete ? "" : " (the first part is kept)"}` : "no message"),
    el("dt", {}, "Receiver"),
    el("dd", {}, receiver?.checked ? el("span", {}, verdictChips(d.verdict), ` by ${receiver.authservId ?? "?"}`) : "not checked (no Authentication-Results header)"),
  );
  const actions = el(
    "div",
    { class: "actions" },
    d.message ? el("a", { href: `/api/v1/message/${encodeURIComponent(d.id)}/raw?dl=1`, download: `${d.id}.eml` }, "Download .eml") : null,
    el("button", { type: "button", class: "danger", id: "delete", onclick: () => remove(d.id) }, "Delete"),
  );
  /** @type {[string, string, boolean][]} */
  const tabs = [
    ["html", "HTML", Boolean(d.message?.html)],
    ["text", "Text", Boolean(d.message)],
    ["headers", "Headers", Boolean(d.message)],
    ["raw", "Raw", Boolean(d.message)],
    ["attachments", `Attachments (${d.parts.filter((p) => !p.inline).length})`, d.parts.length > 0],
    ["session", "Session", true],
    ["checks", "Checks", Boolean(d.checks)],
  ];
  const bar = el("div", { class: "tabs", role: "tablist" }, ...tabs.filter((t) => t[2]).map(([key, label]) => el("button", { type: "button", role: "tab", "data-tab": key, "aria-selected": String(state.tab === key), onclick: () => ((state.tab = key), renderDetail(d)) }, label)));
  pane.replaceChildren(el("h2", {}, d.subject || "(no subject)"), box, meta, actions, bar, el("div", { class: "tab", id: `tab-${state.tab}` }, ...tabContent(d)));
}

/** @returns {(Node | string)[]} */
function tabContent(/** @type {Detail} */ d) {
  switch (state.tab) {
    case "html":
      return htmlTab(d);
    case "text":
      return [el("pre", { class: "text" }, d.text || "(the message has no plain-text part)")];
    case "headers":
      return [el("table", { class: "kv" }, ...d.headers.map((h) => el("tr", {}, el("td", {}, h.name), el("td", { class: "mono" }, h.value))))];
    case "raw": {
      const pre = el("pre", { class: "raw" }, "loading…");
      api(`/api/v1/message/${encodeURIComponent(d.id)}/raw`).then((t) => (pre.textContent = String(t)), (e) => (pre.textContent = String(e)));
      return [pre];
    }
    case "attachments":
      return [
        el(
          "table",
          { class: "kv" },
          ...d.parts.map((p) =>
            el(
              "tr",
              {},
              el("td", {}, p.partId),
              el("td", {}, el("a", { href: `/api/v1/message/${encodeURIComponent(d.id)}/part/${encodeURIComponent(p.partId)}?dl=1`, download: p.filename || `part-${p.partId}` }, p.filename || `part ${p.partId}`)),
              el("td", {}, p.contentType),
              el("td", {}, size(p.size)),
              el("td", {}, p.inline ? "inline" : "attachment"),
            ),
          ),
        ),
      ];
    case "session":
      return sessionTab(d);
    case "checks":
      return d.checks ? checksTab(d.checks) : [];
  }
  return [];
}

function htmlTab(/** @type {Detail} */ d) {
  const remote = state.remote.has(d.id);
  const images = d.checks?.remote.filter((r) => r.kind === "image").length ?? 0;
  const styles = (d.checks?.remote.length ?? 0) - images;
  const frame = el("iframe", {
    class: `preview${state.narrow ? " narrow" : ""}`,
    // No allow-scripts, no allow-same-origin, no allow-top-navigation, no allow-popups, no allow-forms.
    sandbox: "",
    referrerpolicy: "no-referrer",
    title: "message preview",
    src: `/view/${encodeURIComponent(d.id)}.html${remote ? "?remote=1" : ""}`,
  });
  const blocked = [images && !remote ? `${images} remote image${images === 1 ? "" : "s"}` : "", styles ? `${styles} remote stylesheet${styles === 1 ? "" : "s"}` : ""].filter(Boolean);
  const tools = el(
    "div",
    { class: "toolbar" },
    el("button", { type: "button", id: "narrow", "aria-pressed": String(state.narrow), onclick: () => ((state.narrow = !state.narrow), renderDetail(d)) }, "Narrow (375 px)"),
    images && !remote ? el("button", { type: "button", id: "load-remote", onclick: () => (state.remote.add(d.id), renderDetail(d)) }, `Load remote images (${images})`) : null,
    el("span", {}, `${blocked.length ? `Blocked: ${blocked.join(", ")}. ` : remote ? "Remote images are shown for this message. " : ""}Scripts never run here.`),
  );
  return [tools, el("div", { class: "frame-wrap" }, frame)];
}

/** @returns {(Node | string)[]} */
function sessionTab(/** @type {Detail} */ d) {
  const s = d.session;
  if (!s) return [el("p", { class: "muted" }, "This capture was made before the lab kept session records.")];
  const decisions = el(
    "ol",
    { class: "decisions" },
    ...s.decisions.map((x) =>
      el("li", {}, el("span", { class: "stage" }, x.stage), " ", el("span", { class: `badge ${x.outcome === "accepted" ? "ok" : "bad"}` }, x.outcome), " ", x.reply ? el("code", {}, x.reply) : null, el("div", { class: "why" }, `why: ${x.why}`)),
    ),
  );
  const lines = s.transcript.map((l, i) => {
    const prefix = l.dir === "S" ? "<- " : l.dir === "C" ? " -> " : "=== ";
    const neg = l.dir === "S" && /^[45]\d\d/.test(l.text);
    const line = el("span", { class: `${l.dir === "*" ? "E" : l.dir}${neg ? " neg" : ""}` }, `${prefix}${l.text}\n`);
    return s.omitted && i === 300 ? [el("span", { class: "E" }, `=== … ${s.omitted} lines left out …\n`), line] : [line];
  });
  return [
    el("h3", {}, "What the persona decided"),
    s.decisions.length ? decisions : el("p", { class: "muted" }, "Nothing to decide: the client did not get as far as a command the persona judges."),
    el("h3", {}, `Transcript (${s.secure ? "TLS" : "no TLS"}, credentials redacted)`),
    el("pre", { class: "transcript" }, ...lines.flat()),
  ];
}

/** @returns {(Node | string)[]} */
function checksTab(/** @type {Checks} */ c) {
  const u = c.unsubscribe;
  const unsub = u.present
    ? el(
        "ul",
        {},
        el("li", {}, `List-Unsubscribe: ${u.header}`),
        el("li", {}, u.oneClick ? "One-click unsubscribe (RFC 8058): present" : "One-click unsubscribe (RFC 8058): not present — Gmail and Yahoo require it from bulk senders"),
        el("li", {}, u.signedBy !== null ? `Signed: a DKIM signature (d=${u.signedBy}) covers both headers${u.verified === null ? "; the receiver did not check it" : u.verified ? " and the receiver verified it" : ", but the receiver did not verify it"}` : "Signed: no DKIM signature covers List-Unsubscribe and List-Unsubscribe-Post (RFC 8058 §4): receivers ignore the one-click header then"),
        ...u.errors.map((e) => el("li", { class: "problem" }, e)),
      )
    : el("p", {}, "No List-Unsubscribe header: bulk mail to Gmail and Yahoo needs one, with one-click unsubscribe (RFC 8058).");
  return [
    el("h3", {}, "Headers a receiver will object to"),
    c.headers.length
      ? el("ul", { class: "problems", id: "header-problems" }, ...c.headers.map((p) => el("li", {}, el("span", { class: `badge ${p.level === "error" ? "bad" : "warn"}` }, p.level), ` ${p.header}: ${p.text} `, el("span", { class: "source" }, `(${p.source})`))))
      : el("p", {}, "None found."),
    el("h3", {}, "Unsubscribe"),
    unsub,
    el("h3", {}, `Links (${c.links.length})`),
    c.links.length
      ? el("table", { class: "kv", id: "links" }, ...c.links.map((l) => el("tr", {}, el("td", {}, l.source), el("td", { class: "mono" }, el("a", { href: l.url, target: "_blank", rel: "noopener noreferrer" }, l.url)), el("td", {}, l.text))))
      : el("p", {}, "No links."),
    el("h3", {}, "Size"),
    el(
      "table",
      { class: "kv" },
      el("tr", {}, el("td", {}, "this message"), el("td", {}, `${size(c.size.bytes)} (${c.size.bytes} bytes)`)),
      ...c.size.limits.map((l) => el("tr", {}, el("td", {}, l.name), el("td", {}, `${size(l.limit)} `, el("span", { class: `badge ${l.fits ? "ok" : "bad"}` }, l.fits ? "fits" : "too big")))),
    ),
    el("h3", {}, `Remote resources (${c.remote.length})`),
    c.remote.length
      ? el("table", { class: "kv", id: "remote" }, ...c.remote.map((r) => el("tr", {}, el("td", {}, r.kind), el("td", { class: "mono" }, r.url))))
      : el("p", {}, "The HTML loads nothing remote."),
  ];
}

/** @param {string} id */
async function remove(id) {
  await api("/api/lab/v1/entries", { method: "DELETE", body: JSON.stringify({ ids: [id] }) });
}

async function clearAll() {
  if (!confirm("Delete every message and refused attempt in the lab?")) return;
  await api("/api/lab/v1/entries", { method: "DELETE" });
}

function follow() {
  const events = new EventSource("/api/lab/v1/events");
  events.addEventListener("open", () => $("live").classList.add("on"));
  events.addEventListener("error", () => $("live").classList.remove("on"));
  events.addEventListener("entry", (ev) => {
    const row = /** @type {Row} */ (JSON.parse(/** @type {MessageEvent} */ (ev).data));
    if (state.query) return void loadList();
    // A capture is announced when it is stored, and again once its session record is written: the second
    // announcement updates the row in place.
    const known = state.rows.findIndex((r) => r.id === row.id);
    const existing = document.querySelector(`#rows tr[data-id="${CSS.escape(row.id)}"]`);
    if (known >= 0) {
      row.read = row.read || state.rows[known].read;
      state.rows[known] = row;
    } else state.rows = [row, ...state.rows];
    if (existing) existing.replaceWith(rowElement(row));
    else $("rows").prepend(rowElement(row));
    renderCounts({ accepted: state.rows.filter((r) => r.outcome === "accepted").length, refused: state.rows.filter((r) => r.outcome === "refused").length, total: state.rows.length });
    $("empty").hidden = true;
    if (known >= 0 && row.id === state.selected && state.tab === "session") void select(row.id);
  });
  events.addEventListener("deleted", (ev) => {
    const { ids } = /** @type {{ ids: string[] | "all" }} */ (JSON.parse(/** @type {MessageEvent} */ (ev).data));
    if (state.selected && (ids === "all" || ids.includes(state.selected))) {
      state.selected = null;
      $("detail").hidden = true;
      history.replaceState(null, "", "#");
    }
    void loadList();
  });
}

async function start() {
  const info = /** @type {{ persona: string }} */ (await api("/api/lab/v1/info"));
  $("persona").textContent = `persona ${info.persona}`;
  /** @type {number | undefined} */
  let timer;
  $("search-form").addEventListener("submit", (e) => e.preventDefault());
  $("search").addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => {
      state.query = /** @type {HTMLInputElement} */ ($("search")).value.trim();
      void loadList();
    }, 200);
  });
  $("clear").addEventListener("click", () => void clearAll());
  follow();
  await loadList();
  const wanted = /^#\/entry\/(.+)$/.exec(location.hash)?.[1];
  if (wanted && state.rows.some((r) => r.id === wanted)) await select(wanted);
}

void start();
