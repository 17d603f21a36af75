"use strict";
/* Shared console code: the token in sessionStorage, fetch with the bearer token, DOM
   helpers and server-sent events read through a streaming fetch (charts: chart.js).
   Everything is rendered with textContent: nothing from the server becomes markup. */
const C = (() => {
  const KEY = "appliance-console-token";
  const cfg = document.body.dataset;
  const token = () => sessionStorage.getItem(KEY);

  class HttpError extends Error {
    constructor(status, detail) { super(detail); this.status = status; }
  }

  function toLogin() {
    const next = location.pathname + location.search;
    location.replace(cfg.login + "?next=" + encodeURIComponent(next));
  }

  function headers(extra) {
    const h = Object.assign({ Accept: "application/json" }, extra || {});
    const t = token();
    if (t) h.Authorization = "Bearer " + t;
    return h;
  }

  async function api(path, options) {
    const o = options || {};
    const h = headers(o.headers);
    let body = o.body;
    if (o.json !== undefined) { h["Content-Type"] = "application/json"; body = JSON.stringify(o.json); }
    const r = await fetch(path, { method: o.method || "GET", headers: h, body, cache: "no-store",
                                  credentials: "omit", signal: o.signal });
    if (r.status === 401 && !o.noRedirect) {
      sessionStorage.removeItem(KEY);
      toLogin();
      throw new HttpError(401, "not logged in");
    }
    if (!r.ok) {
      let detail = r.status + " " + r.statusText;
      try {
        const j = await r.json();
        detail = typeof j.detail === "string" ? j.detail : JSON.stringify(j.detail);
      } catch (e) { /* not JSON */ }
      throw new HttpError(r.status, detail);
    }
    const type = r.headers.get("content-type") || "";
    return type.includes("json") ? r.json() : r.text();
  }

  /* el("td", {class: "x", text: "y"}, child...) — attributes set as attributes, text as text. */
  function el(tag, attrs, ...children) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = ["svg", "g", "line", "polyline", "rect", "text", "title", "desc", "path", "circle"];
    const node = svg.includes(tag) && attrs && attrs.svg ? document.createElementNS(ns, tag)
      : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "svg" || v === undefined || v === null || v === false) continue;
      if (k === "text") node.textContent = String(v);
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function notice(message) {
    const n = document.getElementById("notice");
    if (!n) return;
    n.textContent = message || "";
    n.hidden = !message;
  }

  function toDate(ts) { return typeof ts === "number" ? new Date(ts * 1000) : new Date(ts); }
  function fmtTime(ts) {
    if (ts === null || ts === undefined || ts === "") return "—";
    const d = toDate(ts);
    return isNaN(d) ? String(ts) : d.toLocaleTimeString([], { hour12: false });
  }
  function fmtDateTime(ts) {
    if (ts === null || ts === undefined || ts === "") return "—";
    const d = toDate(ts);
    return isNaN(d) ? String(ts) : d.toLocaleString([], { hour12: false });
  }
  function fmtNum(n, digits) {
    if (n === null || n === undefined || n === "") return "—";
    return Number(n).toLocaleString([], { maximumFractionDigits: digits === undefined ? 2 : digits });
  }
  function fmtUsd(n) { return n === null || n === undefined ? "—" : "$" + Number(n).toFixed(4); }
  function fmtAge(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    const v = Number(seconds);
    if (v < 90) return v.toFixed(0) + " s";
    if (v < 5400) return (v / 60).toFixed(0) + " min";
    return (v / 3600).toFixed(1) + " h";
  }

  function dl(target, pairs) {
    target.replaceChildren();
    for (const [k, v, cls] of pairs) {
      target.append(el("div", { class: "pair" }, el("dt", { text: k }),
        v instanceof Node ? el("dd", {}, v) : el("dd", { class: cls, text: v === undefined || v === null || v === "" ? "—" : v })));
    }
  }

  function badge(value, kind) {
    return el("span", { class: "badge " + (kind || "") + " b-" + String(value).replace(/[^a-z0-9-]/gi, "_"),
                        text: value });
  }

  function rows(tbody, items, render, empty) {
    tbody.replaceChildren();
    if (!items.length) {
      const cols = tbody.closest("table").querySelectorAll("thead th").length || 1;
      tbody.append(el("tr", {}, el("td", { colspan: cols, class: "empty", text: empty || "Nothing yet." })));
      return;
    }
    for (const item of items) tbody.append(render(item));
  }
  const td = (text, cls) => el("td", { class: cls, text: text === undefined || text === null || text === "" ? "—" : text });

  /* Server-sent events through fetch (EventSource cannot send the Authorization header).
     Reconnects after the server ends a stream; abort with the returned controller. */
  function stream(path, onEvent, onState) {
    const ctl = new AbortController();
    (async () => {
      while (!ctl.signal.aborted) {
        let pause = 200;
        try {
          const r = await fetch(path, { headers: headers({ Accept: "text/event-stream" }),
                                        cache: "no-store", credentials: "omit", signal: ctl.signal });
          if (r.status === 401) { sessionStorage.removeItem(KEY); toLogin(); return; }
          if (!r.ok || !r.body) throw new Error("stream answered " + r.status);
          onState("live");
          const reader = r.body.getReader();
          const decoder = new TextDecoder();
          let buffer = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true });
            let cut;
            while ((cut = buffer.indexOf("\n\n")) >= 0) {
              const frame = buffer.slice(0, cut);
              buffer = buffer.slice(cut + 2);
              let event = "message", data = "";
              for (const line of frame.split("\n")) {
                if (line.startsWith("event:")) event = line.slice(6).trim();
                else if (line.startsWith("data:")) data += line.slice(5).trim();
              }
              if (event === "notready") { pause = 2000; onState("notready"); }
              else if (data) onEvent(event, JSON.parse(data));
            }
          }
        } catch (e) {
          if (ctl.signal.aborted) return;
          onState("reconnecting");
          await new Promise((res) => setTimeout(res, 2000));
          continue;
        }
        if (pause < 1000) onState("reconnecting");
        await new Promise((res) => setTimeout(res, pause));
      }
    })();
    return ctl;
  }

  function setupLogin() {
    const form = document.getElementById("login-form");
    const err = document.getElementById("login-error");
    document.getElementById("token").focus();
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      err.hidden = true;
      const value = document.getElementById("token").value.trim();
      const r = await fetch(cfg.verify, { headers: { Authorization: "Bearer " + value, Accept: "application/json" },
                                          cache: "no-store", credentials: "omit" });
      if (!r.ok) {
        err.textContent = r.status === 401 ? "That token was refused." : "Login failed (" + r.status + ").";
        err.hidden = false;
        return;
      }
      sessionStorage.setItem(KEY, value);
      const next = new URLSearchParams(location.search).get("next") || "";
      // Only same-site console paths: never an open redirect.
      location.assign(/^\/console\/[A-Za-z0-9/_.%-]*(\?[^#]*)?$/.test(next) && !next.includes("//") ? next : cfg.home);
    });
  }

  /* Run the handler registered for this page once logged in. */
  function start(handlers) {
    const page = cfg.page;
    if (page === "login") { setupLogin(); return; }
    if (!token()) { toLogin(); return; }
    const out = document.getElementById("logout");
    if (out) out.addEventListener("click", () => { sessionStorage.removeItem(KEY); location.assign(cfg.login); });
    const run = handlers[page];
    if (run) run().catch((e) => notice(e.message || String(e)));
  }

  return { api, el, notice, fmtTime, fmtDateTime, fmtNum, fmtUsd, fmtAge, dl, badge, rows, td,
           stream, start, HttpError, cfg };
})();
