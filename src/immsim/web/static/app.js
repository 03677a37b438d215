// immsim web app: small, dependency-free page scripts (plotly.js draws the charts).
"use strict";

// ---- shared helpers --------------------------------------------------------------------------------------------

function $(sel, root) { return (root || document).querySelector(sel); }
function $all(sel, root) { return Array.from((root || document).querySelectorAll(sel)); }

function fmt(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "n/a";
  const a = Math.abs(v);
  return a >= 100 ? Math.round(v).toLocaleString("en-US") : Number(v.toPrecision(3)).toLocaleString("en-US");
}

// Show an API refusal next to the control that caused it: {"detail": {"message", "field"}}.
function clearErrors(form) { $all(".error", form).forEach(e => { e.textContent = ""; }); }
function showError(detail, fallbackId) {
  const d = (detail && typeof detail === "object" && !Array.isArray(detail)) ? detail : { message: String(detail) };
  const field = (d.field || "").replace(/\.\d+\..*$/, "").replace(/\./g, "-");
  const target = (field && document.getElementById("err-" + field)) || document.getElementById(fallbackId);
  target.textContent = d.message || "The request was refused.";
  const control = document.getElementById(field) || document.getElementById("lever-" + field.replace(/^levers-/, ""));
  if (control && control.focus) control.focus();
}

async function send(url, options) {
  const resp = await fetch(url, options);
  let body = null;
  try { body = await resp.json(); } catch (e) { body = null; }
  return { ok: resp.ok, status: resp.status, body };
}

function download(text, filename) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type: "application/yaml" }));
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

// ---- sortable tables (keyboard: each header is a button) -------------------------------------------------------

function makeSortable(table) {
  const heads = $all("thead th", table);
  heads.forEach((th, col) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.innerHTML = th.innerHTML;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach(h => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      const key = r => {
        const cell = r.cells[col];
        const raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
        const n = parseFloat(raw);
        return Number.isNaN(n) || !/^-?[\d.eE+-]+$/.test(raw) ? raw.toLowerCase() : n;
      };
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        const c = (typeof x === typeof y) ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);
        return ascending ? c : -c;
      });
      rows.forEach(r => body.appendChild(r));
    });
  });
}

// ---- charts ----------------------------------------------------------------------------------------------------

function drawCharts() {
  if (!window.Plotly) return;
  $all(".chart[data-figure]").forEach(el => {
    const fig = JSON.parse(el.dataset.figure);
    window.Plotly.newPlot(el, fig.data, fig.layout, { displaylogo: false, responsive: true });
  });
}

// ---- tile map of the states ------------------------------------------------------------------------------------

const BLUE = [0, 114, 178], ORANGE = [230, 159, 0], LIGHT = [247, 247, 247];  // Okabe-Ito blue and orange

function mix(a, b, t) { return a.map((x, i) => Math.round(x + (b[i] - x) * t)); }

function drawTiles() {
  const map = $("#tile-map");
  if (!map) return;
  const data = JSON.parse(map.dataset.tiles);
  const select = $("#state-figure");
  function paint() {
    const column = select.value;
    const diverging = column.endsWith("_difference");
    const values = Object.values(data.states).map(s => s[column]).filter(v => v !== null);
    const hi = Math.max(...values.map(Math.abs), 1e-9);
    map.textContent = "";
    for (const [state, pos] of Object.entries(data.tiles)) {
      const s = data.states[state];
      const tile = document.createElement("div");
      tile.className = "tile";
      tile.style.gridRow = String(pos.row + 1);
      tile.style.gridColumn = String(pos.col + 1);
      const v = s ? s[column] : null;
      let rgb = [224, 224, 224];
      if (v !== null && v !== undefined) {
        // square root of the share of the largest, so that small states stay visible beside large ones
        const t = Math.sqrt(Math.min(1, Math.abs(v) / hi));
        rgb = diverging ? mix(LIGHT, v >= 0 ? BLUE : ORANGE, t) : mix(LIGHT, BLUE, v > 0 ? t : 0);
      }
      tile.style.background = `rgb(${rgb.join(",")})`;
      const dark = (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) < 140;
      tile.style.color = dark ? "#fff" : "#111";
      tile.innerHTML = `<strong>${state}</strong><span>${v === null || v === undefined ? "" : fmt(v)}</span>`;
      tile.title = `${state}: ${v === null || v === undefined ? "not in this scenario" : fmt(v)}`;
      map.appendChild(tile);
    }
    $("#tile-legend").textContent = diverging
      ? "Blue: more than the base; orange: fewer; stronger colour, larger difference (largest: " + fmt(hi) + "; by square root)."
      : "Darker blue: larger (largest: " + fmt(hi) + "; colour by square root, so small states stay visible).";
  }
  select.addEventListener("change", paint);
  paint();
}

