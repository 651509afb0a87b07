/* Site-wide search (SPEC §6) on search/index.html: reads the index that search/index.js
   assigns to window.LIAISON_SEARCH (written by liaison build: liaison/search.py describes
   it), runs the query of the page's address (?q=…) and every query typed in the box.

   A query is cut into terms as the index was (lower case, accents, apostrophes, titles and
   credentials dropped, "tier a" -> "tiera"; a query of titles alone keeps them: "do" finds
   Dr. Do, names keep every word; groups of digits in a row are one phone number, "(360)
   555-0111" -> "3605550111"). Each term matches the index's terms exactly, as a prefix (two letters or more; one beside other words: "harriet q") or within one typo
   (four letters or more; two from eight; a number, such as an NPI or a ZIP code, never: one
   digit off is another one);
   an entry is found when every term matches in its name or its info (any word order). If no
   entry holds them all, entries holding some are shown, said so. Ranking: the entries whose
   name is exactly the query's words (any order) first, then those whose name holds every
   word whole, then by score (name over info, exact over prefix over typo), kind and name.

   Enter in the box opens the first result; every result is a link (Tab and the arrow keys
   reach them). */
(function () {
  "use strict";
  var scriptStart = performance.now();  // search/index.js (before this script) is parsed and run

  // The same words as liaison/search.py TITLES: titles and credentials, never a name.
  var TITLES = new Set(("dr drs doctor prof professor mr mrs ms mx md do dds dmd dpm dc od " +
    "phd np pa pac aprn fnp crnp rn lpn mbbs facs facp jr sr").split(" "));
  var TIER = "tier";
  var APOSTROPHES = /['\u2019\u02bc`]/g;
  var MARKS = /\p{M}/gu;
  var WORD = /[\p{L}\p{N}]+/gu;
  var NON_ASCII = /[^\x00-\x7f]/;
  // liaison/search.py LETTERS: letters NFKD leaves whole, as typed without them ("soren").
  var LETTERS = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d",
                 "þ": "th", "ı": "i", "ħ": "h"};
  var LETTER = /[ßæœøłđðþıħ]/g;
  function spelled(c) { return LETTERS[c]; }
  var NUMBER = /^[0-9]+$/;  // an NPI, a ZIP code: its start or itself, never a typo (another one)
  var SHOWN = 50;  // results listed at most
  var QUOTED = 60;  // characters of a fruitless query said back at most
  var FIELD_WEIGHT = [3, 1];  // a match in the name counts three times one in the info
  var EXACT_NAME = FIELD_WEIGHT[0];  // the score of a term found whole in a name

  function words(text) {
    text = String(text || "").replace(APOSTROPHES, "").toLowerCase();
    if (NON_ASCII.test(text)) text = text.normalize("NFKD").replace(MARKS, "").replace(LETTER, spelled);
    return text.match(WORD) || [];
  }

  // The search terms of a text (liaison/search.py terms); joined, if given, receives the
  // "tier X" terms, which are never matched with a typo ("tiera" is not "tierb").
  function terms(text, joined) {
    var ws = words(text), out = [];
    for (var i = 0; i < ws.length; i++) {
      var w = ws[i];
      if (w === "pa" && ws[i + 1] === "c") { i++; continue; }
      if (w === TIER && i + 1 < ws.length) {
        out.push(TIER + ws[i + 1]);
        if (joined) joined.add(TIER + ws[i + 1]);
        i++;
        continue;
      }
      if (!TITLES.has(w)) out.push(w);
    }
    return out;
  }

  // Titles that come before a name and never are one ("Dr.", "Mrs."), of TITLES.
  var HONORIFICS = new Set("dr drs doctor prof professor mr mrs ms mx".split(" "));

  // A query's terms; when it holds nothing but titles, its words, without those before a
  // name if others remain ("do" and "Dr. Do" look for Dr. Anh Do; "Dr." alone for "dr…").
  function queryTerms(text, joined) {
    var out = phones(terms(text, joined));
    if (out.length) return out;
    var ws = words(text), named = ws.filter(function (w) { return !HONORIFICS.has(w); });
    return named.length ? named : ws;
  }

  // Groups of digits in a row are one phone number, as the index holds it (liaison/search.py
  // phone_term), without a country code 1 first: "(360) 555-0111", "+1 360.555.0111" ->
  // "3605550111"; "360 555" its start.
  var GROUP = /^[0-9]{1,4}$/;
  function phones(ts) {
    var out = [];
    for (var i = 0; i < ts.length; i++) {
      var j = i;
      while (j < ts.length && GROUP.test(ts[j])) j++;
      if (j - i < 2) { out.push(ts[i]); continue; }
      var run = ts.slice(ts[i] === "1" ? i + 1 : i, j).join("");
      if (run) out.push(run);
      i = j - 1;
    }
    return out;
  }

  // Optimal string alignment distance of a and b if at most max, else max + 1 (three rows,
  // reused: thousands of terms are compared at each keystroke).
  var rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];
  function distance(a, b, max) {
    var n = a.length, m = b.length;
    if (Math.abs(n - m) > max) return max + 1;
    if (m >= 64) return max + 1;
    var prev2 = null, prev = rows[0], cur, spare = rows[1], older = rows[2];
    for (var j = 0; j <= m; j++) prev[j] = j;
    for (var i = 1; i <= n; i++) {
      cur = spare;
      cur[0] = i;
      var best = i, ai = a.charCodeAt(i - 1);
      for (j = 1; j <= m; j++) {
        var cost = ai === b.charCodeAt(j - 1) ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
          v = Math.min(v, prev2[j - 2] + 1);
        }
        cur[j] = v;
        if (v < best) best = v;
      }
      if (best > max) return max + 1;
      spare = prev2 || older;
      prev2 = prev;
      prev = cur;
    }
    return prev[m];
  }

  // The set-up does only what the first answer needs: the vocabulary and where each term's
  // entries are. Names, links and context lines are cut out when a result shows them, the
  // terms by length when a query first allows a typo, each term's entries when first met.
  function Index(data) {
    this.data = data;
    this.size = data.kind.length;
    this.kinds = data.kinds;
    this.kind = data.kind;
    this.terms = data.terms ? data.terms.split("\n") : [];
    this.postings = [data.name.split("\n"), data.info.split("\n")];
    this.decoded = [[], []];
    this.byLength = null;  // term numbers by length, for typos
    this.cut = {};  // names, ids, context, parts: their lines, once needed
    this.memo = new Map();  // query term -> its matches (typing repeats the earlier words)
    this.nameTerms = [];
  }

  Index.prototype.line = function (key, n) {
    var all = this.cut[key];
    if (!all) all = this.cut[key] = this.data[key] ? this.data[key].split("\n") : [];
    return all[n];
  };

  Index.prototype.lengths = function () {
    if (!this.byLength) {
      this.byLength = [];
      for (var t = 0; t < this.terms.length; t++) {
        var len = this.terms[t].length;
        (this.byLength[len] || (this.byLength[len] = [])).push(t);
      }
    }
    return this.byLength;
  };

  // The entries holding term t in field f (0 name, 1 info), ascending.
  Index.prototype.entries = function (f, t) {
    var done = this.decoded[f][t];
    if (done) return done;
    var s = this.postings[f][t] || "", out = [], n = 0, v = 0;
    if (s) {
      for (var i = 0; i <= s.length; i++) {
        var c = i < s.length ? s.charCodeAt(i) : 46;
        if (c === 46) { n += v; out.push(n); v = 0; }
        else v = v * 36 + (c < 58 ? c - 48 : c - 87);
      }
    }
    return (this.decoded[f][t] = out);
  };

  Index.prototype.first = function (q) {  // the first term >= q
    var lo = 0, hi = this.terms.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (this.terms[mid] < q) lo = mid + 1; else hi = mid;
    }
    return lo;
  };

  // One query term -> {score: Float32Array by entry (0: no match), hits: [entries], letter};
  // exact and prefix matches only when strict; a term of one letter is a prefix only when
  // initial (a query of other words too: "harriet q", as the directories' filters read it),
  // and alone matches nothing, not even the word "a" of a guide's summary.
  Index.prototype.match = function (q, strict, initial) {
    var key = (strict ? q + "\u0001" : q) + (initial && q.length === 1 ? "\u0002" : ""),
        known = this.memo.get(key);
    if (known) return known;
    var score = new Float32Array(this.size), hits = [], self = this;
    if (q.length === 1 && !initial) return {score: score, hits: hits, letter: true};  // no name yet
    function add(t, quality) {
      for (var f = 0; f < 2; f++) {
        var list = self.entries(f, t), w = quality * FIELD_WEIGHT[f];
        for (var k = 0; k < list.length; k++) {
          var e = list[k];
          if (score[e] === 0) hits.push(e);
          if (w > score[e]) score[e] = w;
        }
      }
    }
    var t = this.first(q), terms = this.terms;
    if (terms[t] === q) { add(t, 1); t++; }
    if (q.length >= 2 || initial) {  // prefixes: the closer to the whole term, the better
      for (; t < terms.length && terms[t].lastIndexOf(q, 0) === 0; t++) {
        add(t, 0.5 + 0.3 * q.length / terms[t].length);
      }
    }
    if (q.length >= 4 && !strict) {  // typos
      var max = q.length >= 8 ? 2 : 1, byLength = this.lengths();
      for (var len = q.length - max; len <= q.length + max; len++) {
        var same = byLength[len] || [];
        for (var i = 0; i < same.length; i++) {
          var term = terms[same[i]];
          if (term === q || term.lastIndexOf(q, 0) === 0) continue;
          var d = distance(q, term, max);
          if (d <= max) add(same[i], d === 1 ? 0.45 : 0.3);
        }
      }
    }
    var found = {score: score, hits: hits, letter: q.length === 1};
    if (this.memo.size > 100) this.memo.clear();
    this.memo.set(key, found);
    return found;
  };

  Index.prototype.distinctNameTerms = function (e) {
    var n = this.nameTerms[e];
    if (n === undefined) n = this.nameTerms[e] = new Set(queryTerms(this.line("names", e))).size;
    return n;
  };

  // A query -> {terms, results: [{entry, rank, score}] best first, all: whether every
  // term matched}; terms is empty when the query holds no word to search for.
  Index.prototype.search = function (query) {
    var joined = new Set(), qs = Array.from(new Set(queryTerms(query, joined)));
    if (!qs.length) return {terms: qs, results: [], all: true};
    var self = this;
    var matches = qs.map(function (q) {
      return self.match(q, joined.has(q) || NUMBER.test(q), qs.length > 1);
    });
    matches.sort(function (a, b) { return a.hits.length - b.hits.length; });
    var results = collect(matches, true), all = true;
    if (!results.length && matches.length > 1) { results = collect(matches, false); all = false; }
    for (var i = 0; i < results.length; i++) {
      var r = results[i];
      if (r.exact === qs.length) r.rank = this.distinctNameTerms(r.entry) === qs.length ? 2 : 1;
    }
    return {terms: qs, results: this.best(results), all: all};
  };

  // Entries matched by every term (every: true) or by any but a letter ("<b>1</b>" lists no
  // NPI starting with 1): {entry, score, exact, rank}.
  function collect(matches, every) {
    var out = [], seen = every ? null : new Set();
    var from = every ? [matches[0]] : matches.filter(function (m) { return !m.letter; });
    for (var m = 0; m < from.length; m++) {
      var hits = from[m].hits;
      for (var i = 0; i < hits.length; i++) {
        var e = hits[i], sum = 0, exact = 0, ok = true;
        if (seen) { if (seen.has(e)) continue; seen.add(e); }
        for (var k = 0; k < matches.length; k++) {
          var s = matches[k].score[e];
          if (s === 0 && every) { ok = false; break; }
          sum += s;
          if (s >= EXACT_NAME) exact++;
        }
        if (ok) out.push({entry: e, score: sum, exact: exact, rank: 0});
      }
    }
    return out;
  }

  // The results in order, best first: only the best few hundred are sorted in full.
  Index.prototype.best = function (results) {
    var keep = SHOWN * 4;
    if (results.length > keep) {
      var keys = new Float64Array(results.length);
      for (var i = 0; i < results.length; i++) keys[i] = results[i].rank * 1e4 + results[i].score;
      keys.sort();
      var bar = keys[keys.length - keep];
      var total = results.length;
      results = results.filter(function (r) { return r.rank * 1e4 + r.score >= bar; });
      results.total = total;
    }
    results.sort(function (a, b) {  // entries are in order of kind, then name
      return b.rank - a.rank || b.score - a.score || a.entry - b.entry;
    });
    return results;
  };

  // What one result shows: kind label, name, link (from the site's root), context line.
  Index.prototype.describe = function (e) {
    var kind = this.kinds[this.kind.charCodeAt(e) - 48], self = this, line = this.line("context", e);
    var context = line ? line.split(".").map(function (p) {
      return self.line("parts", parseInt(p, 36));
    }).join(" · ") : "";
    return {kind: kind[0], label: kind[1], name: this.line("names", e),
            href: kind[2].replace("{}", this.line("ids", e)), context: context};
  };

  // ------------------------------------------------------------------ the page

  function thousands(n) {  // 12345 -> "12,345" (not toLocaleString: its first call is slow)
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function plural(n, one, many) {
    return thousands(n) + " " + (n === 1 ? one : many);
  }

  function show(index, query, box, list, status, base) {
    var found = index.search(query);
    list.textContent = "";
    if (!found.terms.length) {
      var what = "a specialty, a practice, a city, a role, a tag or a phone number.";
      status.textContent = query.trim() ? "Nothing to search for: type a name, " + what
        : status.getAttribute("data-empty") || "Type a name (any order, typos forgiven), " + what;
      return found;
    }
    var results = found.results, total = results.total || results.length;
    var counts = {};
    var shown = results.slice(0, SHOWN);
    var frag = document.createDocumentFragment();
    shown.forEach(function (r) {
      var d = index.describe(r.entry);
      var li = document.createElement("li");
      li.className = "search-result kind-" + d.kind;
      var label = document.createElement("span");
      label.className = "search-kind";
      label.textContent = d.label;
      var a = document.createElement("a");
      a.className = "search-name";
      a.href = base + d.href;
      a.textContent = d.name;
      li.appendChild(label);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(a);
      if (d.context) {
        var small = document.createElement("span");
        small.className = "search-context";
        small.textContent = d.context;
        li.appendChild(small);
      }
      frag.appendChild(li);
    });
    results.forEach(function (r) {
      var k = index.kind.charCodeAt(r.entry) - 48;
      counts[k] = (counts[k] || 0) + 1;
    });
    list.appendChild(frag);
    if (!total && found.terms.every(function (t) { return t.length === 1; })) {
      status.textContent = "Keep typing: a letter alone finds nothing yet.";  // the first key of any query
    } else if (!total) {
      var said = query.trim();  // a paragraph pasted in is not said back whole
      if (said.length > QUOTED) {  // at the end of a word, if one ends there
        said = (said.slice(0, QUOTED + 1).replace(/\s*\S*$/, "") || said.slice(0, QUOTED)) + "…";
      }
      status.textContent = "No result for “" + said + "”. Check the spelling, or use fewer words.";
    } else {
      var text = (found.all ? "" : "No result holds every word; these hold some of them. ") +
        plural(total, "result", "results");
      if (total > shown.length) text += ", the first " + shown.length + " shown: add a word to narrow them";
      if (total <= shown.length) {
        text += ": " + index.kinds.map(function (kind, k) {
          return counts[k] ? counts[k] + " " + (counts[k] === 1 ? kind[1].toLowerCase() : kind[3]) : "";
        }).filter(Boolean).join(", ");
      }
      status.textContent = text + ".";
    }
    return found;
  }

  function start() {
    var box = document.getElementById("search-q");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    var unloaded = document.getElementById("search-unloaded");
    if (!box || !list || !status) return;
    var data = window.LIAISON_SEARCH;
    if (!data) {
      // blocked or lost on the way as often as missing: say so, and show the way on at once
      status.textContent = "The search index (search/index.js) did not load.";
      if (unloaded) unloaded.classList.add("now");
      return;
    }
    if (unloaded) unloaded.hidden = true; // the script and its index came
    var began = performance.now();
    var index = new Index(data);
    var base = box.form.getAttribute("data-base") || "../";
    window.liaisonSearch = {index: index, terms: terms, words: words, loadMs: performance.now() - began,
                            scriptMs: scriptStart};
    // What was typed while the index loaded (seconds on a phone's slow connection) is newer
    // than the address's query, and is what the person wants answered.
    var typed = box.value;
    box.value = typed || new URLSearchParams(window.location.search).get("q") || "";
    var last = null;
    function run() {
      var t = performance.now();
      last = show(index, box.value, box, list, status, base);
      window.liaisonSearch.lastMs = performance.now() - t;
      window.liaisonSearch.query = box.value;
    }
    function remember() {
      try {  // the address keeps the query (a reload or a link shows the same results)
        var url = new URL(window.location.href);
        if (box.value) url.searchParams.set("q", box.value); else url.searchParams.delete("q");
        history.replaceState(null, "", url.href);
      } catch (e) { /* some browsers refuse it for a page opened from disk */ }
    }
    run();
    if (typed) remember();
    box.addEventListener("input", function () {
      run();
      remember();
    });
    box.form.addEventListener("submit", function (ev) {
      var first = list.querySelector("a");
      if (first && last && last.results.length) {  // Enter: the first result
        ev.preventDefault();
        window.location.href = first.href;
      }
    });
    // The arrow keys: down from the box through the results, up back to it (the page scrolls
    // with the result that has the focus); Tab does the same without them.
    function step(ev) {
      if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
      if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      var links = Array.prototype.slice.call(list.querySelectorAll("a.search-name"));
      var at = ev.target === box ? -1 : links.indexOf(ev.target);
      if (ev.target !== box && at < 0) return;
      var to = at + (ev.key === "ArrowDown" ? 1 : -1);
      if (to >= links.length || (ev.target === box && to < 0)) return;
      ev.preventDefault();
      (to < 0 ? box : links[to]).focus();
    }
    box.addEventListener("keydown", step);
    list.addEventListener("keydown", step);
    window.liaisonSearch.readyMs = performance.now();  // since navigation began (bench/search.py)
    if (performance.mark) performance.mark("search-ready");
    document.documentElement.setAttribute("data-search-ready", "");
    setTimeout(function () {  // after the first answer: what the next ones need, made ahead
      if (index.size) index.describe(0);
      index.lengths();
    }, 50);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
