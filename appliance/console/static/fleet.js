"use strict";
/* Fleet console pages: devices, one device, rollouts, tokens. */
(() => {
  const { api, el, notice, fmtDateTime, fmtNum, fmtAge, dl, badge, rows, td } = C;
  const tags = (text) => text.split(",").map((t) => t.trim()).filter(Boolean);
  const deviceState = (d) => d.status === "revoked" ? "revoked" : (d.online ? "online" : "offline");
  const deviceHref = (id) => "/console/fleet/devices/" + encodeURIComponent(id);

  async function devicesPage() {
    const form = document.getElementById("filters");
    const params = new URLSearchParams(location.search);
    for (const k of ["q", "site", "tag", "status"]) form[k].value = params.get(k) || "";
    async function load() {
      const ui = new URLSearchParams();
      const q = new URLSearchParams({ limit: "500" });
      for (const k of ["q", "site", "tag", "status"]) if (form[k].value.trim()) ui.set(k, form[k].value.trim());
      if (ui.get("site")) q.set("site", ui.get("site"));
      if (ui.get("tag")) q.set("tag", ui.get("tag"));
      const st = ui.get("status");
      if (st === "revoked") q.set("status", "revoked");
      else if (st) { q.set("status", "active"); q.set("online", st === "online" ? "true" : "false"); }
      history.replaceState(null, "", location.pathname + (ui.toString() ? "?" + ui : ""));
      const page = await api("/fleet/devices?" + q);
      const needle = (ui.get("q") || "").toLowerCase();
      const items = page.items.filter((d) => !needle || [d.id, d.site, d.line, ...(d.tags || [])]
        .some((v) => String(v || "").toLowerCase().includes(needle)));
      document.getElementById("count").textContent = `${items.length} of ${page.total} device(s) shown`;
      rows(document.querySelector("#devices tbody"), items, (d) => el("tr", {},
        el("td", {}, el("a", { href: deviceHref(d.id), text: d.id })),
        el("td", {}, badge(deviceState(d), "state")), td(d.site), td(d.line), td((d.tags || []).join(", ")),
        td(d.board), td(d.model_version), el("td", {}, badge(d.config_status, "config")),
        td(fmtDateTime(d.last_heartbeat))), "No device matches.");
    }
    form.addEventListener("submit", (ev) => { ev.preventDefault(); load().catch((e) => notice(e.message)); });
    form.addEventListener("reset", () => setTimeout(() => load().catch((e) => notice(e.message)), 0));
    await load();
    setInterval(() => load().catch((e) => notice(e.message)), 10000);
  }

  function pairs(obj, unit) {
    const e = Object.entries(obj || {});
    return e.length ? e.map(([k, v]) => [k, fmtNum(v, 1) + (unit || "")]) : [];
  }

  /* Chart series from the telemetry answer: the metrics named prefix.<label>, at most four
     (past four: the aggregate, then the first three labels). Lines follow bucket means. */
  function seriesOf(data, prefix, aggregate, aggregateName) {
    const names = Object.keys(data.series).filter((k) => k.startsWith(prefix + ".")).sort();
    const chosen = names.length <= 4 ? names : [aggregate, ...names.slice(0, 3)];
    return chosen.filter((k) => data.series[k] && data.series[k].length).map((k) => ({
      name: k === aggregate ? aggregateName : k.slice(prefix.length + 1),
      points: data.series[k].map((p) => [p[0], p[1]]) }));
  }

  function trendCharts(data, period) {
    const note = data.samples === 0 ? `No telemetry sample in the ${period}.`
      : `${fmtNum(data.samples, 0)} sample(s) in the ${period}; ` +
        (data.bucket_s ? `each point is the mean of ${fmtAge(data.bucket_s)}.` : "each point is one heartbeat.");
    document.getElementById("trend-note").textContent = note;
    const none = (what) => `No ${what} reported in the ${period}.`;
    Charts.line(document.getElementById("chart-temperature"), "Temperature (°C)",
      seriesOf(data, "temperature", "temperature_max", "Hottest"), (v) => fmtNum(v, 1) + " °C",
      { empty: none("temperature"), width: 560 });
    Charts.line(document.getElementById("chart-queues"), "Queue depth (items)",
      seriesOf(data, "queue", "queue_total", "All queues"), (v) => fmtNum(v, 0), { integer: true, empty: none("queue depth"), width: 560 });
    const load = [["cpu_load_percent", "CPU"], ["gpu_load_percent", "GPU"]]
      .filter(([k]) => data.series[k] && data.series[k].length)
      .map(([k, name]) => ({ name, points: data.series[k].map((p) => [p[0], p[1]]) }));
    Charts.line(document.getElementById("chart-load"), "CPU and GPU load (%)", load, (v) => fmtNum(v, 0) + " %",
      { empty: none("CPU or GPU load"), width: 560 });
  }

  async function devicePage() {
    const id = C.cfg.device;
    const path = "/fleet/devices/" + encodeURIComponent(id);
    document.querySelector("main h1").textContent = "Device " + id;
    document.title = id + " · " + document.title;
    const period = document.getElementById("t-window");
    async function loadTrends() {
      const since = new Date(Date.now() - Number(period.value) * 1000).toISOString();
      const data = await api(path + "/telemetry?points=300&since=" + encodeURIComponent(since));
      trendCharts(data, period.selectedOptions[0].textContent.toLowerCase());
    }
    period.addEventListener("change", () => loadTrends().catch((e) => notice(e.message)));
    async function load() {
      const [dev, hist, cmds, desired] = await Promise.all([
        api(path), api(path + "/history?limit=200"), api(path + "/commands"),
        api("/console/fleet/api/devices/" + encodeURIComponent(id) + "/desired"), loadTrends()]);
      dl(document.getElementById("summary"), [
        ["Status", badge(deviceState(dev), "state")], ["Site", dev.site], ["Line", dev.line],
        ["Tags", (dev.tags || []).join(", ")], ["Serial", dev.serial], ["Board", dev.board],
        ["Software", dev.software_version], ["Model", dev.model_version],
        ["Certificate", dev.certificate_serial]]);
      dl(document.getElementById("telemetry"), [
        ["Last heartbeat", fmtDateTime(dev.last_heartbeat)],
        ...pairs(dev.temperatures, " °C").map(([k, v]) => ["Temperature " + k, v]),
        ...pairs(dev.queue_depths).map(([k, v]) => ["Queue " + k, v]),
        ["Budget used", fmtNum(dev.budget_used, 0) + " tokens"]]);
      const drift = dev.drift || {};
      dl(document.getElementById("drift"), [
        ["Desired version", drift.desired_version], ["Applied version", drift.applied_version || "none yet"],
        ["State", badge(drift.status || "unknown", "config")], ["Refusal", drift.error || ""],
        ["From documents", desired.components.map((c) => `${c.scope}${c.target ? ":" + c.target : ""} v${c.version}`).join(", ") || "defaults only"]]);
      document.getElementById("desired").textContent = JSON.stringify(desired.config, null, 2);
      rows(document.querySelector("#models tbody"), hist.filter((h) => h.kind === "model"),
        (h) => el("tr", {}, td(fmtDateTime(h.ts)), td(h.old), td(h.new)), "No model change reported yet.");
      rows(document.querySelector("#commands tbody"), cmds.slice(0, 50), (c) => el("tr", {},
        td(fmtDateTime(c.payload.issued_at)), td(c.payload.kind),
        td(Object.entries(c.payload.args || {}).map(([k, v]) => `${k}=${v}`).join(", ")),
        el("td", {}, badge(c.status, "cmd")), td(fmtDateTime(c.acked_at))), "No command issued.");
      rows(document.querySelector("#history tbody"), hist.slice(0, 100), (h) => el("tr", {},
        td(fmtDateTime(h.ts)), td(h.kind), td(h.old), td(h.new)), "No history yet.");
    }
    await load();
    setInterval(() => load().catch((e) => notice(e.message)), 5000);
  }

  function stageList(ro) {
    const stage = ro.stage;
    const items = [["canary", "Canary"], ["all", "All devices"]];
    // Every target released means the rollout did reach "all devices" before any rollback.
    const allReleased = ro.devices.length > 0 && ro.devices.every((d) => d.released);
    const out = items.map(([key, label]) => {
      let state = "todo";
      if (key === "canary") state = stage === "canary" ? "current" : (stage === "halted" ? "failed" : "done");
      if (key === "all") state = stage === "all" ? "current" : (allReleased ? "done" : "todo");
      return el("li", { class: "stage " + state, "aria-current": state === "current" ? "step" : null,
                        text: label + (state === "done" ? " ✓" : "") });
    });
    if (stage === "halted") out.push(el("li", { class: "stage failed", "aria-current": "step", text: "Halted by health gate" }));
    if (stage === "rolled_back") out.push(el("li", { class: "stage failed", "aria-current": "step", text: "Rolled back" }));
    return out;
  }

  function progressText(ro) {
    const c = ro.counts || {};
    const total = Object.values(c).reduce((a, b) => a + b, 0);
    const parts = Object.entries(c).map(([k, v]) => `${v} ${k}`);
    return `${c.active || 0} of ${total} active` + (parts.length ? ` (${parts.join(", ")})` : "");
  }

  async function rolloutsPage() {
    const form = document.getElementById("new-rollout");
    const detail = document.getElementById("detail");
    let watching = Number(new URLSearchParams(location.search).get("id")) || null;

    async function loadModels() {
      const models = (await api("/fleet/models")).filter((m) => m.uploaded);
      form.model.replaceChildren(...models.reverse().map((m) => el("option", { value: m.id, text: `${m.name} ${m.version}` })));
    }
    async function loadList() {
      const list = await api("/console/fleet/api/rollouts");
      rows(document.querySelector("#rollouts tbody"), list, (r) => el("tr", { class: r.id === watching ? "selected" : "" },
        td(r.id, "num"), td(r.model), td(r.selector.join(", ") || "all devices"),
        el("td", {}, badge(r.stage, "stage")), td(progressText(r)), td(fmtDateTime(r.created_at)),
        el("td", {}, el("button", { type: "button", class: "secondary", "aria-label": `Watch rollout ${r.id}`,
                                    text: "Watch", onclick: () => watch(r.id) }))), "No rollout yet.");
    }
    async function loadDetail() {
      if (!watching) { detail.hidden = true; return; }
      const ro = await api("/fleet/rollouts/" + watching);
      detail.hidden = false;
      document.getElementById("detail-title").textContent = `Rollout ${ro.id}: stage ${ro.stage}`;
      document.getElementById("stages").replaceChildren(...stageList(ro));
      document.getElementById("progress").textContent = progressText(ro);
      document.getElementById("promote").disabled = ro.stage !== "canary";
      document.getElementById("rollback").disabled = ro.stage === "rolled_back";
      rows(document.querySelector("#targets tbody"), ro.devices, (t) => el("tr", {},
        el("td", {}, el("a", { href: deviceHref(t.device_id), text: t.device_id })),
        td(t.canary ? "canary" : "rest"), td(t.released ? "yes" : "not yet"),
        el("td", {}, badge(t.state, "target")), td(t.detail), td(fmtDateTime(t.updated_at))), "No device.");
    }
    async function refresh() { await Promise.all([loadList(), loadDetail()]); }
    async function watch(id) {
      watching = id;
      history.replaceState(null, "", location.pathname + "?id=" + id);
      await refresh();
      document.getElementById("detail-title").focus();
    }
    async function act(what) {
      notice("");
      try { await api(`/fleet/rollouts/${watching}/${what}`, { method: "POST" }); }
      catch (e) { notice(`${what} refused: ${e.message}`); }
      await refresh();
    }
    document.getElementById("detail-title").setAttribute("tabindex", "-1");
    document.getElementById("promote").addEventListener("click", () => act("promote"));
    document.getElementById("rollback").addEventListener("click", () => act("rollback"));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      notice("");
      try {
        const ro = await api("/fleet/rollouts", { method: "POST", json: {
          model_id: Number(form.model.value), selector: tags(form.selector.value),
          canary_share: Number(form.canary.value), max_failures: Number(form.failures.value) } });
        await watch(ro.id);
      } catch (e) { notice("Rollout not started: " + e.message); }
    });
    await loadModels();
    await refresh();
    setInterval(() => refresh().catch((e) => notice(e.message)), 2000);
  }

  function showOnce(box, label, token, extra) {
    box.replaceChildren(el("p", { text: `${label} (shown once; copy it now):` }),
      el("output", { class: "token", text: token }), extra ? el("p", { text: extra }) : null);
    box.hidden = false;
  }

  async function adminPage() {
    async function load() {
      let data;
      try { data = await api("/console/fleet/api/tokens"); }
      catch (e) {
        if (e.status === 403) { notice("Token administration needs the admin role."); return; }
        throw e;
      }
      rows(document.querySelector("#enrollment tbody"), data.enrollment, (t) => el("tr", {},
        td(t.id, "num"), td(t.serial || "any"), td(t.site), td(t.line), td((t.tags || []).join(", ")),
        td(fmtDateTime(t.expires_at)), td(t.used_by ? `${t.used_by} (${fmtDateTime(t.used_at)})` : "unused"),
        td(t.created_by)), "No enrollment token.");
      rows(document.querySelector("#operators tbody"), data.operators, (t) => el("tr", {},
        td(t.name), el("td", {}, badge(t.role, "role")), td(fmtDateTime(t.created_at)), td(t.created_by),
        td(t.revoked_at ? fmtDateTime(t.revoked_at) : "live"),
        el("td", {}, t.revoked_at ? "" : el("button", { type: "button", class: "danger", text: "Revoke",
          "aria-label": `Revoke tokens named ${t.name}`,
          onclick: async () => {
            await api(`/fleet/api-tokens/${encodeURIComponent(t.name)}/revoke`, { method: "POST" });
            await load();
          } }))), "No operator token.");
    }
    const ef = document.getElementById("new-enrollment");
    ef.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const out = await api("/fleet/enrollment-tokens", { method: "POST", json: {
        serial: ef.serial.value.trim() || null, site: ef.site.value.trim(), line: ef.line.value.trim(),
        tags: tags(ef.tags.value), ttl_s: Math.round(Number(ef.ttl.value) * 3600) } });
      showOnce(document.getElementById("enrollment-secret"), "Enrollment token", out.token,
               "Valid until " + fmtDateTime(out.expires_at) + "; it works once.");
      await load();
    });
    const of = document.getElementById("new-operator");
    of.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const out = await api("/fleet/api-tokens", { method: "POST", json: { name: of.elements.namedItem("name").value.trim(), role: of.role.value } });
      showOnce(document.getElementById("operator-secret"), `Token for ${out.name} (${out.role})`, out.token);
      await load();
    });
    await load();
  }

  C.start({ "fleet-devices": devicesPage, "fleet-device": devicePage, "fleet-rollouts": rolloutsPage,
            "fleet-admin": adminPage });
})();