// ---- explore page: upload, levers, run -------------------------------------------------------------------------

function leversFromForm() {
  const levers = { policies: [] };
  $all(".policy-row").forEach(row => {
    const where = $(".policy-where", row).value;  // "state:CA" or "jurisdiction:CA-SAN-FRANCISCO"
    if (!where) return;
    const [kind, code] = [where.slice(0, where.indexOf(":")), where.slice(where.indexOf(":") + 1)];
    const lever = { policy: $(".policy-policy", row).value, start: $(".policy-start", row).value };
    lever[kind === "state" ? "states" : "jurisdictions"] = [code];
    levers.policies.push(lever);
  });
  $all(".lever-scale").forEach(input => {
    const v = parseFloat(input.value);
    if (!Number.isNaN(v) && v !== 1) levers[input.name] = v;
  });
  $all(".lever-value").forEach(input => {  // a value (not a multiple), sent only when changed from the scenario's
    const v = Number(input.value);
    if (input.value === "" || Number.isNaN(v) || (input.dataset.base !== "" && v === Number(input.dataset.base))) return;
    levers[input.name] = v;
  });
  const regime = $("#lever-regime").value;
  if (regime) { levers.regime = regime; levers.regime_start = $("#lever-regime-start").value; }
  const removed = $all(".court-keep").filter(b => !b.checked).map(b => ({ policy: b.dataset.policy, date: b.dataset.date }));
  if (removed.length) levers.remove_court_policies = removed;
  const added = $("#court-add-policy") ? $("#court-add-policy").value : "";
  if (added) {  // the factor and the dockets go only with the policy that takes them
    const court = { policy: added, start: $("#court-add-start").value };
    if ($("#court-add-end").value) court.end = $("#court-add-end").value;
    if (added === "completion_goals") court.factor = Number($("#court-add-factor").value);
    if (added === "hearing_suspension" && $("#court-add-dockets").value) court.dockets = [$("#court-add-dockets").value];
    levers.court_policies = [court];
  }
  return levers;
}

// A whole number from a text box, or the text itself, so that the server names what is wrong with it.
function wholeNumber(text) {
  const t = String(text).trim();
  return /^-?\d+$/.test(t) ? parseInt(t, 10) : t;
}

