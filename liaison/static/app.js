/* Liaison: filters and column sorting for the pages' tables and lists.
   No network, no framework, no eval: the data rides in the page.

   A filter has a name N:
     <input type="search" data-filter="N">                 text, typo-tolerant (below)
     <select data-filter="N" data-field="owner">            an item's data-owner holds the value
     <select data-filter="N" data-field="liaison" data-match="link">
                                                            an item links to the value (a path
                                                            from the site's root: team/x/index.html)
     [data-count="N"]                                       "12 of 40"
   It narrows the rows of <table id="N" data-table> and of every [data-filter-scope="N"] (a
   table: its body's rows; anything else: its children). A [data-filter-group="G"] around
   scopes has its shown count in each [data-scope-count="G"]; a closed <details> around a
   group opens while a filter finds something in it.
   Text: words in any order, each matching anywhere in the item (accents, case and titles
   such as "Dr." ignored); a word of one or two letters matches the start of a word; from four
   letters one typo is forgiven (two from eight): "kapor" finds Kapoor. A column's name
   followed by a word narrows that column ("tier a", "city portland").
   The filters' state is kept in the address's #fragment (N=text&N.owner=value), so reload,
   back and a shared link keep it, from file:// too; so is a sorted table's order
   (T.sort=column or T.sort=-column, T the table's id). */
