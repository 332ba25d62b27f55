// The report page's only script: renders the breadcrumb table from the embedded JSON and makes it
// filterable and sortable. Plain ES2017, no template literals (keeps it easy to hash for the CSP) and it
// only ever writes log text through textContent, never innerHTML.
export const CLIENT_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('crumbtrail-data').textContent);
  var rows = data.rows;
  var cats = {};
  data.categories.forEach(function (c, i) { c.order = i; cats[c.id] = c; });
  var levelRank = {};
  data.levels.forEach(function (l, i) { levelRank[l] = i; });
  var table = document.querySelector('[data-testid="breadcrumb-table"]');
  if (!table) return;
  var tbody = table.querySelector('tbody');
  var countEl = document.getElementById('bc-count');
  var moreBtn = document.getElementById('bc-more');
  var f = {
    text: document.getElementById('f-text'),
    category: document.getElementById('f-category'),
    level: document.getElementById('f-level'),
    component: document.getElementById('f-component')
  };
  var PAGE = 1000;
  var state = { key: 'time', dir: 1, limit: PAGE };

  function uniq(list) { return list.filter(function (v, i, a) { return a.indexOf(v) === i; }); }
  function option(sel, value, label) {
    var o = document.createElement('option');
    o.value = value; o.textContent = label; sel.appendChild(o);
  }
  data.categories.forEach(function (c) {
    if (rows.some(function (r) { return r.c === c.id; })) option(f.category, c.id, c.symbol + ' ' + c.label);
  });
  uniq(rows.map(function (r) { return r.l; }))
    .sort(function (a, b) { return (levelRank[b] || 0) - (levelRank[a] || 0); })
    .forEach(function (l) { option(f.level, l, l); });
  uniq(rows.map(function (r) { return r.comp; })).sort().forEach(function (c) { option(f.component, c, c || '(none)'); });

  var keys = {
    time: function (r) { return r.t === null ? -Infinity : r.t; },
    category: function (r) { return cats[r.c] ? cats[r.c].order : 99; },
    severity: function (r) { return r.s; },
    level: function (r) { return -(levelRank[r.l] || 0); },
    component: function (r) { return r.comp.toLowerCase(); },
    message: function (r) { return r.msg.toLowerCase(); },
    incident: function (r) { return r.inc; },
    source: function (r) { return r.src + ':' + String(r.off).padStart(15, '0'); }
  };

  function pad(n, w) { return String(n).padStart(w || 2, '0'); }
  function fmtTime(ms) {
    if (ms === null) return '';
    var d = new Date(ms);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' +
      pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds()) + '.' + pad(d.getUTCMilliseconds(), 3);
  }
  function td(tr, text, cls, title) {
    var el = document.createElement('td');
    el.textContent = text;
    if (cls) el.className = cls;
    if (title) el.title = title;
    tr.appendChild(el);
    return el;
  }

  function matches(r, q, c, l, comp) {
    if (c && r.c !== c) return false;
    if (l && r.l !== l) return false;
    if (comp !== null && r.comp !== comp) return false;
    if (!q) return true;
    return (r.msg + '\\n' + r.comp + '\\n' + r.rule + '\\n' + r.inc + '\\n' + r.trace + '\\n' + r.c + '\\n' + r.src)
      .toLowerCase().indexOf(q) >= 0;
  }

  function apply() {
    var q = f.text.value.trim().toLowerCase();
    var c = f.category.value, l = f.level.value;
    var comp = f.component.value === '*' ? null : f.component.value;
    var key = keys[state.key], dir = state.dir;
    var list = rows.filter(function (r) { return matches(r, q, c, l, comp); });
    list.sort(function (a, b) {
      var ka = key(a), kb = key(b);
      return (ka < kb ? -1 : ka > kb ? 1 : 0) * dir || a.i - b.i;
    });
    var shown = list.slice(0, state.limit);
    var frag = document.createDocumentFragment();
    shown.forEach(function (r) {
      var tr = document.createElement('tr');
      tr.dataset.category = r.c;
      tr.dataset.level = r.l;
      td(tr, fmtTime(r.t), 'mono nowrap');
      var cat = cats[r.c];
      var cell = td(tr, '', 'nowrap');
      var chip = document.createElement('span');
      chip.className = 'chip cat-' + (cat ? cat.id : 'unknown');
      chip.textContent = cat ? cat.symbol + ' ' + cat.label : r.c;
      cell.appendChild(chip);
      td(tr, String(r.s), 'num');
      td(tr, r.l, 'lvl lvl-' + r.l);
      td(tr, r.comp, 'comp-cell');
      td(tr, r.msg, 'msg', r.rule ? 'rule ' + r.rule + (r.trace ? ' · trace ' + r.trace : '') : '');
      td(tr, r.inc, 'mono nowrap');
      td(tr, r.src.split(/[\\\\/]/).pop() + ':' + r.off, 'mono muted src nowrap', r.src + ' byte ' + r.off);
      frag.appendChild(tr);
    });
    tbody.replaceChildren(frag);
    var text = 'showing ' + shown.length + ' of ' + list.length + ' matching';
    if (list.length !== rows.length) text += ' (' + rows.length + ' in this page)';
    countEl.textContent = text;
    countEl.dataset.shown = String(shown.length);
    countEl.dataset.matching = String(list.length);
    moreBtn.hidden = shown.length >= list.length;
  }

  table.querySelectorAll('th[data-sort]').forEach(function (th) {
    var btn = th.querySelector('button');
    btn.addEventListener('click', function () {
      var k = th.dataset.sort;
      state.dir = state.key === k ? -state.dir : 1;
      state.key = k;
      table.querySelectorAll('th[data-sort]').forEach(function (o) { o.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', state.dir === 1 ? 'ascending' : 'descending');
      apply();
    });
  });
  var timer = 0;
  f.text.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(function () { state.limit = PAGE; apply(); }, 120); });
  [f.category, f.level, f.component].forEach(function (s) { s.addEventListener('change', function () { state.limit = PAGE; apply(); }); });
  moreBtn.addEventListener('click', function () { state.limit += PAGE; apply(); });
  document.querySelectorAll('[data-filter-incident]').forEach(function (a) {
    a.addEventListener('click', function () {
      f.text.value = a.getAttribute('data-filter-incident');
      state.limit = PAGE;
      apply();
    });
  });
  apply();
  document.documentElement.dataset.ready = 'true';
})();
`;