function initExplore() {
  const form = $("#run-form");
  if (!form) return;
  const scenario = form.dataset.scenario;

  $("#scenario").addEventListener("change", e => { location.href = "/?scenario=" + encodeURIComponent(e.target.value); });

  $("#upload-form").addEventListener("submit", async e => {
    e.preventDefault();
    const input = $("#upload");
    $("#err-file").textContent = "";
    if (!input.files.length) { $("#err-file").textContent = "Choose a file first."; input.focus(); return; }
    const data = new FormData();
    data.append("file", input.files[0]);
    const r = await send("/api/scenarios", { method: "POST", body: data });
    if (r.ok) location.href = "/?scenario=" + encodeURIComponent(r.body.id);
    else showError(r.body ? r.body.detail : "The upload failed (" + r.status + ").", "err-file");
  });

  let rows = 1;
  $("#add-policy").addEventListener("click", () => {
    const first = $(".policy-row");
    const copy = first.cloneNode(true);
    $all("[id]", copy).forEach(el => { el.id = el.id.replace(/-0$/, "-" + rows); });
    $all("label", copy).forEach(l => { l.htmlFor = l.htmlFor.replace(/-0$/, "-" + rows); });
    $(".policy-where", copy).value = "";
    $("#policy-rows").appendChild(copy);
    $(".policy-where", copy).focus();
    rows += 1;
  });

  // Over the posterior the run makes draws x replications per set replications: the count comes from those two.
  const uncertain = () => {
    const on = $("#uncertainty").value !== "none";
    $("#draws").disabled = !on; $("#per_draw").disabled = !on; $("#replications").disabled = on;
    if (on) {
      const n = wholeNumber($("#draws").value) * wholeNumber($("#per_draw").value);
      $("#replications").value = Number.isFinite(n) ? n : "";
    }
  };
  ["#uncertainty", "#draws", "#per_draw"].forEach(s => $(s).addEventListener("input", uncertain));
  uncertain();

  $("#posterior-form").addEventListener("submit", async e => {
    e.preventDefault();
    const input = $("#posterior");
    $("#err-posterior").textContent = "";
    if (!input.files.length) { $("#err-posterior").textContent = "Choose a file first."; input.focus(); return; }
    const data = new FormData();
    data.append("file", input.files[0]);
    const r = await send("/api/scenarios/" + encodeURIComponent(scenario) + "/posterior", { method: "POST", body: data });
    if (r.ok) location.reload();
    else showError(r.body ? r.body.detail : "The upload failed (" + r.status + ").", "err-posterior");
  });

  $("#download-reform").addEventListener("click", async () => {
    clearErrors(form);
    const resp = await fetch("/api/reform", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ scenario, levers: leversFromForm() }),
    });
    if (resp.ok) download(await resp.text(), "reform.yaml");
    else showError((await resp.json()).detail, "err-form");
  });

  form.addEventListener("submit", async e => {
    e.preventDefault();
    clearErrors(form);
    const button = $("#run");
    button.disabled = true;
    const body = {
      scenario, levers: leversFromForm(),
      years: parseFloat($("#years").value),
      seed: parseInt($("#seed").value, 10), compare: $("#compare").checked, title: $("#title").value,
      uncertainty: $("#uncertainty").value,
    };
    if (body.uncertainty === "none") body.replications = parseInt($("#replications").value, 10);
    else { body.draws = wholeNumber($("#draws").value); body.per_draw = wholeNumber($("#per_draw").value); }
    const r = await send("/api/runs", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    button.disabled = false;
    if (r.ok) location.href = r.body.url;
    else showError(r.body ? r.body.detail : "The server refused the run (" + r.status + ").", "err-form");
  });
}

// ---- run page: live progress and cancel ------------------------------------------------------------------------

function initStatus() {
  const box = $("#status");
  if (!box) return;
  const id = box.dataset.run;
  const text = $("#status-text"), bar = $("#progress"), cancel = $("#cancel"), note = $("#status-note");
  let last = "";
  async function poll() {
    const r = await send("/api/runs/" + id);
    if (!r.ok) { setTimeout(poll, 2000); return; }
    const s = r.body;
    bar.value = s.progress;
    bar.textContent = Math.round(s.progress * 100) + " %";
    const words = { queued: "Waiting for a free worker", running: "Running", done: "Done", failed: "Failed", cancelled: "Cancelled" };
    const line = s.compiling ? "Compiling the model (about " + s.compile_seconds + " s)"
      : (words[s.status] || s.status) + (s.status === "running" ? ": " + Math.round(s.progress * 100) + " %" : "");
    note.hidden = !s.compiling;
    if (line !== last) { text.textContent = line; last = line; }
    if (s.error) $("#run-error").textContent = s.error;
    cancel.hidden = !(s.status === "queued" || s.status === "running");
    if (s.status === "done") location.reload();
    else if (s.status === "queued" || s.status === "running") setTimeout(poll, 500);
  }
  cancel.addEventListener("click", async () => {
    cancel.disabled = true;
    await send("/api/runs/" + id + "/cancel", { method: "POST" });
  });
  poll();
}

document.addEventListener("DOMContentLoaded", () => {
  $all("table.sortable").forEach(makeSortable);
  drawCharts();
  drawTiles();
  initExplore();
  initStatus();
});
