// QR codes drawn in the browser (offline too) by qrcode-generator (MIT, pinned and served
// by us: services/web/assets/manifest.json), as an SVG of one path: no inline style.

import qrcode from "../vendor/qrcode-generator/qrcode.js";

const SVG = "http://www.w3.org/2000/svg";

/** An <svg> of the QR code of text (error correction M, a 4-module quiet zone). */
export function qrSvg(text, label, { scale = 4 } = {}) {
  const qr = qrcode(0, "M");
  qr.addData(text);
  qr.make();
  const count = qr.getModuleCount();
  const size = count + 8;
  let d = "";
  for (let r = 0; r < count; r++) {
    for (let c = 0; c < count; c++) {
      if (qr.isDark(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
    }
  }
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("width", String(size * scale));
  svg.setAttribute("height", String(size * scale));
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("shape-rendering", "crispEdges");
  const background = document.createElementNS(SVG, "rect");
  background.setAttribute("width", String(size));
  background.setAttribute("height", String(size));
  background.setAttribute("fill", "#fff");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "#000");
  svg.append(background, path);
  svg.dataset.payload = text;
  return svg;
}
