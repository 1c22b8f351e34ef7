// The dashboard: fetches the authenticated JSON APIs every 10 s and redraws cards, charts, pool and table.
// All data goes into the DOM through textContent / SVG attributes, never as HTML.
(() => {
  'use strict';
  const REFRESH_MS = 10000;
  const PAGE_SIZE = 20;
  const OUTCOMES = ['success', 'bad_request', 'unauthenticated', 'rate_limited', 'upstream_fault', 'timeout',
    'transport', 'stream_error', 'truncated', 'no_credential', 'client_aborted'];
  const DAYS_SHOWN = { all: 30, '30d': 30, '7d': 7, '24h': 2 };
  const RANGE_MS = { '30d': 30 * 86400000, '7d': 7 * 86400000, '24h': 86400000 };

  const i18n = window.odgI18n;
  const charts = window.odgCharts;
  const t = (key, vars) => i18n.t(key, vars);
  const $ = (selector) => document.querySelector(selector);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  const state = { range: 'all', page: 1, stats: null, accounts: null, accountsError: false, requests: null, updated: null, failedAt: null, busy: false };
  const colors = new Map();

  // ---- formatting -------------------------------------------------------------------------------------------
  const locale = () => i18n.locale();
  const fmtInt = (n) => Number(n || 0).toLocaleString(locale());
  const fmtPct = (part, whole) => (whole > 0 ? ((100 * part) / whole).toFixed(1) + '%' : '–');
  const fmtCost = (usd) => {
    const v = Number(usd || 0);
    return '$' + (v < 1 ? v.toFixed(4) : v.toLocaleString(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  };
  const fmtMs = (ms) => {
    if (ms === null || ms === undefined || !(ms > 0)) return '–';
    return ms < 1000 ? Math.round(ms) + ' ms' : (ms / 1000).toFixed(2) + ' s';
  };
  const fmtTime = (date) => date.toLocaleTimeString(locale(), { hourCycle: 'h23' });
  const fmtDateTime = (date) => date.toLocaleString(locale(), { hourCycle: 'h23', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const pad = (n) => String(n).padStart(2, '0');
  const snake = (s) => String(s || '').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const translated = (prefix, value) => {
    const key = prefix + '.' + snake(value);
    const text = t(key);
    return text === key ? String(value) : text;
  };
  // Ids from the server are already masked; this only guards against a source that forgot.
  const masked = (id) => {
    const s = String(id || '');
    if (/[…*]/.test(s)) return s;
    return s.length <= 8 ? '*'.repeat(s.length) : s.slice(0, 4) + '…' + s.slice(-4);
  };

  function colorOf(model) {
    if (!colors.has(model)) colors.set(model, charts.palette[colors.size % charts.palette.length]);
    return colors.get(model);
  }

  // ---- fetching ---------------------------------------------------------------------------------------------
  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 401) {
      // The session expired or its token was rotated: the server shows the login form.
      location.reload();
      throw new Error('unauthorized');
    }
    if (!response.ok) throw Object.assign(new Error('HTTP ' + response.status), { status: response.status });
    return response.json();
  }

  function statsUrl() {
    const span = RANGE_MS[state.range];
    return span ? '/api/stats?from=' + encodeURIComponent(new Date(Date.now() - span).toISOString()) : '/api/stats';
  }

  function requestsUrl() {
    const params = new URLSearchParams({ page: String(state.page), page_size: String(PAGE_SIZE) });
    for (const [name, id] of [['model', '#filter-model'], ['key', '#filter-key'], ['outcome', '#filter-outcome']]) {
      const value = $(id).value;
      if (value) params.set(name, value);
    }
    return '/api/requests?' + params;
  }

  async function refresh() {
    if (state.busy) return;
    state.busy = true;
    try {
      const [stats, accounts, requests] = await Promise.allSettled([getJson(statsUrl()), getJson('/api/accounts'), getJson(requestsUrl())]);
      if (stats.status === 'fulfilled') state.stats = stats.value;
      if (requests.status === 'fulfilled') state.requests = requests.value;
      state.accounts = accounts.status === 'fulfilled' ? accounts.value : null;
      state.accountsError = accounts.status !== 'fulfilled';
      if (stats.status === 'fulfilled' && requests.status === 'fulfilled') {
        state.updated = new Date();
        state.failedAt = null;
      } else {
        state.failedAt = new Date();
      }
      render();
      document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
    } finally {
      state.busy = false;
    }
  }

  async function loadRequests() {
    try {
      state.requests = await getJson(requestsUrl());
      renderRequests();
    } catch (e) {
      state.failedAt = new Date();
      renderUpdated();
    }
  }

  // ---- rendering --------------------------------------------------------------------------------------------
  function render() {
    renderUpdated();
    if (state.stats) {
      renderCards(state.stats);
      renderCharts(state.stats);
      renderFilters(state.stats);
    }
    renderPool();
    renderRequests();
  }

  function renderUpdated() {
    const node = $('#last-updated');
    if (state.failedAt) node.textContent = t('header.stale', { time: fmtTime(state.failedAt) });
    else node.textContent = state.updated ? t('header.updated', { time: fmtTime(state.updated) }) : '';
    node.classList.toggle('stale', Boolean(state.failedAt));
  }

  function setCard(name, value, sub) {
    const card = document.querySelector(`[data-card="${name}"]`);
    card.querySelector('.card-value').textContent = value;
    card.querySelector('.card-sub').textContent = sub || '';
  }

  function renderCards(s) {
    setCard('requests', fmtInt(s.total_requests), t('sub.failed', { n: fmtInt(s.failed_requests) }));
    setCard('success_rate', fmtPct(s.successful_requests, s.total_requests), t('sub.successful', { n: fmtInt(s.successful_requests) }));
    setCard('prompt_tokens', fmtInt(s.prompt_tokens), t('sub.totalTokens', { n: fmtInt(s.total_tokens) }));
    setCard('completion_tokens', fmtInt(s.completion_tokens), '');
    setCard('cost', fmtCost(s.estimated_cost_usd), '');
    setCard('avg_latency', fmtMs(s.average_latency_ms), '');
    setCard('p95_latency', fmtMs(s.p95_latency_ms), '');
    setCard('avg_ttft', fmtMs(s.average_time_to_first_token_ms), t('sub.streamsOnly'));
    const queue = s.queue || { pending: 0, dropped: 0 };
    setCard('queue_dropped', fmtInt(queue.dropped), t('sub.pending', { n: fmtInt(queue.pending) }));
    document.querySelector('[data-card="queue_dropped"]').classList.toggle('warn', queue.dropped > 0);
  }

  function modelsByVolume(s) {
    return Object.entries(s.by_model || {}).sort((a, b) => b[1].requests - a[1].requests || a[0].localeCompare(b[0])).map(([name]) => name);
  }

  function timeSeries(buckets, slotMs, count, labelOf, titleOf, valueOf, models) {
    const now = Date.now();
    const last = Math.floor(now / slotMs) * slotMs;
    const slots = [];
    for (let i = count - 1; i >= 0; i--) {
      const key = last - i * slotMs;
      const date = new Date(key);
      slots.push({ key, label: labelOf(date), title: titleOf(date) });
    }
    const byModel = new Map(models.map((m) => [m, new Map()]));
    for (const b of buckets || []) {
      const key = Math.floor(Date.parse(b.start) / slotMs) * slotMs;
      if (!byModel.has(b.model)) byModel.set(b.model, new Map());
      const values = byModel.get(b.model);
      values.set(key, (values.get(key) || 0) + valueOf(b));
    }
    return { slots, series: [...byModel].map(([name, values]) => ({ name, values, color: colorOf(name) })) };
  }

  function renderCharts(s) {
    const models = modelsByVolume(s);
    const day = (d) => `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    const dayTitle = (d) => `${d.getUTCFullYear()}-${day(d)}`;
    const hour = (d) => `${pad(d.getUTCHours())}:00`;
    const hourTitle = (d) => `${dayTitle(d)} ${hour(d)} UTC`;
    const requests = (b) => b.requests;
    const tokens = (b) => b.prompt_tokens + b.completion_tokens;
    const days = DAYS_SHOWN[state.range] || 30;
    const common = { locale: locale(), emptyText: t('chart.noData'), unitText: t('chart.utc') };
    const reqFormat = (n) => t('chart.requests', { n: fmtInt(n) });
    const tokFormat = (n) => t('chart.tokens', { n: fmtInt(n) });

    charts.stackedBars($('#chart-requests-daily'), { ...timeSeries(s.daily, 86400000, days, day, dayTitle, requests, models), format: reqFormat, integer: true, ...common });
    charts.stackedBars($('#chart-tokens-daily'), { ...timeSeries(s.daily, 86400000, days, day, dayTitle, tokens, models), format: tokFormat, ...common });
    charts.stackedBars($('#chart-requests-hourly'), { ...timeSeries(s.hourly, 3600000, 24, hour, hourTitle, requests, models), format: reqFormat, integer: true, ...common });
    charts.stackedBars($('#chart-tokens-hourly'), { ...timeSeries(s.hourly, 3600000, 24, hour, hourTitle, tokens, models), format: tokFormat, ...common });

    const rows = (map, nameOf) => Object.entries(map || {})
      .sort((a, b) => b[1].requests - a[1].requests || a[0].localeCompare(b[0]))
      .map(([name, u]) => ({
        name: nameOf(name),
        value: u.requests,
        text: t('chart.rowValue', { requests: fmtInt(u.requests), tokens: fmtInt(u.prompt_tokens + u.completion_tokens), cost: fmtCost(u.cost_usd) }),
      }));
    charts.horizontalBars($('#chart-by-credential'), { rows: rows(s.by_account, masked), emptyText: t('chart.noData') });
    charts.horizontalBars($('#chart-by-key'), { rows: rows(s.by_key, (n) => n), emptyText: t('chart.noData') });
  }

  function fillSelect(select, values, labelOf) {
    const current = select.value;
    const all = select.options[0];
    all.textContent = t('filter.all');
    select.replaceChildren(all);
    const list = values.includes(current) || !current ? values : [current, ...values];
    for (const value of list) {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = labelOf(value);
      select.appendChild(option);
    }
    select.value = current;
  }

  function renderFilters(s) {
    fillSelect($('#filter-model'), Object.keys(s.by_model || {}).sort(), (v) => v);
    fillSelect($('#filter-key'), Object.keys(s.by_key || {}).sort(), (v) => v);
    fillSelect($('#filter-outcome'), OUTCOMES, (v) => t('outcome.' + v));
  }

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function badge(text, kind, title) {
    const span = document.createElement('span');
    span.className = 'badge ' + kind;
    span.textContent = text;
    if (title) span.title = title;
    return span;
  }

  function renderPool() {
    const body = $('#pool-table tbody');
    const empty = $('#pool-empty');
    const summary = $('#pool-summary');
    body.replaceChildren();
    summary.replaceChildren();
    const list = state.accounts && Array.isArray(state.accounts.credentials) ? state.accounts.credentials : [];
    empty.hidden = list.length > 0;
    empty.textContent = state.accountsError ? t('pool.unavailable') : t('pool.none');
    const counts = { ok: 0, cooling: 0, invalid: 0 };
    for (const c of list) {
      if (c.state in counts) counts[c.state]++;
      const row = document.createElement('tr');
      row.dataset.state = c.state;
      cell(row, masked(c.id), 'mono credential-id');
      cell(row, translated('kind', c.kind));
      const stateCell = cell(row, '');
      stateCell.appendChild(badge(translated('state', c.state), 'state-' + c.state));
      if (c.state === 'cooling' && c.cooling_until) {
        const until = document.createElement('span');
        until.className = 'muted until';
        until.textContent = ' ' + t('pool.until', { time: fmtTime(new Date(c.cooling_until)) });
        stateCell.appendChild(until);
      }
      cell(row, c.last_error || '—', 'error-text');
      cell(row, fmtInt(c.requests), 'num');
      cell(row, fmtInt(c.failures), 'num');
      cell(row, fmtInt(c.in_flight), 'num');
      body.appendChild(row);
    }
    if (list.length > 0) {
      for (const name of ['ok', 'cooling', 'invalid']) {
        summary.appendChild(badge(`${t('state.' + name)} ${counts[name]}`, 'state-' + name));
      }
    }
  }

  function renderRequests() {
    const body = $('#requests-table tbody');
    body.replaceChildren();
    const page = state.requests;
    const items = page ? page.items : [];
    $('#requests-empty').hidden = items.length > 0 || !page;
    for (const r of items) {
      const row = document.createElement('tr');
      cell(row, fmtDateTime(new Date(r.timestamp)), 'nowrap');
      const model = cell(row, r.model, 'mono');
      if (r.stream) model.appendChild(badge(t('requests.stream'), 'tag'));
      cell(row, r.client_key);
      cell(row, r.credential ? masked(r.credential) : '—', 'mono');
      const outcome = cell(row, '');
      outcome.appendChild(badge(t('outcome.' + r.outcome), r.outcome === 'success' ? 'state-ok' : 'state-invalid', r.error || ''));
      if (r.error) {
        const err = document.createElement('div');
        err.className = 'error-text small';
        err.textContent = `${r.http_status} · ${r.error}`;
        outcome.appendChild(err);
      }
      const tokens = cell(row, `${fmtInt(r.prompt_tokens)} / ${fmtInt(r.completion_tokens)}`, 'num');
      if (r.token_source && r.token_source !== 'upstream') tokens.title = t('requests.estimated');
      cell(row, fmtMs(r.latency_ms), 'num');
      cell(row, fmtMs(r.time_to_first_token_ms), 'num');
      cell(row, fmtCost(r.cost_usd), 'num');
      body.appendChild(row);
    }
    const pages = page ? Math.max(1, Math.ceil(page.total / page.page_size)) : 1;
    $('#page-info').textContent = page ? t('pager.info', { page: page.page, pages, total: fmtInt(page.total) }) : '';
    $('#page-prev').disabled = !page || page.page <= 1;
    $('#page-next').disabled = !page || page.page >= pages;
  }

  function toast(text, ok) {
    const node = $('#toast');
    node.textContent = text;
    node.className = 'toast ' + (ok ? 'ok' : 'bad');
    node.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { node.hidden = true; }, 4000);
  }

  // ---- wiring -----------------------------------------------------------------------------------------------
  document.addEventListener('DOMContentLoaded', () => {
    $('#range').addEventListener('change', (e) => { state.range = e.target.value; refresh(); });
    for (const id of ['#filter-model', '#filter-key', '#filter-outcome']) {
      $(id).addEventListener('change', () => { state.page = 1; loadRequests(); });
    }
    $('#page-prev').addEventListener('click', () => { if (state.page > 1) { state.page--; loadRequests(); } });
    $('#page-next').addEventListener('click', () => { state.page++; loadRequests(); });

    // Without JS the form posts normally (csrf form field) and the server answers 303 → /.
    $('#save-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const button = $('#save-stats');
      button.disabled = true;
      try {
        const response = await fetch('/save_stats', { method: 'POST', headers: { 'X-CSRF-Token': csrf }, credentials: 'same-origin', redirect: 'manual' });
        const ok = response.type === 'opaqueredirect' || response.status === 303 || response.ok;
        toast(ok ? t('toast.saved') : t('toast.saveFailed', { status: response.status }), ok);
        if (ok) await refresh();
      } finally {
        button.disabled = false;
      }
    });

    document.addEventListener('odg:lang', () => render());
    document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });
    setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MS);
    refresh();
  });
})();
