// Small inline-SVG charts: stacked bars over time slots and horizontal bars by name. No library, no CDN.
(() => {
  'use strict';
  const NS = 'http://www.w3.org/2000/svg';
  const PALETTE = ['#4f7cff', '#20a474', '#f0a020', '#e5484d', '#8e4ec6', '#0fa3c2', '#d6409f', '#7c8594', '#a88f00', '#3e63dd'];

  function svgEl(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (parent) parent.appendChild(node);
    return node;
  }

  function svgText(parent, x, y, text, attrs) {
    const node = svgEl('text', Object.assign({ x, y }, attrs), parent);
    node.textContent = text;
    return node;
  }

  function tooltip(node, text) {
    svgEl('title', {}, node).textContent = text;
  }

  // Rounds an axis maximum up to 1, 2 or 5 times a power of ten.
  function niceMax(value) {
    if (!(value > 0)) return 1;
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    const n = value / power;
    return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * power;
  }

  function compact(value, locale) {
    return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
  }

  /**
   * slots: [{ key, label, title }] in display order; series: [{ name, color, values: Map(slotKey → number) }].
   */
  function stackedBars(container, { slots, series, format, locale, emptyText, unitText, integer }) {
    container.replaceChildren();
    const W = 640, H = 250, left = 52, right = 10, top = 12, bottom = 30;
    const plotH = H - top - bottom, plotW = W - left - right;
    const totals = slots.map((s) => series.reduce((sum, se) => sum + (se.values.get(s.key) || 0), 0));
    const max = niceMax(Math.max(0, ...totals));
    // Counts never show fractional ticks: with a small maximum, one grid line per whole unit.
    const ticks = integer && max < 4 ? max : 4;
    const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, class: 'svg-chart', role: 'img' }, container);

    for (let i = 0; i <= ticks; i++) {
      const y = top + plotH * (1 - i / ticks);
      svgEl('line', { x1: left, x2: W - right, y1: y, y2: y, class: i === 0 ? 'axis' : 'grid' }, svg);
      svgText(svg, left - 8, y + 4, compact((max * i) / ticks, locale), { class: 'tick', 'text-anchor': 'end' });
    }

    const step = plotW / Math.max(1, slots.length);
    const barW = Math.max(2, Math.min(36, step * 0.72));
    slots.forEach((slot, i) => {
      const x = left + step * i + (step - barW) / 2;
      let y = top + plotH;
      for (const se of series) {
        const value = se.values.get(slot.key) || 0;
        if (!value) continue;
        const h = Math.max(1, (plotH * value) / max);
        y -= h;
        const rect = svgEl('rect', { x, y, width: barW, height: h, rx: 2, fill: se.color, class: 'bar', 'data-series': se.name }, svg);
        tooltip(rect, `${slot.title} · ${se.name}: ${format(value)}`);
      }
    });

    const every = Math.max(1, Math.ceil(slots.length / 8));
    // Counted back from the newest slot, so the latest period always has a label and none overlap.
    slots.forEach((slot, i) => {
      if ((slots.length - 1 - i) % every !== 0) return;
      svgText(svg, left + step * i + step / 2, H - 10, slot.label, { class: 'tick', 'text-anchor': 'middle' });
    });
    if (unitText) svgText(svg, W - right, top - 2, unitText, { class: 'tick unit', 'text-anchor': 'end' });

    if (totals.every((v) => v === 0)) {
      svgText(svg, left + plotW / 2, top + plotH / 2, emptyText, { class: 'empty-text', 'text-anchor': 'middle' });
    }

    const legend = document.createElement('ul');
    legend.className = 'legend';
    for (const se of series) {
      if (![...se.values.values()].some((v) => v > 0)) continue;
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = se.color; // CSSOM, allowed by the page's CSP (no inline style attributes)
      item.append(swatch, document.createTextNode(se.name));
      legend.appendChild(item);
    }
    container.appendChild(legend);
  }

  /** rows: [{ name, value, text, title }] sorted by the caller; the longest bar is the largest value. */
  function horizontalBars(container, { rows, emptyText }) {
    container.replaceChildren();
    const W = 640, rowH = 30, labelW = 170, valueW = 230, top = 4;
    const shown = rows.slice(0, 12);
    const H = Math.max(60, top * 2 + rowH * shown.length);
    const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, class: 'svg-chart hbar', role: 'img' }, container);
    if (shown.length === 0) {
      svgText(svg, W / 2, H / 2 + 4, emptyText, { class: 'empty-text', 'text-anchor': 'middle' });
      return;
    }
    const max = Math.max(1, ...shown.map((r) => r.value));
    const barSpace = W - labelW - valueW - 16;
    shown.forEach((row, i) => {
      const y = top + i * rowH;
      const label = row.name.length > 22 ? row.name.slice(0, 21) + '…' : row.name;
      const name = svgText(svg, labelW - 8, y + rowH / 2 + 4, label, { class: 'label', 'text-anchor': 'end' });
      tooltip(name, row.name);
      svgEl('rect', { x: labelW, y: y + 7, width: barSpace, height: rowH - 14, rx: 3, class: 'track' }, svg);
      const bar = svgEl('rect', { x: labelW, y: y + 7, width: Math.max(2, (barSpace * row.value) / max), height: rowH - 14, rx: 3, fill: PALETTE[i % PALETTE.length], class: 'bar', 'data-name': row.name }, svg);
      tooltip(bar, row.title || row.text);
      svgText(svg, labelW + barSpace + 10, y + rowH / 2 + 4, row.text, { class: 'value' });
    });
  }

  window.odgCharts = { stackedBars, horizontalBars, palette: PALETTE };
})();
