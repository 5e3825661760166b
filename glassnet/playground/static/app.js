// The page: one session on the server, its frames drawn as they stream in, and
// every control sent back as a request. All learning happens in glassnet.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { id: null, choices: null, frame: null, data: null, point: null,
                selected: null, busy: false };

// -- talking to the server ------------------------------------------------------
async function post(path, body, type = "application/json") {
  const res = await fetch(`${path}?id=${state.id}`, {
    method: "POST", headers: { "Content-Type": type },
    body: type === "application/json" ? JSON.stringify(body) : body,
  });
  if (!res.ok) {
    const reason = (await res.text()).trim();
    show(reason || `the server answered ${res.status}`);
    return null;
  }
  hide();
  return res.json();
}

function show(text) { const b = $("banner"); b.textContent = text; b.hidden = false; }
function hide() { $("banner").hidden = true; }

async function start() {
  const res = await fetch("/api/session", { method: "POST" });
  if (!res.ok) {
    show((await res.text()).trim());
    document.body.classList.add("refused");
    return;
  }
  const answer = await res.json();
  state.id = answer.id;
  state.choices = answer.choices;
  fillControls(answer.choices);
  wireControls();
  listen();
  addEventListener("pagehide", () => navigator.sendBeacon(`/api/close?id=${state.id}`));
  addEventListener("resize", () => { Net.reset(); if (state.frame) draw(state.frame); });
}

function listen() {
  const events = new EventSource(`/api/stream?id=${state.id}`);
  events.addEventListener("data", (e) => onData(JSON.parse(e.data)));
  events.addEventListener("frame", (e) => onFrame(JSON.parse(e.data)));
  events.addEventListener("closed", (e) => { show(JSON.parse(e.data)); events.close(); });
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED) show("The connection to the server was lost: is it still running? Reload the page.");
  };
}

// -- controls ----------------------------------------------------------------------
function fillControls(choices) {
  const options = { "learning-rate": choices.learning_rate, "activation": choices.activation,
                    "optimizer": choices.optimizer, "regularization": choices.regularization,
                    "reg-rate": choices.reg_rate, "dataset": choices.dataset,
                    "speed": choices.speed };
  for (const [id, values] of Object.entries(options)) {
    const select = $(id);
    for (const v of values) select.add(new Option(String(v), String(v)));
  }
  $("dataset").add(new Option("your CSV", "csv"));
  $("dataset").lastChild.disabled = true;
  showSettings(choices.defaults);
}

function showSettings(s) {
  for (const el of document.querySelectorAll("[data-control]")) {
    if (document.activeElement === el && el.type === "range") continue;
    el.value = String(s[el.dataset.control]);
    const out = $(el.id + "-value");
    if (out) out.textContent = el.id === "train-ratio" ? `${Math.round(s.train_ratio * 100)}%` : el.value;
  }
  $("dataset").lastChild.disabled = s.dataset !== "csv";
  $("noise").disabled = s.dataset === "csv";            // an upload is as it is
  const n = s.layers.length;
  $("layer-count").textContent = `${n} hidden layer${n === 1 ? "" : "s"}`;
  $("add-layer").disabled = n >= state.choices.max_layers;
  $("remove-layer").disabled = n === 0;
}

function value(el) {
  if (el.type === "range" || "number" in el.dataset) return Number(el.value);
  return el.value;
}

async function change(changes) {
  const settings = await post("/api/control", changes);
  if (settings) showSettings(settings);
  else if (state.frame) showSettings(state.frame.settings);
}

async function act(action) {
  const answer = await post("/api/action", { action });
  if (answer && state.selected && !answer.playing) refreshReceipt();
}

function wireControls() {
  for (const el of document.querySelectorAll("[data-control]")) {
    el.addEventListener("change", () => change({ [el.dataset.control]: value(el) }));
    el.addEventListener("input", () => {
      const out = $(el.id + "-value");
      if (out) out.textContent = el.id === "train-ratio" ? `${Math.round(el.value * 100)}%` : el.value;
    });
  }
  $("play").addEventListener("click", () => act("toggle"));
  $("step").addEventListener("click", () => act("step"));
  $("reset").addEventListener("click", () => act("reset"));
  $("regenerate").addEventListener("click", () => act("regenerate"));
  $("add-layer").addEventListener("click", () => layers((ls) => ls.concat([2])));
  $("remove-layer").addEventListener("click", () => layers((ls) => ls.slice(0, -1)));
  $("upload").addEventListener("change", upload);
  $("show-test").addEventListener("change", drawOutput);
  $("discretize").addEventListener("change", drawOutput);
  $("boundary").addEventListener("click", (e) => {
    if (!state.data) return;
    state.point = Draw.fromPixel($("boundary"), state.data.points.extent, e.offsetX, e.offsetY);
    drawOutput();
    if (state.selected && state.selected.kind === "neuron") refreshReceipt();
  });
}

