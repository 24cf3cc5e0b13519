// The /ui page's script (plain browser JavaScript, served as /ui/app.js): it loads the statecharts, writes live
// counts into their states from server-sent events, and shows a searched lease on the lease chart with its timers
// counting down and its history. Every value from the daemon is written with textContent (host names come from
// clients). No template literals inside: this file is itself one.
export const PAGE_SCRIPT = String.raw`
'use strict';
(function () {
  var $ = function (sel) { return document.querySelector(sel); };
  var clockOffset = 0;               // server time minus browser time
  var selected = null;               // { query, ip } of the lease shown
  var timers = [];                   // [{ name, at }]
  var FEED_MAX = 50;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function row(cells) {
    var tr = document.createElement('tr');
    cells.forEach(function (c) { tr.appendChild(c instanceof Node ? c : el('td', c)); });
    return tr;
  }
  function time(ms) { return new Date(ms).toISOString().replace('T', ' ').replace('Z', ''); }
  function xid(n) { return n === undefined || n === null ? '' : '0x' + (n >>> 0).toString(16).padStart(8, '0'); }
  function countdown(ms) {
    var s = Math.round(ms / 1000), sign = s < 0 ? '-' : '';
    s = Math.abs(s);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return sign + (h > 0 ? h + 'h ' : '') + (h > 0 || m > 0 ? m + 'm ' : '') + r + 's';
  }
  function getJson(url) {
    return fetch(url, { headers: { accept: 'application/json' } }).then(function (res) {
      if (!res.ok) throw new Error(url + ': ' + res.status);
      return res.json();
    });
  }

  function showCounts(machine, counts) {
    var chart = $('#chart-' + machine + ' svg');
    if (!chart) return;
    chart.querySelectorAll('[data-count-for]').forEach(function (node) {
      var n = counts[node.getAttribute('data-count-for')] || 0;
      node.textContent = machine === 'server' ? (n > 0 ? '●' : '') : String(n);
    });
  }
  function showPools(pools) {
    var body = $('#pools tbody');
    body.replaceChildren();
    (pools || []).forEach(function (p) {
      var used = p.total > 0 ? (p.total - p.free) / p.total : 0;
      var cell = el('td');
      var bar = el('span', null, 'bar'), fill = el('span');
      fill.style.width = Math.round(used * 100) + '%';
      bar.appendChild(fill);
      cell.appendChild(bar);
      cell.appendChild(document.createTextNode(Math.round(used * 100) + '%'));
      body.appendChild(row([p.subnet, cell, p.bound, p.offered, p.declined, p.grace, p.free, p.total]));
    });
  }
  function statusItem(name, status, extra) {
    var li = el('li');
    li.appendChild(el('strong', name + ' '));
    li.appendChild(el('span', status, 'status-' + status));
    if (extra) li.appendChild(document.createTextNode(' ' + extra));
    return li;
  }
  function showSupervisor(h) {
    var root = $('#supervisor');
    root.replaceChildren();
    var top = statusItem('server', h.status, '(' + h.state + ')');
    var kids = el('ul');
    ['store', 'ingress'].forEach(function (k) {
      var c = h.children[k];
      kids.appendChild(statusItem(k, c.status, 'restarts ' + c.restarts + (c.lastError ? ', last ' + c.lastError : '')));
    });
    var t = h.children.transactions;
    kids.appendChild(statusItem('transactions', 'running', t.active + ' clients active, ' + t.queued + ' queued'));
    top.appendChild(kids);
    root.appendChild(top);
    $('#server-state').textContent = h.state;
  }
  function showSecurity(events) {
    if (!events) return;
    $('#security-panel').hidden = false;
    var body = $('#security tbody');
    body.replaceChildren();
    events.slice(-20).reverse().forEach(function (e) {
      body.appendChild(row([time(e.at), e.stage, e.reason, e.client || '', e.iface || '', e.giaddr || '']));
    });
  }
  function showSnapshot(s) {
    clockOffset = s.now - Date.now();
    showCounts('lease', s.counts.lease);
    showCounts('transaction', s.counts.transaction);
    showCounts('server', s.counts.server);
    showPools(s.pools);
    showSupervisor(s.supervisor);
    showSecurity(s.security);
  }

  // Lease records name a state by its leaf ("bound"); the chart by its path ("leased.bound").
  function stateNode(machine, state) {
    var chart = '#chart-' + machine + ' ';
    return document.querySelector(chart + '[data-state="' + CSS.escape(state) + '"]') ||
      document.querySelector(chart + '[data-state$=".' + CSS.escape(state) + '"]');
  }
  function flash(machine, state) {
    var node = stateNode(machine, state);
    if (!node) return;
    node.classList.add('flash');
    setTimeout(function () { node.classList.remove('flash'); }, 600);
  }
  function addToFeed(t) {
    var body = $('#feed tbody');
    body.insertBefore(row([time(t.at), t.ip, t.clientKey, t.event, t.from + ' → ' + t.to, xid(t.xid)]), body.firstChild);
    while (body.children.length > FEED_MAX) body.removeChild(body.lastChild);
  }
  function onTransition(t) {
    addToFeed(t);
    flash('lease', t.to);
    if (selected && selected.ip === t.ip) search(selected.query, t.ip);
  }

  function highlight(state) {
    document.querySelectorAll('#chart-lease .state.current').forEach(function (n) { n.classList.remove('current'); });
    if (!state) return;
    var node = stateNode('lease', state);
    if (node) node.classList.add('current');
  }
  function showTimers() {
    var body = $('#timers tbody');
    body.replaceChildren();
    var now = Date.now() + clockOffset;
    timers.forEach(function (t) {
      var left = t.at - now;
      body.appendChild(row([t.name, el('td', left > 0 ? 'in ' + countdown(left) : 'due ' + countdown(-left) + ' ago', left > 0 ? '' : 'due')]));
    });
  }
  function showLease(entry) {
    var lease = entry.lease;
    $('#lease-title').textContent = entry.ip + (lease ? ' — ' + lease.state + ' — ' + lease.context.clientKey + ' (' + lease.context.hwAddress + ')' + (lease.context.hostname ? ' ' + lease.context.hostname : '') : '');
    $('#lease-view').setAttribute('data-state', lease ? lease.state : '');
    highlight(lease ? lease.state : null);
    timers = entry.timers || [];
    showTimers();
    var body = $('#history tbody');
    body.replaceChildren();
    entry.transitions.slice().reverse().forEach(function (t) {
      body.appendChild(row([time(t.at), t.event, t.from + ' → ' + t.to, xid(t.xid), el('td', t.message || '', 'msg')]));
    });
  }
  function search(query, preferIp) {
    return getJson('/ui/api/search?q=' + encodeURIComponent(query)).then(function (result) {
      var view = $('#lease-view');
      view.hidden = false;
      var entries = result.leases;
      $('#search-empty').hidden = entries.length > 0;
      var choices = $('#lease-choices');
      choices.replaceChildren();
      if (entries.length === 0) { selected = null; highlight(null); $('#timers tbody').replaceChildren(); $('#history tbody').replaceChildren(); return; }
      var pick = entries.find(function (e) { return e.ip === preferIp; }) || entries[0];
      if (entries.length > 1) entries.forEach(function (e) {
        var b = el('button', e.ip + (e.lease ? ' (' + e.lease.state + ')' : ''));
        b.type = 'button';
        b.onclick = function () { selected = { query: query, ip: e.ip }; showLease(e); };
        choices.appendChild(b);
      });
      selected = { query: query, ip: pick.ip };
      showLease(pick);
    });
  }

  function connect() {
    var source = new EventSource('/ui/api/events');
    source.addEventListener('open', function () { $('#live').textContent = 'live'; $('#live').className = 'on'; });
    source.addEventListener('error', function () { $('#live').textContent = 'reconnecting'; $('#live').className = 'off'; });
    source.addEventListener('snapshot', function (e) { showSnapshot(JSON.parse(e.data)); });
    source.addEventListener('transition', function (e) { onTransition(JSON.parse(e.data)); });
  }

  $('#search').addEventListener('submit', function (e) {
    e.preventDefault();
    var q = $('#q').value.trim();
    if (q) search(q).catch(function (err) { $('#lease-title').textContent = String(err); });
  });
  setInterval(showTimers, 1000);
  getJson('/ui/api/charts').then(function (charts) {
    Object.keys(charts).forEach(function (name) {
      var box = $('#chart-' + name);
      // The SVGs are drawn by the daemon from its own machine definitions: no client data in them.
      if (box) box.innerHTML = charts[name];
    });
    document.body.setAttribute('data-charts', 'ready');
    return getJson('/ui/api/snapshot').then(showSnapshot);
  }).then(connect, function (err) { $('#server-state').textContent = String(err); });
})();
`;
