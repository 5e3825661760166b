// Drawing only: heat maps from bytes, points, the loss chart. No learning here —
// every number drawn was computed by glassnet on the server.
"use strict";

const Draw = (() => {
  const NEG = [245, 147, 34];   // orange: negative values, class 0
  const MID = [232, 234, 235];  // near white: zero
  const POS = [8, 119, 189];    // blue: positive values, class 1

  // byte b = 0…255 stands for a value from -scale to +scale (or p from 0 to 1)
  const RAMP = new Uint8ClampedArray(256 * 3);
  for (let b = 0; b < 256; b++) {
    const t = b / 255;
    const [from, to, u] = t < 0.5 ? [NEG, MID, t * 2] : [MID, POS, (t - 0.5) * 2];
    for (let c = 0; c < 3; c++) RAMP[b * 3 + c] = from[c] + (to[c] - from[c]) * u;
  }

  function decode(b64) {
    const text = atob(b64);
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  function rgb(b) {
    return `rgb(${RAMP[b * 3]},${RAMP[b * 3 + 1]},${RAMP[b * 3 + 2]})`;
  }

  // a side×side map onto the whole canvas; discretize: two colours only
  function heat(canvas, b64, side, discretize) {
    const bytes = decode(b64);
    const img = new ImageData(side, side);
    for (let i = 0; i < side * side; i++) {
      let b = bytes[i];
      if (discretize) b = b >= 128 ? 255 : 0;
      img.data[i * 4] = RAMP[b * 3];
      img.data[i * 4 + 1] = RAMP[b * 3 + 1];
      img.data[i * 4 + 2] = RAMP[b * 3 + 2];
      img.data[i * 4 + 3] = 255;
    }
    const off = document.createElement("canvas");
    off.width = off.height = side;
    off.getContext("2d").putImageData(img, 0, 0);
    const ctx = canvas.getContext("2d");
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
  }

  // points [[x1, x2, class], …] in the view extent [x1 from, x1 to, x2 from, x2 to]
  function toPixel(canvas, extent, x1, x2) {
    return [(x1 - extent[0]) / (extent[1] - extent[0]) * canvas.width,
            (extent[3] - x2) / (extent[3] - extent[2]) * canvas.height];
  }

  function points(canvas, rows, extent, test) {
    const ctx = canvas.getContext("2d");
    for (const [x1, x2, c] of rows) {
      const [px, py] = toPixel(canvas, extent, x1, x2);
      ctx.beginPath();
      ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = rgb(c ? 255 : 0);
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = test ? "#000" : "#fff";
      ctx.stroke();
    }
  }

  function marker(canvas, extent, point) {
    const ctx = canvas.getContext("2d");
    const [px, py] = toPixel(canvas, extent, point[0], point[1]);
    ctx.strokeStyle = "#111";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(px, py, 7, 0, 2 * Math.PI);
    ctx.moveTo(px - 11, py); ctx.lineTo(px + 11, py);
    ctx.moveTo(px, py - 11); ctx.lineTo(px, py + 11);
    ctx.stroke();
  }

  function fromPixel(canvas, extent, px, py) {
    return [extent[0] + px / canvas.clientWidth * (extent[1] - extent[0]),
            extent[3] - py / canvas.clientHeight * (extent[3] - extent[2])];
  }

  // training (dark) and test (grey) loss against epochs
  function lossChart(canvas, history) {
    const ctx = canvas.getContext("2d");
    const w = canvas.width, h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    const xs = history.epoch;
    if (!xs.length) return;
    const all = history.train.concat(history.test).filter((v) => v !== null);
    const top = Math.max(...all, 1e-9);
    const x0 = xs[0], x1 = Math.max(xs[xs.length - 1], x0 + 1e-9);
    for (const [key, colour] of [["test", "#999"], ["train", "#222"]]) {
      ctx.beginPath();
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.5;
      history[key].forEach((v, i) => {
        if (v === null) return;
        const px = (xs[i] - x0) / (x1 - x0) * (w - 2) + 1;
        const py = h - 2 - v / top * (h - 6);
        if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
      });
      ctx.stroke();
    }
  }

  return { decode, rgb, heat, points, marker, fromPixel, lossChart };
})();
