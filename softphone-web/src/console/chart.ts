// Today's chart in plain SVG: offered calls per 15-minute interval as bars (left scale), the 15 s
// rate as a line (right scale, 0-100 %), the target as a dashed line. 96 slots, 00:00 to 24:00.
import type { BoardInterval } from '../../../server/src/realtime/ops-events.ts';

const NS = 'http://www.w3.org/2000/svg';

function el(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export function todayChart(series: readonly BoardInterval[], dayStartMs: number, target: number, width: number, height: number): SVGSVGElement {
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'chart' }) as SVGSVGElement;
  const pad = { l: 48, r: 56, t: 12, b: 30 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const slot = w / 96;
  const maxOffered = Math.max(10, ...series.map((p) => p.offered));
  const y = (r: number): number => pad.t + h * (1 - r);
  for (let hr = 0; hr <= 24; hr += 3) {
    const x = pad.l + hr * 4 * slot;
    svg.append(el('line', { x1: x, x2: x, y1: pad.t, y2: pad.t + h, class: 'grid' }));
    svg.append(el('text', { x, y: height - 8, class: 'axis', 'text-anchor': 'middle' }, `${String(hr).padStart(2, '0')}:00`));
  }
  svg.append(el('text', { x: pad.l - 8, y: pad.t + 12, class: 'axis', 'text-anchor': 'end' }, String(maxOffered)));
  svg.append(el('text', { x: width - pad.r + 8, y: y(1) + 12, class: 'axis' }, '100%'));
  svg.append(el('text', { x: width - pad.r + 8, y: y(target) + 5, class: 'axis target-label' }, `${Math.round(target * 100)}%`));
  const points: string[] = [];
  for (const p of series) {
    const i = Math.round((p.start - dayStartMs) / 900_000);
    if (i < 0 || i >= 96) continue;
    const bh = (h * p.offered) / maxOffered;
    svg.append(el('rect', { x: pad.l + i * slot + 1, y: pad.t + h - bh, width: Math.max(1, slot - 2), height: bh, class: 'bar' }));
    if (p.rate15s !== null) points.push(`${pad.l + (i + 0.5) * slot},${y(p.rate15s)}`);
  }
  svg.append(el('line', { x1: pad.l, x2: pad.l + w, y1: y(target), y2: y(target), class: 'target' }));
  if (points.length) svg.append(el('polyline', { points: points.join(' '), class: 'rate' }));
  for (const pt of points) {
    const [cx, cy] = pt.split(',');
    svg.append(el('circle', { cx: cx!, cy: cy!, r: 3, class: Number(cy) > y(target) ? 'dot below' : 'dot' }));
  }
  return svg;
}
