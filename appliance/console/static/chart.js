"use strict";
/* Line charts as inline SVG, shared by the device and fleet consoles. No library, no
   canvas: an SVG with role=img, a <title> that reads the latest values and a <desc>
   that gives the time range and number of points, and beside it the same numbers as a
   table in a <details> box, for screen readers and for anyone who wants the figures. */
const Charts = (() => {
  const { el, fmtTime } = C;
  const s = (tag, attrs, ...children) => el(tag, Object.assign({ svg: true }, attrs), ...children);
  const L = 64, R = 16, T = 16, B = 40;
  const DOTS_UP_TO = 60;  // mark every point of a sparse series; a dense one reads as a line

  /* A round grid step (1, 2, 2.5 or 5 times a power of ten) so that 4 steps reach top. */
  function niceStep(top, integer) {
    const raw = top / 4;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const f = raw / p;
    const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
    return integer ? Math.max(1, Math.ceil(step)) : step;
  }

  function fmtWhen(x, span) {
    if (span < 20 * 3600) return fmtTime(x);
    return new Date(x * 1000).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit",
                                                   minute: "2-digit", hour12: false });
  }

  function dataTable(title, series, yFormat, span) {
    const times = [...new Set(series.flatMap((x) => x.points.map((p) => p[0])))].sort((a, b) => b - a);
    const byTime = series.map((x) => new Map(x.points.map((p) => [p[0], p[1]])));
    return el("div", { class: "table-wrap" }, el("table", { class: "chart-table" },
      el("caption", { text: title + ", newest first" }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Time" }),
        ...series.map((x) => el("th", { scope: "col", text: x.name })))),
      el("tbody", {}, ...times.map((t) => el("tr", {}, el("th", { scope: "row", text: fmtWhen(t, span) }),
        ...byTime.map((m) => el("td", { class: "num", text: m.has(t) ? yFormat(m.get(t)) : "—" })))))));
  }

  /* line(container, title, series, yFormat, options)
     series: [{name, points: [[x, y], ...]}], x in UNIX seconds, oldest first.
     options: integer (whole-number y axis), empty (text when there is no point),
              table (false: no data table), desc (a sentence added to the description),
              width (of the drawing in SVG units, default 720: a chart shown narrower gets
              a smaller width so that its text keeps a readable size). */
  function line(container, title, series, yFormat, options) {
    const o = options || {};
    const W = o.width || 720, H = 260;
    const wasOpen = !!container.querySelector("details[open]");
    const all = series.flatMap((x) => x.points);
    container.replaceChildren();
    const id = container.id + "-title", descId = container.id + "-desc";
    if (!all.length) {
      container.append(el("p", { class: "empty", text: o.empty || "No data yet: it appears as decisions are made." }));
      return;
    }
    let x0 = Math.min(...all.map((p) => p[0])), x1 = Math.max(...all.map((p) => p[0]));
    const span = x1 - x0;
    if (x1 - x0 < 10) { x0 -= 5; x1 += 5; }
    let y1 = Math.max(...all.map((p) => p[1]));
    if (y1 <= 0) y1 = o.integer ? 4 : 1;
    y1 = niceStep(y1, o.integer) * 4;
    const sx = (x) => L + (x - x0) / (x1 - x0) * (W - L - R);
    const sy = (y) => H - B - y / y1 * (H - T - B);
    const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": id,
                           "aria-describedby": descId, class: "chart-svg", preserveAspectRatio: "xMidYMid meet" });
    const latest = series.filter((x) => x.points.length)
      .map((x) => x.name + " " + yFormat(x.points[x.points.length - 1][1]));
    svg.append(s("title", { id, text: title + ": latest " + latest.join(", ") }));
    const counts = series.map((x) => `${x.name}: ${x.points.length} point(s)`).join("; ");
    svg.append(s("desc", { id: descId, text: `From ${fmtWhen(x0, span)} to ${fmtWhen(x1, span)}. ${counts}.` +
                                             (o.desc ? " " + o.desc : "") }));
    const grid = s("g", { class: "grid", "aria-hidden": "true" });
    for (let i = 0; i <= 4; i++) {
      const y = y1 * i / 4;
      grid.append(s("line", { x1: L, x2: W - R, y1: sy(y), y2: sy(y) }));
      grid.append(s("text", { x: L - 6, y: sy(y) + 4, "text-anchor": "end", text: yFormat(y) }));
    }
    for (let i = 0; i <= 4; i++) {
      const x = x0 + (x1 - x0) * i / 4;
      const anchor = i === 0 ? "start" : (i === 4 ? "end" : "middle");
      grid.append(s("text", { x: sx(x), y: H - B + 18, "text-anchor": anchor, text: fmtWhen(x, span) }));
    }
    svg.append(grid);
    series.forEach((ser, i) => {
      const pts = ser.points.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(" ");
      svg.append(s("polyline", { class: "series s" + i, points: pts, fill: "none", "data-name": ser.name }));
      const dots = ser.points.length <= DOTS_UP_TO ? ser.points.slice(0, -1) : [];
      for (const p of dots) svg.append(s("circle", { class: "dot s" + i, cx: sx(p[0]), cy: sy(p[1]), r: 2.5 }));
      for (const p of ser.points.slice(-1)) svg.append(s("circle", { class: "dot last s" + i, cx: sx(p[0]), cy: sy(p[1]), r: 4 }));
    });
    container.append(svg);
    container.append(el("ul", { class: "legend" }, ...series.map((ser, i) =>
      el("li", {}, el("span", { class: "swatch s" + i, "aria-hidden": "true" }), ser.name))));
    if (o.table !== false) {
      container.append(el("details", { class: "chart-data", open: wasOpen },
        el("summary", { text: "The numbers as a table" }), dataTable(title, series, yFormat, span)));
    }
  }

  return { line };
})();
