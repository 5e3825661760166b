// The network diagram: feature boxes, neuron boxes with their heat maps, and
// edges whose thickness and colour show each weight. Clicks are handed to app.js.
"use strict";

const Net = (() => {
  const SVG = "http://www.w3.org/2000/svg";
  const BOX = 34, GAP = 10, TOP = 30;
  let shape = "";
  let parts = null;     // {edges: [[[g]]], neurons: [[canvas]], features: {name: div}}
  let lastData = null;  // the latest "data" event: the feature maps

  function div(cls, parent) {
    const d = document.createElement("div");
    d.className = cls;
    parent.appendChild(d);
    return d;
  }

  function button(text, testid, title, parent, onClick) {
    const b = document.createElement("button");
    b.textContent = text;
    b.dataset.testid = testid;
    b.title = title;
    b.className = "small";
    b.addEventListener("click", onClick);
    parent.appendChild(b);
    return b;
  }

  // columns: every feature, each hidden layer, the output
  function layout(container, frame, names) {
    const cols = [names.length, ...frame.layers, 1];
    const width = Math.max(container.clientWidth, 320);
    const step = (width - 2 * 24 - BOX) / (cols.length - 1);
    const x = (c) => 24 + c * step;
    const y = (k) => TOP + k * (BOX + GAP);
    return { cols, x, y, height: y(Math.max(...cols)) + 4, width };
  }

  function box(container, at, testid, title) {
    const d = div("node", container);
    d.style.left = at[0] + "px";
    d.style.top = at[1] + "px";
    d.dataset.testid = testid;
    d.title = title;
    const c = document.createElement("canvas");
    c.width = c.height = 25;
    d.appendChild(c);
    return d;
  }

  function build(container, frame, names, labels, on) {
    container.textContent = "";
    const L = layout(container, frame, names);
    container.style.height = L.height + "px";
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", L.width);
    svg.setAttribute("height", L.height);
    container.appendChild(svg);
    const active = names.filter((n) => frame.features.includes(n));
    const features = {};
    names.forEach((name, k) => {
      const d = box(container, [L.x(0), L.y(k)], "feature-" + name,
                    "Click to use this feature or not");
      d.classList.add("feature", frame.features.includes(name) ? "on" : "off");
      div("flabel", d).textContent = labels[name];
      d.addEventListener("click", () => on.feature(name));
      features[name] = d;
    });
    // where each column's units sit: features by name, others in order
    const rowOf = (c, k) => (c === 0 ? names.indexOf(active[k]) : k);
    const neurons = [], edges = [];
    for (let l = 0; l < frame.weights.length; l++) {
      const c = l + 1, units = L.cols[c], last = l === frame.weights.length - 1;
      if (!last) {
        const head = div("layer-head", container);
        head.style.left = L.x(c) - 6 + "px";
        button("+", `add-neuron-${l}`, "Add a neuron", head, () => on.neurons(l, +1));
        button("−", `remove-neuron-${l}`, "Remove a neuron", head, () => on.neurons(l, -1));
      }
      neurons.push([]);
      for (let j = 0; j < units; j++) {
        const d = box(container, [L.x(c), L.y(j)], "neuron",
                      last ? "output: p(class 1)" : `layer ${l + 1}, neuron ${j + 1}`);
        d.dataset.layer = l;
        d.dataset.unit = j;
        d.classList.add(last ? "out" : "hidden");
        d.addEventListener("click", () => on.neuron(l, j, d));
        neurons[l].push(d.querySelector("canvas"));
      }
      edges.push(frame.weights[l].map((row, i) => row.map((_, j) => {
        const g = edge(svg, [L.x(c - 1) + BOX, L.y(rowOf(c - 1, i)) + BOX / 2],
                       [L.x(c), L.y(j) + BOX / 2]);
        Object.assign(g.dataset, { layer: l, i, j });
        g.addEventListener("click", () => on.edge(l, i, j, g));
        return g;
      })));
    }
    parts = { edges, neurons, features };
    if (lastData) drawFeatures();
  }

  function edge(svg, a, b) {
    const g = document.createElementNS(SVG, "g");
    g.setAttribute("data-testid", "weight");
    g.setAttribute("class", "edge");
    // the clickable area: a band 8 px wide around the line
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
    const nx = -(b[1] - a[1]) / len * 4, ny = (b[0] - a[0]) / len * 4;
    const hit = document.createElementNS(SVG, "polygon");
    hit.setAttribute("points", [[a[0] + nx, a[1] + ny], [b[0] + nx, b[1] + ny],
                                [b[0] - nx, b[1] - ny], [a[0] - nx, a[1] - ny]].join(" "));
    hit.setAttribute("class", "hit");
    g.appendChild(hit);
    const ln = document.createElementNS(SVG, "line");
    ln.setAttribute("x1", a[0]); ln.setAttribute("y1", a[1]);
    ln.setAttribute("x2", b[0]); ln.setAttribute("y2", b[1]);
    ln.setAttribute("class", "line");
    g.appendChild(ln);
    const t = document.createElementNS(SVG, "title");
    g.appendChild(t);
    svg.appendChild(g);
    return g;
  }

  function update(container, frame, names, labels, on) {
    const key = JSON.stringify([frame.features, frame.layers, container.clientWidth > 0]);
    if (key !== shape) {
      build(container, frame, names, labels, on);
      shape = key;
    }
    frame.weights.forEach((W, l) => W.forEach((row, i) => row.forEach((w, j) => {
      const g = parts.edges[l][i][j];
      const line = g.querySelector("line.line");
      const a = Math.abs(w === null ? 0 : w);
      line.style.stroke = w > 0 ? "#0877bd" : "#f59322";
      line.style.strokeWidth = Math.min(0.6 + 2.2 * a, 9).toFixed(2);
      line.style.opacity = Math.min(0.25 + a, 1).toFixed(2);
      g.querySelector("title").textContent = `w = ${w} (layers[${l}].W[${i}, ${j}]); click for its receipt`;
    })));
    frame.neurons.forEach((layer, l) => layer.forEach((m, j) => {
      Draw.heat(parts.neurons[l][j], m.bytes, frame.thumb, false);
    }));
    const out = parts.neurons[frame.weights.length - 1][0];
    Draw.heat(out, frame.output, frame.grid, false);
  }

  function features(data) {
    lastData = data;
    if (parts) drawFeatures();
  }

  function drawFeatures() {
    for (const [name, d] of Object.entries(parts.features)) {
      Draw.heat(d.querySelector("canvas"), lastData.features[name].bytes,
                lastData.thumb, false);
    }
  }

  function reset() { shape = ""; }

  return { update, features, reset };
})();
