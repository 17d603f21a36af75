"use strict";
/* Device console pages: live decisions, savings, health, privacy. */
(() => {
  const { api, el, notice, fmtTime, fmtNum, fmtUsd, fmtAge, dl, badge, rows, td } = C;
  const MAX_ROWS = 200;
  const AUDIT_PAGE = 50;  // audit records per page on the privacy page

  function decisionRow(d, fresh) {
    return el("tr", { class: fresh ? "fresh" : "", "data-event-id": d.event_id },
      td(fmtTime(d.decided_at)), td(d.source), td(d.kind),
      el("td", {}, badge(d.label, "sev-" + d.severity)),
      el("td", {}, badge(d.route, "route")),
      td(fmtNum(d.confidence * 100, 0) + " %", "num"),
      td(fmtNum(d.latency_ms, 1) + " ms", "num"),
      el("td", {}, d.degraded ? badge("degraded", "warn") : el("span", { class: "muted", text: "no" })));
  }

  async function decisions() {
    const form = document.getElementById("filters");
    const tbody = document.querySelector("#decisions tbody");
    const live = document.getElementById("live");
    const params = new URLSearchParams(location.search);
    form.source.value = params.get("source") || "";
    form.route.value = params.get("route") || "";
    let ctl = null, shown = 0, last = null;

    function status(state) {
      const what = { live: "Live", notready: "Device not ready (starting, stopping or broker link down); retrying" }[state]
        || "Reconnecting…";
      live.textContent = `${what} · ${shown} decision(s) shown` + (last ? ` · last at ${fmtTime(last)}` : "");
      live.className = "live is-" + state;
    }

    async function load() {
      if (ctl) ctl.abort();
      const q = new URLSearchParams();
      if (form.source.value.trim()) q.set("source", form.source.value.trim());
      if (form.route.value) q.set("route", form.route.value);
      history.replaceState(null, "", location.pathname + (q.toString() ? "?" + q : ""));
      const data = await api("/console/api/decisions?limit=100&" + q);
      const list = document.getElementById("sources");
      list.replaceChildren(...data.sources.map((x) => el("option", { value: x })));
      shown = data.items.length;
      last = data.items.length ? data.items[0].decided_at : null;
      rows(tbody, data.items, (d) => decisionRow(d, false), "No decisions match yet; new ones appear here live.");
      ctl = C.stream("/console/api/stream?" + q, (event, d) => {
        if (event !== "decision") return;
        if (tbody.querySelector(`tr[data-event-id="${CSS.escape(d.event_id)}"]`)) return;
        const empty = tbody.querySelector("td.empty");
        if (empty) empty.parentElement.remove();
        tbody.prepend(decisionRow(d, true));
        while (tbody.rows.length > MAX_ROWS) tbody.deleteRow(-1);
        shown = tbody.rows.length;
        last = d.decided_at;
        status("live");
      }, status);
      status("reconnecting");
    }

    form.addEventListener("submit", (ev) => { ev.preventDefault(); load().catch((e) => notice(e.message)); });
    form.addEventListener("reset", () => setTimeout(() => load().catch((e) => notice(e.message)), 0));
    await load();
  }

  async function savings() {
    const summary = document.getElementById("summary");
    const note = document.getElementById("source-note");
    async function refresh() {
      const data = await api("/console/api/savings");
      const money = data.money;
      const lastPoint = money.length ? money[money.length - 1] : {};
      const kept = (lastPoint.usd_counterfactual || 0) - (lastPoint.usd_sent || 0);
      const meter = data.source === "meter" ? [
        ["Requests answered locally", fmtNum(lastPoint.requests_local || 0, 0)],
        ["Requests sent to the cloud", fmtNum(lastPoint.requests_sent || 0, 0)]] : [];
      dl(summary, [
        ["Decided on the device", fmtNum(data.counts.local + data.counts.degraded, 0)],
        ["Decisions escalated", fmtNum(data.counts.cloud, 0)],
        ["Blocked (privacy)", fmtNum(data.counts.blocked, 0)],
        ...meter,
        ["Tokens kept local", fmtNum(lastPoint.tokens_local || 0, 0)],
        ["Tokens sent", fmtNum(lastPoint.tokens_sent || 0, 0)],
        ["Spent", fmtUsd(lastPoint.usd_sent || 0)],
        ["Cloud-only would cost", fmtUsd(lastPoint.usd_counterfactual || 0)],
        ["Money kept", fmtUsd(kept), kept > 0 ? "good" : ""],
      ]);
      note.textContent = data.source === "meter"
        ? `From the routing cost meter, sampled while the device runs; counterfactual: every request at ${data.counterfactual_model}.`
        : `Estimated from the last ${fmtNum(data.decisions.reduce((a, b) => a + b.local + b.cloud + b.blocked + b.degraded, 0), 0)} decisions: ` +
          `tokens the models reported, priced as input at ${data.counterfactual_model}. The cost meter is not wired on this device.`;
      Charts.line(document.getElementById("chart-money"), "Money over time",
        [{ name: "Cloud-only counterfactual", points: money.map((p) => [p.t, p.usd_counterfactual]) },
         { name: "Actually sent", points: money.map((p) => [p.t, p.usd_sent]) }], (v) => "$" + v.toFixed(3));
      Charts.line(document.getElementById("chart-tokens"), "Tokens over time",
        [{ name: "Kept local", points: money.map((p) => [p.t, p.tokens_local]) },
         { name: "Sent", points: money.map((p) => [p.t, p.tokens_sent]) }], (v) => fmtNum(v, 0), { integer: true });
      document.getElementById("bucket").textContent = fmtNum(data.bucket_s, 0);
      Charts.line(document.getElementById("chart-routes"), "Decisions by route",
        [{ name: "Local", points: data.decisions.map((b) => [b.t, b.local]) },
         { name: "Cloud", points: data.decisions.map((b) => [b.t, b.cloud]) },
         { name: "Degraded", points: data.decisions.map((b) => [b.t, b.degraded]) },
         { name: "Blocked", points: data.decisions.map((b) => [b.t, b.blocked]) }], (v) => fmtNum(v, 0), { integer: true });
    }
    await refresh();
    setInterval(() => refresh().catch((e) => notice(e.message)), 5000);
  }

  const NOT_REPORTED = "not reported by this device";

  function card(title, pairs, state) {
    const box = el("dl", { class: "figures" });
    dl(box, pairs);
    const id = "h-" + title.toLowerCase().replace(/[^a-z]+/g, "-");
    return el("section", { class: "card " + (state || ""), "aria-labelledby": id },
      el("h2", { id, text: title }), box);
  }

  function temps(hw) {
    const out = [];
    if (hw && hw.thermal) {
      out.push(["Thermal level", hw.thermal.level],
               ["Governor reading", hw.thermal.temperature_c === null ? "no sensor reading" : fmtNum(hw.thermal.temperature_c, 1) + " °C"]);
    }
    const t = hw && hw.tegrastats ? hw.tegrastats : {};
    for (const [k, v] of Object.entries(t)) {
      const m = /^temp_(.+)_c$/.exec(k);
      if (m) out.push([m[1], fmtNum(v, 1) + " °C"]);
    }
    return out.length ? out : [["Temperatures", NOT_REPORTED]];
  }

  function tegra(t) {
    if (!t) return [["Live telemetry", "no tegrastats samples"]];
    const out = [];
    if (t.power_in_mw !== undefined) out.push(["Power draw", fmtNum(t.power_in_mw / 1000, 1) + " W"]);
    if (t.gpu_load_percent !== undefined) out.push(["GPU load", fmtNum(t.gpu_load_percent, 0) + " %"]);
    if (t.cpu_load_percent !== undefined) out.push(["CPU load", fmtNum(t.cpu_load_percent, 0) + " %"]);
    if (t.ram_used_mb !== undefined) out.push(["RAM", `${fmtNum(t.ram_used_mb, 0)} of ${fmtNum(t.ram_total_mb, 0)} MB`]);
    return out;
  }

  async function health() {
    const box = document.getElementById("health");
    async function refresh() {
      const st = await api("/status");
      const hw = st.hw || st.hardware;
      const up = st.uplink || {};
      const outbox = up.outbox || up;
      const budgets = st.budgets || (st.usage && st.usage.budgets);
      const models = st.models;
      const day = budgets && budgets.device_day;
      const known = new Set(["device", "site", "version", "uptime_s", "ready", "mqtt", "pipeline", "hw",
                             "hardware", "uplink", "budgets", "usage", "models"]);
      const cards = [
        card("Device", [["Device", st.device], ["Site", st.site], ["Software", st.version],
                        ["Up for", fmtAge(st.uptime_s)], ["Ready", st.ready ? "yes" : "no", st.ready ? "good" : "bad"]],
             st.ready ? "ok" : "bad"),
        card("Model", models ? [["Deciding with", models.decider], ["SLM", models.slm || "none loaded"],
                                ["SLM warm", models.slm ? (models.slm_warm ? "yes" : "warming up") : "—"],
                                ["Anomaly model", models.anomaly ? "loaded" : "none"]]
                             : [["Model", NOT_REPORTED]]),
        card("Board and power", hw ? [["Board", hw.board], ["Detected from", hw.board_source],
                                      ["Power mode", hw.power_mode ? hw.power_mode.name + (hw.power_mode.watts && !hw.power_mode.name.includes(String(hw.power_mode.watts)) ? ` (${hw.power_mode.watts} W)` : "") : "—"],
                                      ...tegra(hw.tegrastats)]
                                   : [["Board", NOT_REPORTED]]),
        card("Temperatures", temps(hw), hw && hw.thermal && hw.thermal.level !== "normal" ? "warn" : ""),
        card("Queues", [["Decision queue", fmtNum(st.pipeline.queue_depth, 0)], ["In flight", fmtNum(st.pipeline.inflight, 0)],
                        ["SLM queue", models ? fmtNum(models.slm_queue, 0) : NOT_REPORTED],
                        ["Workers alive", st.pipeline.alive ? "yes" : "no", st.pipeline.alive ? "good" : "bad"],
                        ["Outbox depth", outbox.depth === undefined ? NOT_REPORTED : fmtNum(outbox.depth, 0)]]),
        card("Uplink", [["Broker link", st.mqtt.connected ? "connected" : "disconnected", st.mqtt.connected ? "good" : "bad"],
                        ["Broker", `${st.mqtt.host}:${st.mqtt.port}`], ["Reconnects", fmtNum(st.mqtt.disconnects, 0)],
                        ["Cloud uplink", up.state || (up.connected === undefined ? NOT_REPORTED : (up.connected ? "connected" : "offline"))],
                        ["Outbox oldest", outbox.oldest_age_s === undefined ? NOT_REPORTED : fmtAge(outbox.oldest_age_s)]],
             st.mqtt.connected ? "ok" : "bad"),
        card("Budget", day ? [["Tokens today", `${fmtNum(day.used, 0)} of ${fmtNum(day.limit, 0)}`],
                              ["Used", fmtNum(day.limit ? 100 * day.used / day.limit : 0, 1) + " %"],
                              ["Alerts", fmtNum((budgets.alerts || []).length, 0)]]
                           : [["Budget", NOT_REPORTED]]),
      ];
      const extra = Object.entries(st).filter(([k, v]) => !known.has(k) && v !== null && typeof v !== "object");
      if (extra.length) cards.push(card("Other", extra.map(([k, v]) => [k, String(v)])));
      box.replaceChildren(...cards);
      document.getElementById("updated").textContent = "Updated " + fmtTime(Date.now() / 1000);
    }
    await refresh();
    setInterval(() => refresh().catch((e) => notice(e.message)), 5000);
  }

  function counts(obj) {
    const entries = Object.entries(obj || {});
    return entries.length ? entries.map(([k, v]) => `${k} × ${v}`).join(", ") : "none";
  }

  async function privacy() {
    const older = document.getElementById("older"), newest = document.getElementById("newest");
    let before = null;
    async function load() {
      const data = await api(`/console/api/privacy?limit=${AUDIT_PAGE}` + (before ? `&before=${before}` : ""));
      const chain = document.getElementById("chain");
      const labels = { verified: `Chain verified: ${data.records_total} record(s) in ${data.segments} segment(s), none altered, removed or reordered.`,
                       broken: `Chain BROKEN: ${data.problems.length} problem(s) found in ${data.records_total} record(s).`,
                       empty: "Nothing has left this device yet: the audit log is empty." };
      chain.replaceChildren(badge(data.state, "chain"), " ", labels[data.state] || data.state);
      const r = data.retired;
      document.getElementById("retired").textContent = r
        ? `Retention removed ${r.segments} older segment(s): records ${r.first_seq}–${r.last_seq} (${C.fmtDateTime(r.first_ts)} to ${C.fmtDateTime(r.last_ts)}), as its signed anchor records.`
        : "";
      document.getElementById("problems").replaceChildren(...data.problems.map((p) => el("li", { text: p })));
      document.getElementById("notes").replaceChildren(...data.notes.map((p) => el("li", { text: p })));
      rows(document.querySelector("#audit tbody"), data.records, (r) => el("tr", {},
        td(r.seq, "num"), td(C.fmtDateTime(r.ts)), td(r.destination), el("td", {}, badge(r.outcome, "outcome")),
        td(counts(r.classes)), td(counts(r.redactions)), td(fmtNum(r.bytes, 0), "num"), td(fmtNum(r.tokens, 0), "num")),
        "No records.");
      older.disabled = !data.next_before;
      older.dataset.before = data.next_before || "";
      newest.disabled = !before;
    }
    older.addEventListener("click", () => { before = Number(older.dataset.before) || null; load().catch((e) => notice(e.message)); });
    newest.addEventListener("click", () => { before = null; load().catch((e) => notice(e.message)); });
    await load();
  }

  C.start({ decisions, savings, health, privacy });
})();
