/* The console's only script: the run page's live progress. Every other page
 * works with plain forms. It reads GET /api/runs/:id with the session cookie
 * (same origin) until the run is done, then reloads the page once so the
 * server renders the final report. */
/* global document, window, fetch */
(function () {
  'use strict';
  var live = document.querySelector('[data-run-live]');
  if (!live) return;
  var api = live.getAttribute('data-api');
  var finished = ['succeeded', 'failed', 'partial', 'cancelled'];
  var tones = { succeeded: 'ok', failed: 'bad', partial: 'warn', cancelled: 'warn', running: 'warn', queued: 'warn' };

  function text(selector, value) {
    var element = live.querySelector(selector);
    if (element) element.textContent = String(value);
  }

  /** The share done, 0..1, from the run's progress (whatever the API offers), else undefined. */
  function fractionOf(run) {
    var p = run.progress;
    if (typeof p === 'number') return p > 1 ? p / 100 : p;
    if (!p || typeof p !== 'object') return undefined;
    if (typeof p.fraction === 'number') return p.fraction;
    if (typeof p.percent === 'number') return p.percent / 100;
    if (typeof p.done === 'number' && typeof p.total === 'number' && p.total > 0) return p.done / p.total;
    return undefined;
  }

  function show(run) {
    var status = run.status;
    text('[data-testid="run-status"]', String(status).replace(/_/g, ' '));
    var badge = live.querySelector('[data-testid="run-status"]');
    if (badge) badge.className = 'badge ' + (tones[status] || '');
    live.setAttribute('data-run-status', status);
    var counts = run.counts || {};
    Object.keys(counts).forEach(function (name) {
      text('[data-run-counts] [data-count="' + name + '"]', counts[name]);
    });
    var streams = (run.progress && run.progress.streams) || [];
    streams.forEach(function (stream) {
      var row = document.querySelector('tr[data-stream="' + String(stream.name).replace(/["\\]/g, '') + '"]');
      if (!row) return;
      Object.keys(stream.counts || {}).forEach(function (name) {
        var cell = row.querySelector('[data-stream-count="' + name + '"]');
        if (cell) cell.textContent = String(stream.counts[name]);
      });
    });
    var bar = live.querySelector('progress');
    var done = finished.indexOf(status) >= 0;
    var fraction = done ? 1 : fractionOf(run);
    if (bar) {
      if (fraction === undefined) bar.removeAttribute('value');
      else bar.value = Math.round(Math.max(0, Math.min(1, fraction)) * 1000) / 10;
      bar.setAttribute('data-done', String(done));
    }
    if (fraction !== undefined) text('[data-testid="run-progress-label"]', Math.round(fraction * 100) + '%');
    return done;
  }

  function poll() {
    fetch(api, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (response) {
        if (response.status === 401) {
          window.location.assign('/ui/login');
          return undefined;
        }
        return response.ok ? response.json() : undefined;
      })
      .then(function (body) {
        var run = body && (body.run || body);
        if (run && run.status && show(run)) {
          // The final report (streams, notes, the error) is the server's to render.
          window.setTimeout(function () { window.location.reload(); }, 400);
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        window.setTimeout(poll, 2000);
      });
  }

  if (finished.indexOf(live.getAttribute('data-run-status')) < 0) poll();
})();