(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var TITLES = { dr: 1, doctor: 1, prof: 1, professor: 1, mr: 1, mrs: 1, ms: 1, mx: 1 };
  var BIG = 2000; // from this many items, typing waits for a pause

  // Folded as the site search folds (search.js words, liaison/search.py LETTERS): apostrophes
  // dropped ("oconnor" finds O'Connor), accents and other marks off, the letters NFKD leaves
  // whole spelled plainly ("soren" finds Søren, "dang" Đặng), and letters of every script
  // kept (a Korean or Arabic name typed is words, not nothing).
  var LETTERS = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d",
                 "þ": "th", "ı": "i", "ħ": "h"};
  function norm(s) {
    s = String(s || "").replace(/['\u2019\u02bc`]/g, "").toLowerCase();
    if (/[^\x00-\x7f]/.test(s)) {
      s = s.normalize("NFKD").replace(/\p{M}/gu, "")
        .replace(/[ßæœøłđðþıħ]/g, function (c) { return LETTERS[c]; });
      return s.replace(/[^\p{L}\p{N}]+/gu, " ").trim();
    }
    return s.replace(/[^a-z0-9]+/g, " ").trim();
  }

  // Optimal string alignment distance, giving up above max.
  function distance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev[j] = j;
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var low = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur[j] = v;
        if (v < low) low = v;
      }
      if (low > max) return max + 1;
      prev2 = prev; prev = cur;
    }
    return prev[b.length];
  }

  // Does the word t occur in the normalized text (with its words)?
  function matches(t, text, words) {
    if (t.length <= 2) return (" " + text).indexOf(" " + t) !== -1;
    if (text.indexOf(t) !== -1) return true;
    if (t.length < 4) return false;
    var max = t.length >= 8 ? 2 : 1;
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      if (w.length + max < t.length) continue;
      if (distance(t, w, max) <= max) return true;
      if (w.length > t.length && distance(t, w.slice(0, t.length), max) <= max) return true;
    }
    return false;
  }

  function Item(el, headers) {
    this.el = el;
    this.headers = headers;
    this.text = null;
  }
  Item.prototype.prepare = function () {
    if (this.text !== null) return;
    this.text = norm(this.el.textContent);
    this.words = this.text.split(" ");
    this.cells = null;
    if (this.headers && this.el.cells) {
      this.cells = [];
      for (var i = 0; i < this.el.cells.length; i++) {
        var t = norm(this.el.cells[i].textContent);
        this.cells.push({ text: t, words: t.split(" ") });
      }
    }
  };

  // The query's words: titles dropped; "column word" pairs where a column has that name.
  function parse(query, headers) {
    var words = norm(query).split(" ").filter(function (w) { return w && !TITLES[w]; });
    var terms = [];
    for (var i = 0; i < words.length; i++) {
      var col = headers && i + 1 < words.length ? headers.indexOf(words[i]) : -1;
      if (col !== -1) { terms.push({ word: words[i + 1], col: col, name: words[i] }); i++; }
      else terms.push({ word: words[i], col: -1 });
    }
    return terms;
  }

  function itemMatches(item, terms) {
    if (!terms.length) return true;
    item.prepare();
    return terms.every(function (t) {
      if (t.col !== -1) {
        var cell = item.cells && item.cells[t.col];
        if (cell && matches(t.word, cell.text, cell.words)) return true;
        return matches(t.name, item.text, item.words) && matches(t.word, item.text, item.words);
      }
      return matches(t.word, item.text, item.words);
    });
  }

  function pickMatches(item, pick) {
    var value = pick.value;
    if (pick.link) {
      var links = item.el.querySelectorAll("a[href]");
      for (var i = 0; i < links.length; i++) {
        var href = links[i].getAttribute("href").replace(/^(\.\.\/)+/, "");
        if (href === value) return true;
      }
      return false;
    }
    var have = (item.el.getAttribute("data-" + pick.field) || "").split(" ");
    return have.indexOf(value) !== -1;
  }

  // ---- the address's #fragment: the filters' state
  function readState() {
    var h = location.hash.slice(1), state = {};
    if (h.indexOf("=") === -1) return state;
    h.split("&").forEach(function (part) {
      var k = part.indexOf("=");
      if (k < 1) return;
      try { state[decodeURIComponent(part.slice(0, k))] = decodeURIComponent(part.slice(k + 1).replace(/\+/g, " ")); }
      catch (e) { /* a damaged fragment is ignored */ }
    });
    return state;
  }
  var STATE = {};
  var LOADERS = []; // each filter's: apply the state of the address
  // The fragment changed in the page. A jump to an anchor ("#later", the skip link) leaves
  // the filters in the address (a reload, a shared link keep them); another filter state
  // (going back, a link to it) is applied.
  function hashChanged() {
    if (location.hash.indexOf("=") === -1) {
      if (Object.keys(STATE).some(function (k) { return STATE[k] !== ""; })) writeState();
      return;
    }
    var state = readState();
    LOADERS.forEach(function (load) { load(state); });
    keepState(location.hash.slice(1));
  }
  function writeState() {
    var keys = Object.keys(STATE).filter(function (k) { return STATE[k] !== ""; }).sort();
    var h = keys.map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(STATE[k]); }).join("&");
    var url = location.href.split("#")[0] + (h ? "#" + h : "");
    try { history.replaceState(history.state, "", url); } catch (e) { /* some file:// setups */ }
    keepState(h);
  }
  // Links marked data-keep-filters (an activity month's links to the months before and
  // after) carry the filters' state: a physician's history read month by month keeps its
  // filter. ``h``: the state as the address writes it ("" for none); a page without
  // filters passes on the state it was opened with.
  function keepState(h) {
    each(document.querySelectorAll("a[data-keep-filters]"), function (a) {
      a.setAttribute("href", a.getAttribute("href").split("#")[0] + (h ? "#" + h : ""));
    });
  }

  // ---- one filter
  function headerNames(table) {
    if (!table.tHead || !table.tHead.rows[0]) return null;
    var names = [];
    each(table.tHead.rows[0].cells, function (th) {
      names.push(norm(th.textContent).split(" ")[0] || "");
      for (var i = 1; i < (th.colSpan || 1); i++) names.push("");
    });
    return names;
  }

  function itemsOf(scope) {
    if (scope.tagName === "TABLE") {
      var headers = headerNames(scope), out = [];
      each(scope.tBodies, function (body) { each(body.rows, function (r) { out.push(new Item(r, headers)); }); });
      return out;
    }
    return Array.prototype.map.call(scope.children, function (el) { return new Item(el, null); });
  }

  function setupFilter(name) {
    var sel = '[data-filter="' + name + '"]';
    var input = document.querySelector("input" + sel);
    var picks = Array.prototype.slice.call(document.querySelectorAll("select" + sel));
    var scopes = Array.prototype.slice.call(document.querySelectorAll('[data-filter-scope="' + name + '"]'));
    var legacy = document.getElementById(name);
    if (legacy && legacy.hasAttribute("data-table") && scopes.indexOf(legacy) === -1) scopes.push(legacy);
    if (!scopes.length) return;
    var items = [];
    scopes.forEach(function (s) { items = items.concat(itemsOf(s)); });
    var groups = {};
    items.forEach(function (it) {
      var g = it.el.closest("[data-filter-group]");
      if (!g) return;
      var key = g.getAttribute("data-filter-group");
      (groups[key] = groups[key] || { el: g, items: [], note: null }).items.push(it);
    });
    var counts = document.querySelectorAll('[data-count="' + name + '"]');

    function apply() {
      var query = input ? input.value : "";
      var terms = parse(query, null);
      var active = terms.length > 0;
      var chosen = picks.map(function (p) { if (p.value) active = true; return { field: p.getAttribute("data-field"), link: p.getAttribute("data-match") === "link", value: p.value }; })
        .filter(function (c) { return c.value; });
      var termsBy = {};
      var shown = 0;
      items.forEach(function (it) {
        var key = it.headers ? it.headers.join("|") : "";
        var t = termsBy[key] || (termsBy[key] = parse(query, it.headers));
        var ok = itemMatches(it, t) && chosen.every(function (c) { return pickMatches(it, c); });
        it.el.hidden = !ok;
        if (ok) shown += 1;
      });
      each(counts, function (c) { c.textContent = shown + " of " + items.length; });
      Object.keys(groups).forEach(function (key) {
        var g = groups[key];
        var n = g.items.filter(function (it) { return !it.el.hidden; }).length;
        each(document.querySelectorAll('[data-scope-count="' + key + '"]'), function (c) {
          c.textContent = active ? n + " of " + g.items.length : String(g.items.length);
        });
        if (!g.note) {
          g.note = document.createElement("p");
          g.note.className = "empty";
          g.note.textContent = "Nothing here matches the filter.";
          g.el.appendChild(g.note);
        }
        g.note.hidden = n > 0;
        var wraps = g.el.querySelectorAll(".table-wrap");
        each(wraps, function (w) { w.hidden = n === 0; });
        var details = g.el.closest("details");
        if (details) {
          if (active && n > 0) {
            if (!details.open) { details.open = true; details.setAttribute("data-auto-open", ""); }
          } else if (details.hasAttribute("data-auto-open")) { details.open = false; details.removeAttribute("data-auto-open"); }
        }
      });
      if (input) STATE[name] = input.value.trim();
      picks.forEach(function (p) { STATE[name + "." + p.getAttribute("data-field")] = p.value; });
    }

    // the state of the address; ``all``: what it leaves out is cleared (a fragment reached
    // in the page), else kept (on loading, what the browser restored)
    function load(state, all) {
      if (input && (state[name] !== undefined || all)) input.value = state[name] || "";
      picks.forEach(function (p) {
        var v = state[name + "." + p.getAttribute("data-field")];
        var known = v !== undefined && Array.prototype.some.call(p.options, function (o) { return o.value === v; });
        // a page (an activity month) reached with a liaison or practice it does not list:
        // nothing matches, said so, rather than every row shown as if they were theirs
        if (v && !known && p.getAttribute("data-match") === "link") {
          var absent = document.createElement("option");
          absent.value = v;
          absent.textContent = "none on this page";
          p.appendChild(absent);
          known = true;
        }
        if (known) p.value = v;
        else if (all) p.value = "";
      });
    }
    load(readState(), false);
    LOADERS.push(function (state) { load(state, true); apply(); });
    var timer = null;
    function changed() {
      if (timer) clearTimeout(timer);
      var run = function () { timer = null; apply(); writeState(); };
      if (items.length >= BIG) timer = setTimeout(run, 150); else run();
    }
    if (input) input.addEventListener("input", changed);
    picks.forEach(function (p) { p.addEventListener("change", changed); });
    apply();
  }

  // ---- sorting by column: <th data-sort="text|num">; a cell's data-value is its sort key.
  // The header's text goes into a <button> (a screen reader says "Name, button"; Enter and
  // Space are the button's own); the header keeps aria-sort, the order it shows. A table
  // with an id keeps its order in the address beside the filters (N.sort=last-visit, or
  // N.sort=-last-visit descending), so that going back from a brief, reloading and a shared
  // link show the list as it was left.
  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) return "";
    var v = cell.getAttribute("data-value");
    if (v !== null) return v;
    v = cell.textContent.trim().toLowerCase();
    // a text folded as the filter folds it (Élan Falls among the e's, not after Zephyr); one
    // with no letter ("—": not on file) as it is, after the words
    return numeric ? v : norm(v) || v;
  }
  function setupSort(table) {
    var body = table.tBodies[0];
    if (!body || !table.tHead) return;
    var rows = Array.prototype.slice.call(body.rows);
    var key = table.id ? table.id + ".sort" : null;
    var columns = {}; // a column's name in the address -> [its header, its index]
    var shown = ""; // the order the rows are in, as the address writes it ("": the page's own)
    // ``th``: the column (none: the page's own order); ``asc``: ascending
    function sortBy(th, index, asc) {
      each(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
      var order;
      if (th) {
        var numeric = th.getAttribute("data-sort") === "num";
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        order = rows.map(function (r, i) { return [cellValue(r, index, numeric), i]; });
        order.sort(function (a, b) {
          var x = a[0], y = b[0], d;
          if (numeric) {
            // (a count reads "1,234": its thousands separators are no decimal point)
            x = x === "" ? -Infinity : parseFloat(x.replace(/,/g, ""));
            y = y === "" ? -Infinity : parseFloat(y.replace(/,/g, ""));
            d = x - y;
          } else {
            d = x < y ? -1 : x > y ? 1 : 0;
          }
          return (asc ? d : -d) || a[1] - b[1];
        });
      } else {
        order = rows.map(function (r, i) { return [null, i]; });
      }
      // the rows are put in order out of the page and the body put back once: moved back
      // into the page one by one, each move restyled the table (a last-row rule), which
      // took seconds at 10,000 rows
      var parent = body.parentNode, next = body.nextSibling;
      parent.removeChild(body);
      order.forEach(function (o) { body.appendChild(rows[o[1]]); });
      parent.insertBefore(body, next);
    }
    // the order the address asks for (an unknown column: the page's own)
    function load(state) {
      var want = key ? state[key] || "" : "";
      var col = columns[want.replace(/^-/, "")];
      if (!col) want = "";
      if (want === shown) return;
      shown = want;
      if (col) sortBy(col[0], col[1], want.charAt(0) !== "-"); else sortBy(null);
      if (key) STATE[key] = want;
    }
    each(table.tHead.rows[0].cells, function (th, index) {
      if (!th.hasAttribute("data-sort")) return;
      var name = norm(th.textContent).replace(/ /g, "-") || String(index + 1);
      columns[name] = [th, index];
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      if (th.title) { button.title = th.title; th.removeAttribute("title"); }
      th.appendChild(button);
      function sort() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        sortBy(th, index, asc);
        shown = (asc ? "" : "-") + name;
        if (key) { STATE[key] = shown; writeState(); }
      }
      th.addEventListener("click", sort);  // the button's click too (a keyboard's Enter, Space)
    });
    if (!key) return;
    load(readState());
    LOADERS.push(load);
  }

  // A chart wider than its frame (a phone: style.css keeps charts at 480 px so that their
  // text stays 12 px) scrolls sideways: reachable by keyboard, named. A monthly chart (bars
  // over time, svg.chart-bar) opens at its newest end, at the right; a chart of categories
  // (funnel, share bars: their labels at the left) opens at its start.
  function setupCharts() {
    each(document.querySelectorAll(".chart"), function (frame) {
      var svg = frame.querySelector("svg");
      if (!svg) return;
      if (frame.scrollWidth > frame.clientWidth + 1) {
        if (!frame.hasAttribute("tabindex")) {
          frame.tabIndex = 0;
          frame.setAttribute("role", "region");
          frame.setAttribute("aria-label", (svg.getAttribute("aria-label") || "Chart") + ", scrolls sideways");
          frame.scrollLeft = svg.classList.contains("chart-bar") ? frame.scrollWidth : 0;
        }
      } else if (frame.getAttribute("role") === "region") {
        frame.removeAttribute("tabindex");
        frame.removeAttribute("role");
        frame.removeAttribute("aria-label");
      }
    });
  }

  // A table in Markdown (a guide, notes) wider than its box scrolls inside it (style.css):
  // reachable by keyboard there, like a chart; so does a code block with a long line.
  function setupProseTables() {
    each(document.querySelectorAll(".prose table, .note-body table, .prose pre, .note-body pre"), function (table) {
      if (table.scrollWidth > table.clientWidth + 1) {
        if (!table.hasAttribute("tabindex")) { table.tabIndex = 0; table.setAttribute("data-scrolls", ""); }
      } else if (table.hasAttribute("data-scrolls")) {
        table.removeAttribute("tabindex");
        table.removeAttribute("data-scrolls");
      }
    });
  }

  // The phone's navigation is one row that scrolls sideways (style.css): the current
  // section's item is brought into the row's view, the page itself does not move.
  function showCurrentSection() {
    var strip = document.querySelector(".topbar .nav");
    var item = strip && strip.querySelector('a[aria-current="page"]');
    if (!item || strip.scrollWidth <= strip.clientWidth + 1) return;
    var s = strip.getBoundingClientRect(), r = item.getBoundingClientRect();
    if (r.left >= s.left && r.right <= s.right) return;
    strip.scrollLeft += (r.left + r.width / 2) - (s.left + s.width / 2);
  }

  // An e-mail address or a web address (.url) may break at its "@", before a dot and after a
  // slash (a <wbr> there) rather than in the middle of a word; style.css breaks it anywhere
  // only when a part is still wider than the line.
  function breakAddresses() {
    each(document.querySelectorAll(".url"), function (el) {
      var texts = [], walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, null);
      for (var n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n);
      texts.forEach(function (node) {
        // (no look-behind in the pattern: older Safari cannot parse it)
        var parts = node.data.replace(/@|\/+|\.+/g, function (m) {
          return m.charAt(0) === "." ? "\u0001" + m : m + "\u0001";
        }).split("\u0001").filter(function (p) { return p; });
        if (parts.length < 2) return;
        var frag = document.createDocumentFragment();
        parts.forEach(function (part, i) {
          if (i) frag.appendChild(document.createElement("wbr"));
          frag.appendChild(document.createTextNode(part));
        });
        node.parentNode.replaceChild(frag, node);
      });
    });
  }

  // A table whose column headers stay at the top of its scrolling frame (and whose first
  // column stays at its left on a narrow screen): the keyboard going back up (Shift+Tab) put
  // the focused link under them, out of sight. The frame keeps their height (width) clear
  // when it scrolls to what takes the focus.
  function setupStickyFrames() {
    each(document.querySelectorAll(".table-wrap.sticky"), function (wrap) {
      var head = wrap.querySelector("thead"), th = head && head.querySelector("th");
      var top = th && getComputedStyle(th).position === "sticky" ? head.getBoundingClientRect().height : 0;
      var left = 0, row = wrap.querySelector("tbody tr");
      if (row) each(row.children, function (cell) {
        var cs = getComputedStyle(cell);
        if (cs.position === "sticky" && cs.left !== "auto") left = Math.max(left, cell.getBoundingClientRect().right - row.getBoundingClientRect().left);
      });
      wrap.style.scrollPaddingTop = top ? Math.ceil(top) + "px" : "";
      wrap.style.scrollPaddingLeft = left ? Math.ceil(left) + "px" : "";
    });
  }

  // On paper a folded part (<details>: more talking points, the alerts) prints open; each one
  // this opened closes again after printing. Chromium's print preview and PDF fire
  // beforeprint/afterprint; print media emulated (tests, devtools) changes matchMedia.
  var OPENED = [];
  var PAPER_POINTS = 3; // the further talking points printed (style.css hides the others)
  function notePaperPoints() {
    each(document.querySelectorAll("details.more-points"), function (d) {
      var list = d.querySelector("ol");
      if (!list || list.children.length <= PAPER_POINTS) return;
      var before = (parseInt(list.getAttribute("start"), 10) || 1) - 1;
      var note = document.createElement("p");
      note.className = "muted print-only";
      note.textContent = "On paper, the first " + (before + PAPER_POINTS) + " of " + (before + list.children.length) +
        " talking points: the site lists the others.";
      d.parentNode.insertBefore(note, d.nextSibling);
    });
  }
  function openForPrint() {
    each(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true;
      OPENED.push(d);
    });
  }
  function closeAfterPrint() {
    OPENED.forEach(function (d) { d.open = false; });
    OPENED = [];
  }

  function init() {
    document.documentElement.setAttribute("data-app", ""); // the filters work (style.css)
    STATE = {};
    LOADERS = [];
    var names = [];
    each(document.querySelectorAll("[data-filter]"), function (el) {
      var n = el.getAttribute("data-filter");
      if (names.indexOf(n) === -1) names.push(n);
    });
    names.forEach(setupFilter);
    each(document.querySelectorAll("table[data-table]"), setupSort);
    setupCharts();
    setupProseTables();
    setupStickyFrames();
    showCurrentSection();
    breakAddresses();
    notePaperPoints();
    window.addEventListener("resize", function () { setupCharts(); setupProseTables(); setupStickyFrames(); });
    if (LOADERS.length) window.addEventListener("hashchange", hashChanged);
    if (location.hash.indexOf("=") !== -1) keepState(location.hash.slice(1));
    window.addEventListener("beforeprint", openForPrint);
    window.addEventListener("afterprint", closeAfterPrint);
    var print = window.matchMedia ? window.matchMedia("print") : null;
    if (print && print.addEventListener) {
      print.addEventListener("change", function (e) { if (e.matches) openForPrint(); else closeAfterPrint(); });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