function layers(edit) {
  return change({ layers: edit(state.frame.settings.layers.slice()) });
}

const handlers = {
  feature(name) {
    const now = state.frame.settings.features;
    const next = now.includes(name) ? now.filter((f) => f !== name) : now.concat([name]);
    if (next.length) change({ features: next });
  },
  neurons(l, delta) {
    layers((ls) => { ls[l] = Math.min(Math.max(ls[l] + delta, 1), state.choices.max_neurons); return ls; });
  },
  edge(layer, i, j, el) { select({ kind: "weight", layer, i, j }, el); },
  neuron(layer, unit, el) { select({ kind: "neuron", layer, unit }, el); },
};

async function upload() {
  const file = $("upload").files[0];
  if (!file) return;
  const limit = state.choices.max_upload_bytes;
  if (file.size > limit) {      // the server refuses it too; this saves sending it
    show(`expected a CSV of at most ${limit / 1024} KB, received ${file.size} bytes. Upload fewer rows.`);
    $("upload").value = "";
    return;
  }
  const settings = await post("/api/upload", await file.arrayBuffer(), "text/csv");
  $("upload").value = "";
  if (settings) showSettings(settings);
}

// -- receipts ------------------------------------------------------------------------
function select(question, el) {
  document.querySelectorAll(".selected").forEach((e) => e.classList.remove("selected"));
  el.classList.add("selected");
  state.selected = question;
  refreshReceipt();
}

async function refreshReceipt() {
  const q = { ...state.selected };
  if (q.kind === "neuron") q.point = state.point;
  const r = await post("/api/explain", q);
  if (!r) return;
  const box = $("receipt");
  box.textContent = "";
  for (const line of r.lines) {
    const d = document.createElement("div");
    d.className = line.kind;
    d.textContent = line.text;
    box.appendChild(d);
  }
  $("receipt-note").textContent = r.kind === "neuron"
    ? `at the point (${r.point.map((v) => v.toFixed(2)).join(", ")}); click the map to choose another`
    : r.step_mode ? `the next step's batch of ${r.batch}, and the update it will apply`
                  : `the last batch of ${r.batch}; pause or step to see the next update`;
}

// -- drawing what the server sent -------------------------------------------------------
function onData(data) {
  state.data = data;
  const p = data.points;
  state.point = p.train[0].slice(0, 2);
  $("class0").textContent = `class ${p.class_names[0]}`;
  $("class1").textContent = `class ${p.class_names[1]}`;
  $("data-note").textContent = `${p.train.length} training and ${p.test.length} test points`;
  Net.features(data);
  drawOutput();
}

function onFrame(frame) {
  state.drawn = (state.drawn || 0) + 1;
  document.body.dataset.frames = String(state.drawn);   // frames drawn (a test hook)
  draw(frame);
}

function draw(frame) {
  state.frame = frame;
  $("epoch").textContent = String(frame.epoch);
  $("loss").textContent = fmt(frame.train_loss);
  $("test-loss").textContent = fmt(frame.test_loss);
  $("play").textContent = frame.playing ? "❚❚" : "▶";
  $("play").classList.toggle("playing", frame.playing);
  $("status").textContent = frame.status;
  if (document.activeElement === document.body || !document.activeElement.dataset.control) {
    showSettings(frame.settings);
  }
  Net.update($("network"), frame, state.choices.features, state.choices.feature_labels, handlers);
  Draw.lossChart($("loss-chart"), frame.history);
  drawOutput();
  hints(frame.hints);
}

function drawOutput() {
  const f = state.frame, d = state.data, canvas = $("boundary");
  if (!f || !d || f.data_version !== d.data_version) return;
  Draw.heat(canvas, f.output, f.grid, $("discretize").checked);
  Draw.points(canvas, d.points.train, d.points.extent, false);
  if ($("show-test").checked) Draw.points(canvas, d.points.test, d.points.extent, true);
  if (state.point) Draw.marker(canvas, d.points.extent, state.point);
}

function hints(list) {
  const ul = $("hints");
  ul.textContent = "";
  if (!list.length) {
    const li = document.createElement("li");
    li.className = "ok";
    li.textContent = "No problems seen in the recent updates.";
    ul.appendChild(li);
  }
  for (const h of list) {
    const li = document.createElement("li");
    li.dataset.code = h.code;
    li.textContent = `⚠ ${h.message} `;
    const fix = document.createElement("span");
    fix.className = "fix";
    fix.textContent = `Fix: ${h.fix}`;
    li.appendChild(fix);
    ul.appendChild(li);
  }
}

function fmt(v) { return v === null ? "not finite" : v.toFixed(3); }

start();
