/* global document, window, navigator, performance, requestAnimationFrame, setTimeout, clearTimeout, URLSearchParams */
// trailwarden report page. Renders the heatmap, the coverage map, the log-integrity timelines and the findings from the
// embedded data (#report-data). Every data value reaches the page through textContent or a
// plain attribute; nothing is parsed as HTML, and only http(s) references become links.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var S = D.strings;
  var MARK_RE = new RegExp(D.mark + '(\\d)', 'g');
  var ROW = 26, LABEL = 260, HM_CELL = 26, COV_CELL = 128, COV_MIN = 44, PAGE = 50, PRINT_MAX = 2000, EXPAND_ALL = 10;
  var F_FP = 0, F_RULE = 1, F_STATUS = 2, F_SEV = 3, F_ACC = 4, F_REGION = 5, F_RTYPE = 6, F_RID = 7, F_RARN = 8, F_RNAME = 9,
    F_TITLE = 10, F_MSG = 11, F_REM = 12, F_EV = 13, F_FW = 14, F_WAIVER = 15, F_TPL = 16, F_ACCNAME = 17;
  var STATUSES = D.statuses, SEVS = D.severities;
  var SYMBOL = { PASS: '\u2713', FAIL: '\u2717', ERROR: '!', NOT_APPLICABLE: '\u2013' };
  var LABELS = { PASS: 'PASS', FAIL: 'FAIL', ERROR: 'ERROR', NOT_APPLICABLE: 'N/A' };
  // Worst first: FAIL, ERROR, PASS, NOT_APPLICABLE. rank 0 = no finding.
  var RANK = {}; RANK[STATUSES.indexOf('FAIL')] = 4; RANK[STATUSES.indexOf('ERROR')] = 3; RANK[STATUSES.indexOf('PASS')] = 2; RANK[STATUSES.indexOf('NOT_APPLICABLE')] = 1;
  var BY_RANK = ['none', 'NOT_APPLICABLE', 'PASS', 'ERROR', 'FAIL'];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function expand(t, values) { return t.replace(MARK_RE, function (_, d) { return values[Number(d)]; }); }
  function str(i) { return i < 0 ? null : S[i]; }

  var accounts = D.accounts.map(function (a) { return { id: S[a[0]], name: S[a[1]], ou: S[a[2]], status: a[3], reason: str(a[4]) }; });
  var rules = D.rules.map(function (r) { return { id: S[r[0]], title: S[r[1]], severity: SEVS[r[2]], scope: S[r[3]], frameworks: JSON.parse(S[r[4]]), references: JSON.parse(S[r[5]]) }; });
  var F = D.findings;
  var fwCache = {};
  function frameworksOf(i) {
    var k = F[i][F_FW];
    return fwCache[k] || (fwCache[k] = JSON.parse(S[k]));
  }

  /** A finding with its texts rebuilt (see html-encode.ts). */
  function decode(i) {
    var r = F[i], acc = accounts[r[F_ACC]];
    var accountName = r.length > F_ACCNAME ? S[r[F_ACCNAME]] : acc.name;
    var region = str(r[F_REGION]);
    var base = [acc.id, accountName, region || ''];
    var x = r[F_TPL] ? function (t, v) { return expand(t, v); } : function (t) { return t; };
    var resource = { type: S[r[F_RTYPE]], id: x(S[r[F_RID]], base), arn: r[F_RARN] < 0 ? null : x(S[r[F_RARN]], base), name: x(S[r[F_RNAME]], base) };
    var full = base.concat([resource.id, resource.arn || '', resource.name]);
    return {
      fingerprint: D.fingerprints[r[F_FP]], rule: rules[r[F_RULE]], status: STATUSES[r[F_STATUS]], severity: SEVS[r[F_SEV]],
      account: acc, accountName: accountName, region: region, resource: resource, title: S[r[F_TITLE]],
      message: x(S[r[F_MSG]], full), remediation: JSON.parse(x(S[r[F_REM]], full)), evidence: JSON.parse(x(S[r[F_EV]], full)),
      frameworks: frameworksOf(i), waiver: r[F_WAIVER] < 0 ? null : JSON.parse(S[r[F_WAIVER]]),
    };
  }

  // ---- aggregates for the heatmap ----
  var NA = accounts.length, NR = rules.length;
  var worst = new Uint8Array(NA * NR), fails = new Uint32Array(NA * NR), totals = new Uint32Array(NA * NR), accountFails = new Uint32Array(NA);
  for (var i = 0; i < F.length; i++) {
    var r = F[i], c = r[F_ACC] * NR + r[F_RULE], rank = RANK[r[F_STATUS]];
    if (rank > worst[c]) worst[c] = rank;
    totals[c]++;
    if (rank === 4) { fails[c]++; accountFails[r[F_ACC]]++; }
  }

  // ---- virtualized grid: only the visible rows exist in the DOM ----
  // ARIA table semantics: the header is a row of column headers, each row a row header and cells
  // (the buttons sit inside the cells), and aria-rowcount/-rowindex say how many rows there are.
  function vgrid(container, opts) {
    var head = el('div', 'vhead'), body = el('div', 'vbody'), n = 0, first = -1, last = -1, printing = false;
    head.setAttribute('role', 'row');
    head.setAttribute('aria-rowindex', '1');
    body.setAttribute('role', 'rowgroup');
    container.textContent = '';
    container.appendChild(head);
    container.appendChild(body);
    function layout() {
      head.textContent = '';
      opts.header(head);
      body.style.width = opts.width() + 'px';
    }
    function placed(k) {
      var row = opts.row(k);
      row.setAttribute('role', 'row');
      row.setAttribute('aria-rowindex', String(k + 2));
      return row;
    }
    function draw(force) {
      if (printing) return;
      var top = Math.max(0, container.scrollTop - head.offsetHeight);
      var a = Math.max(0, Math.floor(top / ROW) - 8), b = Math.min(n, Math.ceil((top + container.clientHeight) / ROW) + 8);
      if (!force && a === first && b === last) return;
      first = a; last = b;
      var frag = document.createDocumentFragment();
      for (var k = a; k < b; k++) { var row = placed(k); row.style.top = (k * ROW) + 'px'; frag.appendChild(row); }
      body.textContent = '';
      body.appendChild(frag);
    }
    var pending = false;
    container.addEventListener('scroll', function () {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; draw(false); });
    }, { passive: true });
    layout();
    return {
      refresh: function (count) { n = count; container.setAttribute('aria-rowcount', String(n + 1)); body.style.height = (n * ROW) + 'px'; draw(true); },
      relayout: function () { layout(); draw(true); },
      printAll: function () {
        printing = true; body.textContent = '';
        for (var k = 0; k < n; k++) body.appendChild(placed(k));
      },
      endPrint: function () { printing = false; draw(true); },
    };
  }
  function cellOf(cls, child) {
    var c = el('div', cls);
    c.setAttribute('role', 'cell');
    c.appendChild(child);
    return c;
  }

  function label(acc) {
    var l = el('div', 'vlabel');
    l.setAttribute('role', 'rowheader');
    l.appendChild(el('span', 'acct', acc.name));
    l.appendChild(el('span', 'ou', acc.ou ? acc.ou : acc.id));
    l.title = acc.name + ' (' + acc.id + ')' + (acc.ou ? ' \u2014 ' + acc.ou : '') + (acc.status !== 'scanned' ? ' \u2014 ' + acc.status + (acc.reason ? ': ' + acc.reason : '') : '');
    return l;
  }
  function corner(text) {
    var c = el('div', 'vlabel', text);
    c.setAttribute('role', 'columnheader');
    return c;
  }

  // ---- heatmap: accounts x rules, the rules with the most impact first ----
  // A rule's impact is the severity-weighted count of its FAIL findings that are not waived (the
  // fix plan's weights); ties go to the rule with more ERRORs, then by id.
  var SEV_LETTER = { critical: 'C', high: 'H', medium: 'M', low: 'L', informational: 'I' };
  var ruleImpact = new Float64Array(NR), ruleErrors = new Uint32Array(NR);
  for (var q = 0; q < F.length; q++) {
    var fq = F[q];
    if (STATUSES[fq[F_STATUS]] === 'FAIL' && fq[F_WAIVER] < 0) ruleImpact[fq[F_RULE]] += D.weights[fq[F_SEV]];
    if (STATUSES[fq[F_STATUS]] === 'ERROR') ruleErrors[fq[F_RULE]]++;
  }
  var cols = rules.map(function (_, j) { return j; }).sort(function (x, y) {
    return ruleImpact[y] - ruleImpact[x] || ruleErrors[y] - ruleErrors[x] || rules[x].id.localeCompare(rules[y].id);
  });
  var hmOrder = [];
  var heatmap = vgrid(document.getElementById('heatmap-grid'), {
    width: function () { return LABEL + NR * HM_CELL; },
    header: function (h) {
      h.appendChild(corner('Account \u2193 / rule \u2192'));
      cols.forEach(function (j) {
        var rule = rules[j], c = el('button', 'hm-head', rule.id);
        c.type = 'button';
        c.dataset.rule = String(j);
        c.dataset.sev = SEV_LETTER[rule.severity];
        c.title = rule.id + ': ' + rule.title + ' (' + rule.severity + ', impact ' + ruleImpact[j] + '). Select to list its findings.';
        var wrap = el('div', 'hm-col sev-' + rule.severity);
        wrap.setAttribute('role', 'columnheader');
        wrap.appendChild(c);
        h.appendChild(wrap);
      });
    },
    row: function (k) {
      var a = hmOrder[k], acc = accounts[a], row = el('div', 'vrow');
      row.appendChild(label(acc));
      for (var m = 0; m < NR; m++) {
        var j = cols[m], c = a * NR + j, st = BY_RANK[worst[c]], rule = rules[j];
        var text = st === 'none' ? 'no finding' : LABELS[st] + (totals[c] > 1 ? ' (' + fails[c] + ' of ' + totals[c] + ' fail)' : '');
        var b = el('button', 'cell st-' + st, st === 'none' ? '\u00b7' : SYMBOL[st]);
        b.type = 'button';
        if (st === 'FAIL' || st === 'ERROR') { b.dataset.sev = SEV_LETTER[rule.severity]; b.classList.add('sev-' + rule.severity); }
        b.setAttribute('aria-label', acc.name + ', ' + rule.id + ': ' + text + (st === 'FAIL' || st === 'ERROR' ? ', severity ' + rule.severity : ''));
        b.title = acc.name + ' \u2014 ' + rule.id + ' (' + rule.title + ', ' + rule.severity + '): ' + text;
        b.dataset.account = String(a);
        b.dataset.rule = String(j);
        row.appendChild(cellOf('hm-cell', b));
      }
      return row;
    },
  });
  function sortHeatmap(mode) {
    hmOrder = accounts.map(function (_, k) { return k; });
    var byName = function (x, y) { return accounts[x].name.localeCompare(accounts[y].name) || accounts[x].id.localeCompare(accounts[y].id); };
    if (mode === 'fail') hmOrder.sort(function (x, y) { return accountFails[y] - accountFails[x] || byName(x, y); });
    else if (mode === 'ou') hmOrder.sort(function (x, y) { return accounts[x].ou.localeCompare(accounts[y].ou) || byName(x, y); });
    else hmOrder.sort(byName);
    heatmap.refresh(hmOrder.length);
  }
  document.getElementById('heatmap-sort').addEventListener('change', function (e) { sortHeatmap(e.target.value); });
  document.getElementById('heatmap-grid').addEventListener('click', function (e) {
    var head = e.target.closest('button.hm-head');
    if (head) return setFilters({ rule: rules[Number(head.dataset.rule)].id });
    var b = e.target.closest('button.cell');
    if (!b) return;
    setFilters({ account: accounts[Number(b.dataset.account)].id, rule: rules[Number(b.dataset.rule)].id }, true);
  });

  // ---- coverage map: accounts x regions ----
  // The cells share the width the page has (down to COV_MIN each), so 20 regions fit a 1440 px
  // window without sideways scrolling; narrow columns get vertical region names.
  var CELL_TEXT = { covered: '\u2713 ', gap: '\u2717 GAP', unknown: '? unknown', 'not-opted-in': 'n/a', excluded: 'excluded', 'not-scanned': 'not scanned', 'no-region': '\u2014' };
  var NOTE_TEXT = { records: 'logging, records management events', 'not-logging': 'not logging', 'no-management-events': 'records no management events', 'not-collected': 'status or event selectors not collected' };
  var trails = D.trails.map(function (t) { return { name: S[t[0]], arn: S[t[1]], owner: S[t[2]], home: S[t[3]], org: !!t[4], multi: !!t[5] }; });
  var NOTES = D.trailNotes.length;
  var covGrid = document.getElementById('coverage-grid');
  var covRows = [], covCell = COV_CELL;
  function covWidth() {
    var avail = covGrid.clientWidth - LABEL - 2;
    covCell = Math.max(COV_MIN, Math.min(COV_CELL, Math.floor(avail / Math.max(1, D.regions.length))));
    covGrid.style.setProperty('--cov-cell', covCell + 'px');
    covGrid.classList.toggle('narrow', covCell < 100);
    return LABEL + D.regions.length * covCell;
  }
  var coverage = vgrid(covGrid, {
    width: covWidth,
    header: function (h) {
      h.appendChild(corner('Account \u2193 / region \u2192'));
      D.regions.forEach(function (region) {
        var c = el('div', 'cov-head', region);
        c.setAttribute('role', 'columnheader');
        c.title = region;
        h.appendChild(c);
      });
    },
    row: function (k) {
      var a = covRows[k], acc = accounts[a], row = el('div', 'vrow');
      row.appendChild(label(acc));
      D.coverage[a].forEach(function (cell, j) {
        var state = D.cellStates[cell[0]], region = D.regions[j], reason = str(cell[1]);
        var applied = cell.slice(2).map(function (ref) { return { trail: trails[Math.floor(ref / NOTES)], note: D.trailNotes[ref % NOTES] }; });
        var recording = applied.filter(function (t) { return t.note === 'records'; });
        var text = state === 'covered' ? CELL_TEXT.covered + (recording.length ? recording[0].trail.name + (recording.length > 1 ? ' +' + (recording.length - 1) : '') : 'covered') : CELL_TEXT[state];
        var detail = applied.length ? applied.map(function (t) { return t.trail.name + (t.trail.org ? ' (organization trail)' : '') + ': ' + NOTE_TEXT[t.note]; }).join('; ') : 'no trail applies';
        // What records the cell: a trail, an event data store (CloudTrail Lake) where no trail does, or none.
        var rec = D.coverageRecorders ? D.coverageRecorders[a][j] : [-1, -1], by = rec[0] >= 0 ? D.recordedBy[rec[0]] : null, store = str(rec[1]);
        if (state !== 'covered' && by === 'event-data-store') {
          // A gap says what does record it; an unknown cell keeps saying it is not judged.
          if (state === 'gap') text = '\u25C6 Lake ' + store;
          detail = 'recorded by the event data store ' + store + ', not by a trail; ' + detail;
        } else if (by === 'none') detail = 'recorded by no trail and no event data store; ' + detail;
        if (reason) detail = 'not judged: ' + reason + '; ' + detail;
        var b = el('button', 'cov cov-' + state, text);
        b.type = 'button';
        b.dataset.state = state;
        if (by) b.dataset.recordedBy = by;
        b.dataset.accountId = acc.id;
        b.dataset.region = region;
        if (reason) b.dataset.reason = reason;
        var words = acc.name + ' (' + acc.id + ') ' + region + ': ' + state.replace(/-/g, ' ') + ' \u2014 ' + detail;
        // The accessible name starts with the text the cell shows, then says the rest.
        b.setAttribute('aria-label', text.trim() + ': ' + words);
        b.title = words;
        row.appendChild(cellOf('cov-cell', b));
      });
      return row;
    },
  });
  function filterCoverage(onlyGaps) {
    covRows = [];
    for (var a = 0; a < accounts.length; a++) {
      if (!onlyGaps || D.coverage[a].some(function (cell) { var s = D.cellStates[cell[0]]; return s === 'gap' || s === 'unknown'; })) covRows.push(a);
    }
    covRows.sort(function (x, y) { return accounts[x].name.localeCompare(accounts[y].name) || accounts[x].id.localeCompare(accounts[y].id); });
    coverage.refresh(covRows.length);
  }
  document.getElementById('coverage-gaps').addEventListener('change', function (e) { filterCoverage(e.target.checked); });
  covGrid.addEventListener('click', function (e) {
    var b = e.target.closest('button.cov');
    if (!b) return;
    setFilters({ account: b.dataset.accountId, region: b.dataset.region });
  });
  var resizing = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { var before = covCell; covWidth(); if (covCell !== before) coverage.relayout(); }, 100);
  });

  // ---- findings: filters, search, paging ----
  var form = document.getElementById('filters');
  var listEl = document.getElementById('finding-list');
  var countEl = document.getElementById('result-count');
  var pageInfo = document.getElementById('page-info');
  var order = F.map(function (_, k) { return k; }).sort(function (x, y) {
    var a = F[x], b = F[y];
    return RANK[b[F_STATUS]] - RANK[a[F_STATUS]] || a[F_SEV] - b[F_SEV] || a[F_RULE] - b[F_RULE] ||
      accounts[a[F_ACC]].name.localeCompare(accounts[b[F_ACC]].name) || S[a[F_RNAME]].localeCompare(S[b[F_RNAME]]);
  });
  var shown = order, page = 0, haystack = null;

  function options(name, values) {
    var sel = form.elements[name];
    sel.appendChild(el('option', null, 'All')).value = '';
    values.forEach(function (v) { var o = el('option', null, v[1]); o.value = v[0]; sel.appendChild(o); });
  }
  var statusCounts = STATUSES.map(function () { return 0; });
  F.forEach(function (f) { statusCounts[f[F_STATUS]]++; });
  options('status', STATUSES.map(function (s, k) { return [s, LABELS[s] + ' (' + statusCounts[k] + ')']; }));
  options('severity', SEVS.map(function (s) { return [s, s]; }));
  options('account', accounts.map(function (a) { return a; }).sort(function (x, y) { return x.name.localeCompare(y.name); }).map(function (a) { return [a.id, a.name + ' (' + a.id + ')']; }));
  // Every OU on some account's path, so that choosing an OU includes the OUs under it.
  var ous = {};
  accounts.forEach(function (a) {
    if (!a.ou) { ous[''] = true; return; }
    var parts = a.ou.split('/');
    for (var n = 1; n <= parts.length; n++) ous[parts.slice(0, n).join('/')] = true;
  });
  options('ou', Object.keys(ous).sort().map(function (o) { return [o, o || '(outside the organization)']; }));
  var regionSet = {}; F.forEach(function (f) { regionSet[f[F_REGION] < 0 ? '' : S[f[F_REGION]]] = true; });
  options('region', Object.keys(regionSet).sort().map(function (x) { return [x || '-', x || '(no region)']; }));
  options('rule', rules.map(function (rule) { return [rule.id, rule.id]; }));
  options('framework', D.frameworks.map(function (fw) { return [fw, fw]; }));

  function searchText(k) {
    // Names and message only: cheaper than decode(), which also parses remediation and evidence.
    var r = F[k], acc = accounts[r[F_ACC]];
    var accountName = r.length > F_ACCNAME ? S[r[F_ACCNAME]] : acc.name, region = str(r[F_REGION]) || '';
    var x = r[F_TPL] ? expand : function (t) { return t; };
    var base = [acc.id, accountName, region];
    var id = x(S[r[F_RID]], base), arn = r[F_RARN] < 0 ? '' : x(S[r[F_RARN]], base), name = x(S[r[F_RNAME]], base);
    var message = x(S[r[F_MSG]], base.concat([id, arn, name]));
    return [rules[r[F_RULE]].id, S[r[F_TITLE]], name, id, arn, acc.id, accountName, region, message].join('\n').toLowerCase();
  }

  function apply() {
    var v = {};
    ['status', 'severity', 'account', 'ou', 'region', 'rule', 'framework', 'q'].forEach(function (n) { v[n] = form.elements[n].value; });
    var st = v.status ? STATUSES.indexOf(v.status) : -1, sev = v.severity ? SEVS.indexOf(v.severity) : -1;
    var rule = v.rule ? rules.findIndex(function (x) { return x.id === v.rule; }) : -1;
    var q = v.q.trim().toLowerCase();
    if (q && !haystack) haystack = new Array(F.length);
    shown = order.filter(function (k) {
      var f = F[k], acc = accounts[f[F_ACC]];
      if (st >= 0 && f[F_STATUS] !== st) return false;
      if (sev >= 0 && f[F_SEV] !== sev) return false;
      if (rule >= 0 && f[F_RULE] !== rule) return false;
      if (v.account && acc.id !== v.account) return false;
      if (v.ou && acc.ou !== v.ou && acc.ou.indexOf(v.ou + '/') !== 0) return false;
      if (v.region && (f[F_REGION] < 0 ? '-' : S[f[F_REGION]]) !== v.region) return false;
      if (v.framework && !frameworksOf(k)[v.framework]) return false;
      if (q) { if (haystack[k] === undefined) haystack[k] = searchText(k); if (haystack[k].indexOf(q) < 0) return false; }
      return true;
    });
    page = 0;
    draw();
  }

  function draw() {
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    if (page >= pages) page = pages - 1;
    countEl.textContent = shown.length + ' of ' + F.length + ' findings';
    countEl.dataset.count = String(shown.length);
    pageInfo.textContent = 'page ' + (page + 1) + ' of ' + pages;
    listEl.textContent = '';
    var frag = document.createDocumentFragment();
    shown.slice(page * PAGE, (page + 1) * PAGE).forEach(function (k) { frag.appendChild(findingRow(k, false)); });
    listEl.appendChild(frag);
    writeFiltersHash();
  }

  /** Show the findings for `values`; `expand` opens them (all of them on the page when a few, else the first). */
  function clearFilters() { FILTERS.forEach(function (n) { form.elements[n].value = ''; }); }
  function setFilters(values, expand) {
    clearFilters();
    Object.keys(values).forEach(function (n) { form.elements[n].value = values[n]; });
    apply();
    if (expand) {
      var rows = listEl.querySelectorAll('details.finding');
      for (var k = 0; k < rows.length && (k === 0 || rows.length <= EXPAND_ALL); k++) rows[k].open = true;
    }
    document.getElementById('findings').scrollIntoView();
  }

  // ---- the filters live in the URL (#findings?status=FAIL&rule=...), so a view can be shared ----
  var FILTERS = ['status', 'severity', 'account', 'ou', 'region', 'rule', 'framework', 'q'];
  function writeFiltersHash() {
    var p = new URLSearchParams();
    FILTERS.forEach(function (n) { if (form.elements[n].value) p.set(n, form.elements[n].value); });
    if (page > 0) p.set('page', String(page + 1));
    var hash = p.toString() ? '#findings?' + p.toString() : '';
    if ((window.location.hash || '') === hash || (!hash && window.location.hash.indexOf('#findings?') !== 0)) return;
    var url = window.location.href.split('#')[0] + (hash || '#');
    try { window.history.replaceState(null, '', url); } catch { window.location.replace(url); }
  }
  function readFiltersHash() {
    var h = window.location.hash;
    if (h.indexOf('#findings?') !== 0) return false;
    var p = new URLSearchParams(h.slice('#findings?'.length));
    clearFilters();
    FILTERS.forEach(function (n) {
      var v = p.get(n);
      if (v === null) return;
      var field = form.elements[n];
      // A value the select does not offer (another report's account, say) is left out, not forced.
      if (field.tagName === 'SELECT' && !Array.prototype.some.call(field.options, function (o) { return o.value === v; })) return;
      field.value = v;
    });
    apply();
    var wanted = Number(p.get('page'));
    if (wanted > 1) { page = wanted - 1; draw(); }
    document.getElementById('findings').scrollIntoView();
    return true;
  }
  window.addEventListener('hashchange', readFiltersHash);

  // The search box applies as one types; its change event (on blur) would redraw the list under the user's click.
  form.addEventListener('change', function (e) { if (e.target.name !== 'q') apply(); });
  form.addEventListener('reset', function () { setTimeout(apply, 0); });
  form.addEventListener('submit', function (e) { e.preventDefault(); apply(); });
  var typing = null;
  form.elements.q.addEventListener('input', function () { clearTimeout(typing); typing = setTimeout(apply, 150); });
  document.getElementById('pager').addEventListener('click', function (e) {
    var b = e.target.closest('button');
    if (!b) return;
    page += b.dataset.page === 'next' ? 1 : -1;
    if (page < 0) page = 0;
    draw();
  });
  Array.prototype.forEach.call(document.querySelectorAll('button.show-findings'), function (b) {
    b.addEventListener('click', function () { setFilters({ rule: b.dataset.rule, framework: b.dataset.framework }); });
  });

  // ---- one finding ----
  function findingRow(k, open) {
    var r = F[k], acc = accounts[r[F_ACC]], status = STATUSES[r[F_STATUS]];
    var d = el('details', 'finding');
    d.dataset.fingerprint = D.fingerprints[r[F_FP]];
    d.dataset.status = status;
    var s = el('summary');
    s.appendChild(el('span', 'badge st-' + status, LABELS[status]));
    s.appendChild(el('span', 'sev sev-' + SEVS[r[F_SEV]], SEVS[r[F_SEV]]));
    var ruleLabel = el('span', 'rule', rules[r[F_RULE]].id);
    ruleLabel.title = S[r[F_TITLE]];
    s.appendChild(ruleLabel);
    var name = decodeName(k);
    s.appendChild(el('span', 'res', name));
    s.appendChild(el('span', 'where', (r.length > F_ACCNAME ? S[r[F_ACCNAME]] : acc.name) + ' (' + acc.id + ')' + (r[F_REGION] < 0 ? '' : ' \u00b7 ' + S[r[F_REGION]])));
    if (r[F_WAIVER] >= 0) s.appendChild(el('span', 'waived', 'waived'));
    d.appendChild(s);
    var filled = false;
    function fill() { if (!filled) { filled = true; d.appendChild(findingBody(decode(k))); } }
    d.addEventListener('toggle', function () { if (d.open) fill(); });
    if (open) { fill(); d.open = true; }
    return d;
  }
  function decodeName(k) {
    var r = F[k];
    if (!r[F_TPL]) return S[r[F_RNAME]];
    var acc = accounts[r[F_ACC]];
    return expand(S[r[F_RNAME]], [acc.id, r.length > F_ACCNAME ? S[r[F_ACCNAME]] : acc.name, r[F_REGION] < 0 ? '' : S[r[F_REGION]]]);
  }

  function kv(dl, key, value) {
    if (value === null || value === undefined || value === '') return;
    dl.appendChild(el('dt', null, key));
    dl.appendChild(el('dd', null, value));
  }

  function snippet(parent, title, text) {
    var wrap = el('div', 'snippet'), head = el('div', 'snippet-head');
    head.appendChild(el('h3', null, title));
    var b = el('button', 'copy', 'Copy');
    b.type = 'button';
    b.setAttribute('aria-label', 'Copy ' + title);
    b.addEventListener('click', function () { copy(text, b); });
    head.appendChild(b);
    wrap.appendChild(head);
    var pre = el('pre', null, text);
    pre.tabIndex = 0; // a long snippet scrolls; the keyboard must reach it
    wrap.appendChild(pre);
    parent.appendChild(wrap);
  }

  function findingBody(f) {
    var body = el('div', 'body');
    body.appendChild(el('p', 'message', f.message));
    var dl = el('dl', 'kv');
    kv(dl, 'Rule', f.rule.id + ' \u2014 ' + f.title);
    kv(dl, 'Resource', f.resource.type + ' ' + f.resource.id);
    if (f.resource.arn !== f.resource.id) kv(dl, 'ARN', f.resource.arn);
    kv(dl, 'Account', f.accountName + ' (' + f.account.id + ')');
    kv(dl, 'OU', f.account.ou);
    kv(dl, 'Region', f.region);
    kv(dl, 'Frameworks', Object.keys(f.frameworks).map(function (fw) { return fw + ': ' + f.frameworks[fw].join(', '); }).join('; '));
    if (f.waiver) kv(dl, 'Waiver', f.waiver.reason + ' \u2014 owner ' + f.waiver.owner + ', expires ' + f.waiver.expires);
    kv(dl, 'Fingerprint', f.fingerprint);
    body.appendChild(dl);

    if (f.remediation) renderRemediation(body, f.remediation);
    snippet(body, 'Evidence', JSON.stringify(f.evidence, null, 2));
    if (f.rule.references.length) {
      body.appendChild(el('h3', null, 'References'));
      var ul = el('ul');
      f.rule.references.forEach(function (u) {
        var li = el('li');
        if (/^https?:\/\//i.test(u)) { var a = el('a', null, u); a.href = u; a.rel = 'noreferrer noopener'; a.target = '_blank'; li.appendChild(a); } else li.textContent = u;
        ul.appendChild(li);
      });
      body.appendChild(ul);
    }
    return body;
  }

  // FAIL and ERROR findings carry their fix; PASS and NOT_APPLICABLE have none (remediation null).
  function renderRemediation(body, rem) {
    body.appendChild(el('h3', null, 'Remediation'));
    body.appendChild(el('p', null, rem.summary));
    var steps = el('div', 'snippet'), head = el('div', 'snippet-head'), ol = el('ol');
    head.appendChild(el('h3', null, 'Console'));
    var cb = el('button', 'copy', 'Copy');
    cb.type = 'button';
    cb.setAttribute('aria-label', 'Copy console steps');
    cb.addEventListener('click', function () { copy(rem.console.map(function (x, n) { return (n + 1) + '. ' + x; }).join('\n'), cb); });
    head.appendChild(cb);
    rem.console.forEach(function (step) { ol.appendChild(el('li', null, step)); });
    steps.appendChild(head);
    steps.appendChild(ol);
    body.appendChild(steps);
    snippet(body, 'AWS CLI', rem.cli);
    snippet(body, 'Terraform', rem.terraform);
    snippet(body, 'CloudFormation', rem.cloudformation);
  }

  function copy(text, button) {
    function done(ok) {
      button.textContent = ok ? 'Copied' : 'Select and copy';
      setTimeout(function () { button.textContent = 'Copy'; }, 1500);
    }
    function fallback() {
      var ta = el('textarea', 'offscreen');
      ta.value = text;
      ta.setAttribute('readonly', '');
      document.body.appendChild(ta);
      ta.select();
      var ok;
      try { ok = document.execCommand('copy'); } catch { ok = false; }
      document.body.removeChild(ta);
      done(ok);
    }
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    else fallback();
  }

  // ---- log integrity (scan --verify-logs): a timeline of the window per trail, account and region ----
  // The streams come worst first (html-integrity.ts); a batch is drawn at a time, so 17,000 streams stay fast.
  function integrityView(L) {
    var BATCH = 50, PRINT_STREAMS = 500;
    var I_TRAIL = 0, I_ACC = 1, I_ACCNAME = 2, I_REGION = 3, I_FLAGS = 4, I_RANK = 5, I_INT = 6, I_CONT = 7, I_COUNTS = 8, I_SPANS = 9,
      I_GAPS = 10, I_DEFECTS = 11, I_DEFCOUNT = 12, I_ERRORS = 13, I_ERRCOUNT = 14;
    var SPAN_TEXT = { verified: 'verified', gap: 'gap: no log files delivered by CloudTrail', tampered: 'tampered: not what CloudTrail signed, or gone', unread: 'unread: could not be read' };
    var listEl = document.getElementById('integrity-list'), countEl = document.getElementById('integrity-count'), more = document.getElementById('integrity-more');
    var showSel = document.getElementById('integrity-show'), qEl = document.getElementById('integrity-q');
    var since = Date.parse(L.since), total = Math.max(1, L.seconds);
    var lt = L.trails.map(function (t) { return { name: S[t[0]], arn: S[t[1]], home: S[t[2]], org: !!t[3] }; });
    var problems = L.streams.filter(function (r) { return r[I_RANK] >= L.problemRank; }).length;
    var shown = [], drawn = 0, lastTrail = -1;
    if (!problems) showSel.value = 'all';

    function time(s) { return new Date(since + s * 1000).toISOString().slice(0, 16).replace('T', ' ') + ' UTC'; }
    function duration(a, b) { var h = (b - a) / 3600; return (h >= 10 ? Math.round(h) : Math.round(h * 10) / 10) + ' h'; }
    function pct(s) { return Math.max(0, Math.min(100, (s * 100) / total)); }

    function axis() {
      var row = el('div', 'lt-row lt-axis');
      row.appendChild(el('div', 'lt-label', 'Account \u00b7 region'));
      var line = el('div', 'lt-axis-line');
      line.appendChild(el('span', 'lt-axis-start', time(0)));
      line.appendChild(el('span', 'lt-axis-end', time(total)));
      // A tick at each midnight UTC, for windows up to two months.
      if (total <= 62 * 86400) {
        for (var d = Math.ceil(since / 86400000) * 86400000; d < since + total * 1000; d += 86400000) {
          var t = el('span', 'lt-tick');
          t.style.left = pct((d - since) / 1000) + '%';
          t.title = new Date(d).toISOString().slice(0, 10);
          line.appendChild(t);
        }
      }
      row.appendChild(line);
      row.appendChild(el('div', 'lt-counts', 'Digests \u00b7 log files'));
      return row;
    }

    function trailHead(i) {
      var t = lt[i], head = el('div', 'lt-trail');
      var h = el('h3', null, t.name);
      h.appendChild(el('span', 'lt-trail-kind', t.org ? ' organization trail, home region ' + t.home : ' home region ' + t.home));
      head.appendChild(h);
      head.appendChild(el('code', 'hash', t.arn));
      head.appendChild(axis());
      return head;
    }

    function countsText(c) {
      var d = 'Digests: ' + c[0] + ' valid' + (c[1] ? ' \u00b7 ' + c[1] + ' invalid' : '') + (c[2] ? ' \u00b7 ' + c[2] + ' missing' : '');
      var l = 'Log files: ' + c[3] + ' valid' + (c[4] ? ' \u00b7 ' + c[4] + ' invalid' : '') + (c[5] ? ' \u00b7 ' + c[5] + ' missing' : '') +
        (c[6] ? ' \u00b7 ' + c[6] + ' not hashed' : '') + (c[7] ? ' \u00b7 ' + c[7] + ' in no digest' + (c[8] ? ' (' + c[8] + ' while the chain was unbroken)' : '') : '');
      return [d, l];
    }

    function table(parent, cls, caption, headers, rows, listed, count) {
      var tb = el('table', cls);
      tb.appendChild(el('caption', null, caption + ' (' + count + ')'));
      var hr = el('tr');
      headers.forEach(function (x) { var th = el('th', null, x); th.scope = 'col'; hr.appendChild(th); });
      tb.appendChild(el('thead')).appendChild(hr);
      var body = el('tbody');
      rows.forEach(function (cells) {
        var tr = el('tr');
        cells.forEach(function (c) { var td = el('td'); if (c && c.code) td.appendChild(el('code', null, c.code)); else td.textContent = c === null ? '\u2014' : String(c); tr.appendChild(td); });
        body.appendChild(tr);
      });
      if (count > listed) { var tr = el('tr', 'lt-more'), td = el('td', null, 'and ' + (count - listed) + ' more (the snapshot keeps the first ' + listed + ')'); td.colSpan = headers.length; tr.appendChild(td); body.appendChild(tr); }
      tb.appendChild(body);
      parent.appendChild(tb);
    }

    function streamBlock(r) {
      var trail = lt[r[I_TRAIL]], acc = S[r[I_ACC]], name = S[r[I_ACCNAME]], region = S[r[I_REGION]];
      var b = el('div', 'lt-stream' + (r[I_RANK] >= L.problemRank ? ' lt-problem' : ''));
      b.dataset.streamId = trail.arn + '|' + acc + '|' + region;
      b.dataset.rank = String(r[I_RANK]);
      var row = el('div', 'lt-row');
      var label = el('div', 'lt-label');
      label.appendChild(el('span', 'acct', name === acc ? acc : name));
      if (name !== acc) label.appendChild(el('span', 'ou', acc));
      label.appendChild(el('span', 'lt-region', region));
      [['integrity', r[I_INT]], ['continuity', r[I_CONT]]].forEach(function (v) {
        if (v[1] < 0) return;
        var st = STATUSES[v[1]];
        if (st === 'PASS' || st === 'NOT_APPLICABLE') return;
        label.appendChild(el('span', 'badge st-' + st, v[0] + ' ' + LABELS[st]));
      });
      label.title = name + ' (' + acc + ') ' + region + ' \u2014 ' + trail.name;
      row.appendChild(label);

      var bar = el('div', 'lt-bar'), sp = r[I_SPANS], words = [];
      bar.setAttribute('role', 'img');
      for (var k = 0; k < sp.length; k += 3) {
        var state = L.spanStates[sp[k]], a = sp[k + 1], e = sp[k + 2];
        var x = el('div', 'lt-span lt-' + state);
        x.style.left = pct(a) + '%';
        x.style.width = (pct(e) - pct(a)) + '%';
        x.dataset.state = state;
        x.dataset.start = new Date(since + a * 1000).toISOString();
        x.dataset.end = new Date(since + e * 1000).toISOString();
        x.title = SPAN_TEXT[state] + '\n' + time(a) + ' \u2192 ' + time(e) + ' (' + duration(a, e) + ')';
        words.push(state + ' ' + time(a) + ' to ' + time(e));
        bar.appendChild(x);
      }
      if (!sp.length) bar.appendChild(el('span', 'lt-empty', r[I_FLAGS] & 1 ? 'no verified digest in the window' : 'nothing verified: see what could not be read'));
      bar.setAttribute('aria-label', 'Window ' + time(0) + ' to ' + time(total) + ': ' + (words.length ? words.join('; ') : 'nothing verified'));
      row.appendChild(bar);
      var counts = el('div', 'lt-counts');
      countsText(r[I_COUNTS]).forEach(function (t) { counts.appendChild(el('div', null, t)); });
      row.appendChild(counts);
      b.appendChild(row);

      var details = el('div', 'lt-details'), any = false;
      var g = r[I_GAPS];
      if (g.length) {
        any = true;
        var ul = el('ul', 'lt-gaps');
        for (var j = 0; j < g.length; j += 4) {
          ul.appendChild(el('li', null, 'Gap ' + time(g[j]) + ' \u2192 ' + time(g[j + 1]) + ' (' + g[j + 2] + ' h): ' + (g[j + 3] < 0 ? 'no reason recorded' : S[g[j + 3]])));
        }
        details.appendChild(ul);
      }
      var df = r[I_DEFECTS], rows = [];
      for (var m = 0; m < df.length; m += 4) rows.push([L.defectKinds[df[m]], { code: S[df[m + 1]] }, S[df[m + 2]], df[m + 3] < 0 ? null : time(df[m + 3])]);
      if (r[I_DEFCOUNT]) { any = true; table(details, 'lt-defects', 'Defects', ['Kind', 'S3 key', 'Reason', 'Time'], rows, rows.length, r[I_DEFCOUNT]); }
      var er = r[I_ERRORS], erows = [];
      for (var n = 0; n < er.length; n += 4) erows.push([S[er[n + 1]], S[er[n + 2]], er[n] < 0 ? null : { code: S[er[n]] }, S[er[n + 3]]]);
      if (r[I_ERRCOUNT]) { any = true; table(details, 'lt-errors', 'Could not be read', ['Operation', 'Error', 'S3 key', 'Message'], erows, erows.length, r[I_ERRCOUNT]); }
      if (any) b.appendChild(details);
      return b;
    }

    function drawMore(n) {
      var frag = document.createDocumentFragment(), end = Math.min(shown.length, drawn + n);
      for (; drawn < end; drawn++) {
        var r = L.streams[shown[drawn]];
        if (r[I_TRAIL] !== lastTrail) { lastTrail = r[I_TRAIL]; frag.appendChild(trailHead(lastTrail)); }
        frag.appendChild(streamBlock(r));
      }
      listEl.appendChild(frag);
      var only = showSel.value === 'problems';
      countEl.textContent = 'Showing ' + drawn + ' of ' + shown.length + (only ? ' stream(s) with a problem' : ' stream(s)') + (qEl.value.trim() ? ' matching' : '') + ' \u00b7 ' + problems + ' of ' + L.streams.length + ' verified streams have a problem';
      countEl.dataset.count = String(shown.length);
      countEl.dataset.drawn = String(drawn);
      more.hidden = drawn >= shown.length;
      more.textContent = 'Show ' + Math.min(BATCH, shown.length - drawn) + ' more of the ' + (shown.length - drawn) + ' not drawn';
      if (!shown.length) listEl.appendChild(el('p', 'help', only ? 'No stream has a problem.' : 'No stream matches.'));
    }

    function apply() {
      var only = showSel.value === 'problems', q = qEl.value.trim().toLowerCase();
      shown = [];
      for (var k = 0; k < L.streams.length; k++) {
        var r = L.streams[k];
        if (only && r[I_RANK] < L.problemRank) continue;
        if (q && [S[r[I_ACC]], S[r[I_ACCNAME]], S[r[I_REGION]], lt[r[I_TRAIL]].name].join('\n').toLowerCase().indexOf(q) < 0) continue;
        shown.push(k);
      }
      listEl.textContent = '';
      drawn = 0;
      lastTrail = -1;
      drawMore(BATCH);
    }

    showSel.addEventListener('change', apply);
    var typing = null;
    qEl.addEventListener('input', function () { clearTimeout(typing); typing = setTimeout(apply, 150); });
    more.addEventListener('click', function () { drawMore(BATCH); });
    apply();
    return {
      printAll: function () {
        drawMore(PRINT_STREAMS - drawn);
        if (drawn < shown.length) listEl.appendChild(el('p', 'banner lt-print-note', 'Printed the first ' + drawn + ' of ' + shown.length + ' streams; filter to print others, or see the snapshot.'));
      },
    };
  }
  var integrity = D.logIntegrity ? integrityView(D.logIntegrity) : null;

  // ---- print: everything expanded, no controls ----
  window.addEventListener('beforeprint', function () {
    heatmap.printAll();
    coverage.printAll();
    if (integrity) integrity.printAll();
    listEl.textContent = '';
    shown.slice(0, PRINT_MAX).forEach(function (k) { listEl.appendChild(findingRow(k, true)); });
    if (shown.length > PRINT_MAX) listEl.appendChild(el('p', 'banner', 'Printed the first ' + PRINT_MAX + ' of ' + shown.length + ' findings; filter to print the rest, or file report.json.'));
    Array.prototype.forEach.call(document.querySelectorAll('details'), function (x) { x.open = true; });
  });
  window.addEventListener('afterprint', function () { heatmap.endPrint(); coverage.endPrint(); draw(); });

  // ---- print one framework's control summary (the print stylesheet hides everything else) ----
  Array.prototype.forEach.call(document.querySelectorAll('button.print-framework'), function (b) {
    b.addEventListener('click', function () {
      var target = b.closest('details.framework');
      document.body.classList.add('print-framework');
      target.classList.add('print-target');
      target.open = true;
      window.print();
    });
  });
  window.addEventListener('afterprint', function () {
    document.body.classList.remove('print-framework');
    Array.prototype.forEach.call(document.querySelectorAll('.print-target'), function (x) { x.classList.remove('print-target'); });
  });

  sortHeatmap('fail');
  filterCoverage(false);
  if (!readFiltersHash()) apply();
  document.documentElement.setAttribute('data-ready', String(Math.round(performance.now())));
})();
