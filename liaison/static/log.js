/* Liaison: the field-logging form (log/index.html, SPEC §6).

   What the liaison picks and types becomes one interaction record as YAML, the same fields
   and file layout as data/interactions/YYYY/MM/*.yaml, handed over by opening the
   repository's new-file page (GitHub, GitLab, Gitea/Forgejo) with the file's name and text
   filled in, by copying it, or by downloading it. Until then the form is kept in this
   browser's localStorage (a draft survives a reload, a closed tab, no network), each tab's
   apart (two tabs never write over each other's record).

   The site's data comes from log/data.js (window.LIAISON_LOG_DATA), written by the build.
   No network, no framework, no eval; the page's CSP allows scripts from the site only. */
(function () {
  "use strict";
  var D = window.LIAISON_LOG_DATA;
  var form = document.getElementById("log-form");
  var unloaded = document.getElementById("log-unloaded");
  if (!D || !form) {
    if (unloaded) unloaded.classList.add("now"); // log/data.js did not load: say it now
    return;
  }

  var KEY = "liaison-log-draft:" + D.repository.web_url;
  var ME = "liaison-log-me:" + D.repository.web_url;
  var MAX_URL = 8000; // longer addresses may be cut by a browser or a server
  var FIND_FROM = 12; // a practice of more physicians has a box to find them by name
  // Characters a one-line text, and a Markdown text, may not hold (SPEC §2).
  var BAD_LINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
  var BAD_MARKDOWN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
  // The patient-information guard's patterns, as validate reads them (log/data.js: made from
  // liaison/guard.py by the build), so that what the form writes passes validate. A pattern
  // this browser cannot read (an older one) is left out: validate still reads it in the PR.
  function compiled(source, flags) {
    try { return new RegExp(source, flags); } catch (e) { return null; }
  }
  var PATIENT = [];
  (D.guard ? D.guard.rules : []).forEach(function (r) {
    var re = compiled(r[1], "gi");
    if (re) PATIENT.push([re, r[0], r[2]]);
  });
  var DATE_OR_AGE = D.guard && compiled(D.guard.date_or_age, "i");
  var SENTENCE_END = D.guard && compiled(D.guard.sentence_end, "g");
  var REACH = (D.guard && D.guard.sentence_reach) || 300; // a sentence's reach on each side
  var LOWER = D.guard && D.guard.lower && compiled(D.guard.lower, "");
  // the sentence of a patient's name holds a date or an age (mixed: and a lower-case letter,
  // the name's own or another's)
  function nameWithDateOrAge(text, m, mixed) {
    if (!DATE_OR_AGE || !SENTENCE_END) return false;
    var lo = Math.max(0, m.index - REACH), hi = Math.min(text.length, m.index + m[0].length + REACH);
    var start = lo, end = hi, e, part = text.slice(0, hi);
    SENTENCE_END.lastIndex = lo;
    while ((e = SENTENCE_END.exec(part)) && e.index < m.index) start = e.index + e[0].length;
    SENTENCE_END.lastIndex = m.index + m[0].length;
    if ((e = SENTENCE_END.exec(part))) end = e.index;
    var sentence = text.slice(start, m.index) + " " + text.slice(m.index + m[0].length, end);
    return DATE_OR_AGE.test(sentence) && (!mixed || !LOWER || LOWER.test(text.slice(start, end)));
  }
  var INVISIBLE = D.guard && compiled(D.guard.invisible, "g");
  var WIDE = D.guard && compiled(D.guard.wide, "g");
  var ZEROS = (D.guard && D.guard.digit_zeros) || [];
  var DIGITS = ZEROS.length ? new RegExp("[" + ZEROS.map(function (z) {
    return "\\u{" + z.toString(16) + "}-\\u{" + (z + 9).toString(16) + "}";
  }).join("") + "]", "gu") : null;
  function asSeen(text) { // as the guard reads it: no zero-width characters, full-width and
    if (INVISIBLE) text = text.replace(INVISIBLE, ""); // other scripts' digits as ASCII
    if (WIDE) text = text.replace(WIDE, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    });
    if (DIGITS) text = text.replace(DIGITS, function (c) {
      var cp = c.codePointAt(0), zero = 0;
      ZEROS.forEach(function (z) { if (z <= cp) zero = Math.max(zero, z); });
      return String(cp - zero);
    });
    return text;
  }
  // As its Markdown shows it (the guard's as_rendered): backslash escapes and HTML character
  // references read as what they stand for ("123&#45;45\-6789" as "123-45-6789").
  var MD_ESCAPE = /\\([\\`*_{}\[\]()#+\-.!@|:\/])/g;
  var decoder = null;
  function asRendered(text) {
    if (text.indexOf("\\") < 0 && text.indexOf("&") < 0) return text;
    text = text.replace(MD_ESCAPE, "$1");
    if (text.indexOf("&") < 0) return text;
    decoder = decoder || document.createElement("textarea");
    decoder.innerHTML = text; // a textarea's content is text: references decoded, no markup
    return decoder.value;
  }
  // A table pasted into the notes (Markdown's pipes, or tab-separated cells copied from a
  // spreadsheet): each cell of a body row read after its column's heading, "DOB 03/04/1951"
  // (the guard's as_tabled), one line for one line.
  var TABLE_RULE = /^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$/;
  function cellsOf(line, sep) {
    if (sep === "|") {
      line = line.trim();
      if (line.charAt(0) === "|") line = line.slice(1);
      if (line.slice(-1) === "|" && line.slice(-2) !== "\\|") line = line.slice(0, -1);
    }
    return line.split(sep);
  }
  // only a heading that names a person's data is read before its cells (the guard's
  // heading_words: "Patient", "Name", "DOB", "Age"; not "Pt handout", whose cells are titles)
  var HEADING_WORDS = {};
  ((D.guard && D.guard.heading_words) || []).forEach(function (w) { HEADING_WORDS[w] = true; });
  function namesPersonData(heading) {
    var words = heading.toLowerCase().match(/[a-z]+|#/g);
    return !!words && words.every(function (w) { return HEADING_WORDS[w] === true; });
  }
  function asTabled(text) {
    if (text.indexOf("|") < 0 && text.indexOf("\t") < 0) return text;
    var lines = text.split("\n"), heads = null, sep = null, i = 0;
    function tabs(l) { return l.split("\t").length - 1; }
    while (i < lines.length) {
      var line = lines[i];
      if (heads && line.indexOf(sep) >= 0 && (sep === "|" || tabs(line) === heads.length - 1)) {
        lines[i] = "| " + cellsOf(line, sep).map(function (c, n) {
          return n < heads.length && c.trim() && namesPersonData(heads[n]) ? heads[n].trim() + " " + c : c;
        }).join(" | ") + " |"; // (a tab between two cells' words is no name's space)
        i++;
        continue;
      }
      heads = null;
      var following = i + 1 < lines.length ? lines[i + 1] : "";
      if (line.indexOf("|") >= 0 && following.indexOf("|") >= 0 && TABLE_RULE.test(following)) {
        heads = cellsOf(line, "|"); sep = "|";
        i += 2; // (the row of dashes)
        continue;
      }
      if (line.indexOf("\t") >= 0 && tabs(following) === tabs(line) &&
          line.split("\t").every(function (c) { return c.trim(); })) {
        heads = line.split("\t"); sep = "\t";
      }
      i++;
    }
    return lines.join("\n");
  }
  function patientKind(text) {
    text = asTabled(asSeen(asRendered(text)));
    for (var i = 0; i < PATIENT.length; i++) {
      var re = PATIENT[i][0], m;
      re.lastIndex = 0;
      while ((m = re.exec(text))) {
        if (!PATIENT[i][2] || nameWithDateOrAge(text, m, PATIENT[i][2] === 2)) return PATIENT[i][1];
        if (m[0] === "") re.lastIndex++;
      }
    }
    return "";
  }
  var AMOUNT = /^\$?\s*([0-9]{1,12})(\.([0-9]*))?$/;
  var RESERVED = /^(y|n|yes|no|true|false|on|off|null)$/i;
  var PLAIN = /^[A-Za-z][A-Za-z0-9 .,'()\/&+-]*$/;

  var practices = D.practices, physicians = D.physicians, team = D.team;
  var practiceIndex = {}, physicianIndex = null, teamIndex = {};
  practices.forEach(function (p, i) { practiceIndex[p[0]] = i; });
  team.forEach(function (t) { teamIndex[t[0]] = t; });
  function physicianAt(id) { // made when a link names physicians (10,000 of them: not before)
    if (!physicianIndex) {
      physicianIndex = {};
      physicians.forEach(function (d, i) { physicianIndex[d[0]] = i; });
    }
    return id in physicianIndex ? physicianIndex[id] : -1;
  }

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function isoDay(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }
  function today() { return isoDay(new Date()); }
  function stamp() {
    var d = new Date();
    return isoDay(d) + "T" + pad(d.getHours()) + pad(d.getMinutes()) + pad(d.getSeconds());
  }
  function lines(text) {
    return text.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
  }
  // Letters that are no letter with an accent, as typed without them ("soren" for Søren):
  // the site search's (liaison/search.py LETTERS).
  var LETTERS = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d",
                 "þ": "th", "ı": "i", "ħ": "h"};
  function fold(s) { // for matching: lower case, accents off, punctuation as spaces
    s = s.toLowerCase();
    s = /[^\x00-\x7f]/.test(s) ? // the slower Unicode path only where it is needed
      s.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
        .replace(/[ßæœøłđðþıħ]/g, function (c) { return LETTERS[c]; })
        .replace(/[^\p{L}\p{N}]+/gu, " ") :
      s.replace(/[^a-z0-9]+/g, " ");
    return " " + s + " ";
  }

  // ------------------------------------------------------------------------- the state

  function blank() {
    return {v: 1, created: stamp(), liaison: "", date: today(), type: "visit", practice: "",
            physicians: [], staff: [], met_other: "", summary: "", needs: "", services: [],
            outcome: "", cost: "", deck: "", next_visit: "", follow_ups: [], notes: ""};
  }
  function newRecord() { // a blank record, logged by this device's liaison (the last one chosen)
    var s = blank();
    try { s.liaison = localStorage.getItem(ME) || ""; } catch (e) { s.liaison = ""; }
    if (!(s.liaison in teamIndex)) s.liaison = "";
    return s;
  }
  var state = blank();
  var shown = false; // whether problems are shown (after the first hand-over attempt)

  // A link's choices taken into s; returns what it asked for that the form could not take:
  // {unknown: ["practice x", …] (not on this site), elsewhere: [physician names] (at another
  // practice than the one chosen: not ticked)}.
  function fromUrl(s) {
    var q = new URLSearchParams(location.search), unknown = [], elsewhere = [];
    var p = q.get("practice");
    if (p) { if (p in practiceIndex) s.practice = p; else unknown.push("practice " + p); }
    q.getAll("physician").forEach(function (id) {
      var i = physicianAt(id);
      if (i < 0) { unknown.push("physician " + id); return; }
      var at = practices[physicians[i][3]][0];
      if (!s.practice) s.practice = at;
      if (at !== s.practice) {
        elsewhere.push(physicians[i][1] + " (of " + practices[physicians[i][3]][1] + ")");
      } else if (s.physicians.indexOf(id) < 0) s.physicians.push(id);
    });
    var who = q.get("liaison");
    if (who && who in teamIndex) s.liaison = who;
    else if (who) unknown.push("team member " + who);
    var type = q.get("type");
    if (type && D.types.indexOf(type) >= 0) s.type = type;
    else if (type) unknown.push("type " + type);
    return {unknown: unknown, elsewhere: elsewhere};
  }

  // Each tab keeps its draft apart, under KEY and the tab's id (which sessionStorage keeps
  // over a reload), with the time it was last written ("alive"; 0 once the tab went). A tab
  // opened anew takes over the newest draft of a tab that went, or that nothing wrote for
  // STALE ms (a browser slows a hidden tab's timers to one a minute); a draft another open
  // tab is writing is left to it, and said. (A draft kept under KEY alone is an older
  // version's: taken over as a tab's that went.)
  var STALE = 150000;
  var TAB = (function () {
    var id = null;
    try { id = sessionStorage.getItem("liaison-log-tab"); } catch (e) { id = null; }
    if (!id) {
      id = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
      try { sessionStorage.setItem("liaison-log-tab", id); } catch (e) { /* private mode */ }
    }
    return id;
  })();
  var MINE = KEY + ":" + TAB;
  var busy = 0; // drafts that other open tabs are writing

  function write(alive) {
    try {
      localStorage.setItem(MINE, JSON.stringify(Object.assign({alive: alive}, state)));
    } catch (e) { /* private mode */ }
  }
  function save() { write(Date.now()); }
  function kept(key) {
    try {
      var s = JSON.parse(localStorage.getItem(key) || "null");
      return s && s.v === 1 ? s : null;
    } catch (e) { return null; }
  }
  function asState(s) {
    var o = Object.assign(blank(), s);
    delete o.alive;
    return o;
  }
  function load() { // this tab's draft, else the one it takes over, else null
    var own = kept(MINE);
    if (own) return asState(own);
    var free = [], now = Date.now(), keys = [];
    try {
      for (var i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i));
    } catch (e) { return null; }
    busy = 0;
    keys.forEach(function (k) {
      if (k !== KEY && k.indexOf(KEY + ":") !== 0) return;
      var s = kept(k);
      if (!s) return;
      if (k !== KEY && s.alive && now - s.alive < STALE) busy++;
      else free.push({key: k, alive: s.alive || 0, s: s});
    });
    if (!free.length) return null;
    free.sort(function (a, b) { return b.alive - a.alive; });
    try { localStorage.removeItem(free[0].key); } catch (e) { /* it stays: taken again */ }
    return asState(free[0].s);
  }
  function clearDraft() {
    try { localStorage.removeItem(MINE); } catch (e) { /* nothing kept */ }
  }
  // while the page is open its draft says so; when it goes (closed, or another page), not
  setInterval(function () { if (kept(MINE)) save(); }, 30000);
  window.addEventListener("pagehide", function () { if (kept(MINE)) write(0); });

  // ------------------------------------------------------------------------- YAML

  function quoted(s) {
    // JSON's string escapes are YAML's double-quoted escapes; what YAML may not hold raw
    // (C1 controls, U+FFFE/U+FFFF, unpaired surrogates) is escaped or replaced, and so are
    // U+2028 and U+2029, line breaks to a YAML 1.1 reader (PyYAML), not to a YAML 1.2 one.
    s = s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(^|[^\ud800-\udbff])[\udc00-\udfff]/g,
                  function (m) { return m.length > 1 ? m[0] + "\ufffd" : "\ufffd"; });
    return JSON.stringify(s).replace(/[\u0080-\u009f\u2028\u2029\ufffe\uffff]/g, function (c) {
      return "\\u" + ("000" + c.charCodeAt(0).toString(16)).slice(-4);
    });
  }
  function scalar(s) {
    return PLAIN.test(s) && !/\s$/.test(s) && !RESERVED.test(s) ? s : quoted(s);
  }
  function block(text) { // a literal block (|-) when it holds the text exactly, else null
    var ls = text.split("\n");
    if (text !== text.trim() || /^[ \t]/.test(ls[0])) return null;
    if (ls.some(function (l) { return /[ \t]$/.test(l); })) return null;
    if (/[\u0080-\u009f\u2028\u2029\ufffe\uffff\ud800-\udfff]/.test(text)) return null;
    return ls.map(function (l) { return l ? "  " + l : ""; });
  }

  function metWith() {
    var out = state.staff.slice();
    lines(state.met_other).forEach(function (m) { if (out.indexOf(m) < 0) out.push(m); });
    return out;
  }
  function notesText() {
    var notes = state.notes.trim();
    var names = D.services.filter(function (s) { return state.services.indexOf(s[0]) >= 0; })
      .map(function (s) { return s[1]; });
    if (names.length) {
      notes = "Services discussed: " + names.join(", ") + "." + (notes ? "\n\n" + notes : "");
    }
    return notes;
  }
  // The cost as typed, a decimal comma read as the point: the number pad a phone set to
  // German or French opens (inputmode=decimal) has a comma and no point. "1,200" is left as
  // it is (a US thousands separator: "digits only").
  function costTyped() {
    return state.cost.trim().replace(/^(\$?\s*[0-9]{1,12}),([0-9]{1,2})$/, "$1.$2");
  }
  function costText() {
    // Leading zeros dropped: "010" written as typed is 8 to a YAML 1.1 reader (an octal).
    var m = AMOUNT.exec(costTyped());
    return m ? m[1].replace(/^0+(?=[0-9])/, "") + (m[3] ? "." + m[3] : "") : state.cost.trim();
  }

  function yaml() {
    var out = ["# An interaction (visit-log entry), written by the site's log/ form.",
               "# Check it with `liaison validate`; no patient information, ever."];
    function list(name, items) {
      if (!items.length) return;
      out.push(name + ":");
      items.forEach(function (i) { out.push("  - " + scalar(i)); });
    }
    out.push("date: " + state.date);
    out.push("liaison: " + scalar(state.liaison));
    out.push("type: " + scalar(state.type));
    if (state.practice) out.push("practice: " + scalar(state.practice));
    if (state.physicians.length) {
      out.push("physicians: [" + state.physicians.map(scalar).join(", ") + "]");
    }
    list("met_with", metWith());
    out.push("summary: " + scalar(state.summary.trim()));
    list("needs", lines(state.needs));
    if (state.outcome) out.push("outcome: " + scalar(state.outcome));
    if (state.deck) out.push("deck: " + scalar(state.deck));
    if (state.cost.trim()) out.push("cost: " + costText());
    if (state.next_visit) out.push("next_visit: " + state.next_visit);
    var fus = state.follow_ups.filter(function (f) { return f.task.trim() || f.due; });
    if (fus.length) {
      out.push("follow_ups:");
      fus.forEach(function (f) {
        out.push("  - task: " + scalar(f.task.trim()));
        out.push("    due: " + f.due);
        if (f.owner) out.push("    owner: " + scalar(f.owner));
      });
    }
    var notes = notesText();
    if (notes) {
      var b = block(notes);
      if (b) { out.push("notes: |-"); out.push.apply(out, b); }
      else out.push("notes: " + quoted(notes));
    }
    return out.join("\n") + "\n";
  }

  function filePath() {
    var d = /^\d{4}-\d{2}-\d{2}$/.test(state.date) ? state.date : today();
    var time = (state.created || stamp()).slice(11);
    var who = [state.practice, state.liaison].filter(Boolean).join("-");
    return "data/interactions/" + d.slice(0, 4) + "/" + d.slice(5, 7) + "/" + d.slice(8) +
      "-" + (who ? who + "-" : "") + time + ".yaml";
  }

  // ------------------------------------------------------------------------- checks

  function realDate(s) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
    var y = +s.slice(0, 4), m = +s.slice(5, 7), d = +s.slice(8);
    var dt = new Date(Date.UTC(y, m - 1, d));
    return y >= 1900 && y <= 2099 && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
  }
  // What is wrong with a text, as the end of a sentence about it ("The summary …"); markdown:
  // the notes, which are many lines (and plural: "The notes look like …").
  function textProblem(text, markdown) {
    if ((markdown ? BAD_MARKDOWN : BAD_LINE).test(text)) {
      return markdown ? "hold a control character: retype it" :
        "holds a line break or control character: keep it to one line";
    }
    var kind = patientKind(text);
    return kind ? (markdown ? "look like " : "looks like ") + kind +
      ": patient information must never be stored" : "";
  }

  function problems() {
    var p = {}, t = today();
    if (!(state.liaison in teamIndex)) p.liaison = "Choose who logs it.";
    if (!state.date) p.date = "Give the date.";
    else if (!realDate(state.date)) p.date = "Not a date: write YYYY-MM-DD.";
    else if (state.date > t) p.date = "After today (" + t + "): log a visit once it happened.";
    if (D.types.indexOf(state.type) < 0) p.type = "Choose the type.";
    if (!(state.practice in practiceIndex)) p.practice = "Choose the practice.";
    var s = state.summary.trim();
    if (!s) p.summary = "Write one line on what happened.";
    else if (textProblem(s)) p.summary = "The summary " + textProblem(s) + ".";
    lines(state.needs).forEach(function (n) {
      if (!p.needs && textProblem(n)) p.needs = "A need " + textProblem(n) + ".";
    });
    metWith().forEach(function (n) {
      if (!p.met_with && textProblem(n)) p.met_with = "A name " + textProblem(n) + ".";
    });
    var c = costTyped();
    if (c) {
      var m = AMOUNT.exec(c);
      if (!m || m[2] === ".") p.cost = "Write dollars and cents with digits only, like 42.50.";
      else if (m[3] && m[3].length > 2) p.cost = "At most two decimals (dollars and cents).";
    }
    if (state.next_visit) {
      if (!realDate(state.next_visit)) p.next_visit = "Not a date: write YYYY-MM-DD.";
      else if (state.date && state.next_visit < state.date) p.next_visit = "Before the visit's date.";
    }
    state.follow_ups.forEach(function (f, i) {
      if (!f.task.trim() && !f.due) return; // an empty row is left out
      var k = "fu" + i;
      if (!f.task.trim()) p[k] = "Write the task, or remove this follow-up.";
      else if (textProblem(f.task.trim())) p[k] = "The task " + textProblem(f.task.trim()) + ".";
      else if (!f.due) p[k] = "Give the due date.";
      else if (!realDate(f.due)) p[k] = "The due date is not a date: write YYYY-MM-DD.";
    });
    var notes = notesText();
    if (notes && textProblem(notes, true)) p.notes = "The notes " + textProblem(notes, true) + ".";
    return p;
  }

  // ------------------------------------------------------------------------- drawing

  var inputs = {
    liaison: $("log-liaison"), date: $("log-date"), outcome: $("log-outcome"),
    summary: $("log-summary"), needs: $("log-needs"), met_other: $("log-met-other"),
    cost: $("log-cost"), deck: $("log-deck"), next_visit: $("log-next"), notes: $("log-notes")
  };

  function fillSelects() {
    var s = inputs.liaison;
    s.appendChild(el("option", {value: ""}, "Choose…"));
    var groups = {};
    team.forEach(function (t) {
      var g = t[2] === "liaison" ? "Liaisons" : "Other team members";
      if (!groups[g]) { groups[g] = el("optgroup", {label: g}); s.appendChild(groups[g]); }
      groups[g].appendChild(el("option", {value: t[0]}, t[1]));
    });
    inputs.outcome.appendChild(el("option", {value: ""}, "Not said"));
    D.outcomes.forEach(function (o) { inputs.outcome.appendChild(el("option", {value: o}, o)); });
    inputs.deck.appendChild(el("option", {value: ""}, "None"));
    D.decks.forEach(function (d) { inputs.deck.appendChild(el("option", {value: d[0]}, d[1])); });
    if (!D.decks.length) inputs.deck.closest(".field").hidden = true;
    var types = $("log-types");
    D.types.forEach(function (t) {
      var id = "log-type-" + t;
      var box = el("input", {type: "radio", name: "type", id: id, value: t});
      var label = el("label", {"for": id}, t);
      types.appendChild(box);
      types.appendChild(label);
    });
    var services = $("log-services");
    D.services.forEach(function (sv) {
      services.appendChild(check("log-service-" + sv[0], sv[0], sv[1], "service"));
    });
    inputs.date.max = today();
  }

  function check(id, value, text, kind) {
    var label = el("label", {"class": "log-check"});
    var box = el("input", {type: "checkbox", id: id, value: value, "data-kind": kind});
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + text));
    return label;
  }

  function drawPractice() {
    var has = state.practice in practiceIndex;
    $("log-practice-chosen").hidden = !has;
    $("log-practice-picker").hidden = has;
    var box = $("log-physicians"), staff = $("log-staff");
    box.textContent = "";
    staff.textContent = "";
    if (!has) {
      $("log-physicians-box").hidden = $("log-staff-box").hidden = true;
      return;
    }
    var p = practices[practiceIndex[state.practice]];
    $("log-practice-name").textContent = p[1] + (p[2] ? ", " + p[2] : "");
    $("log-physicians-find").value = $("log-staff-find").value = "";
    $("log-physicians-find").hidden = p[3].length <= FIND_FROM;
    $("log-staff-find").hidden = p[4].length <= FIND_FROM;
    p[3].forEach(function (i) {
      var d = physicians[i];
      var c = check("log-doc-" + d[0], d[0], d[1] + (d[2] ? ", " + d[2] : ""), "physician");
      c.firstChild.checked = state.physicians.indexOf(d[0]) >= 0;
      box.appendChild(c);
    });
    if (!p[3].length) box.appendChild(el("p", {"class": "hint"}, "No physician on file at this practice."));
    $("log-physicians-box").hidden = false;
    p[4].forEach(function (s, i) {
      var text = s[0] + (s[1] ? " (" + s[1] + ")" : "");
      var c = check("log-staff-" + i, text, text, "staff");
      c.firstChild.checked = state.staff.indexOf(text) >= 0;
      staff.appendChild(c);
    });
    $("log-staff-box").hidden = !p[4].length;
  }

  // A large practice's physicians (or office staff), narrowed to those whose name (credentials,
  // role) holds every word typed in the box above them; the ones ticked stay in sight.
  function findIn(kind) {
    var terms = fold($("log-" + kind + "-find").value).trim().split(" ").filter(Boolean);
    Array.prototype.forEach.call($("log-" + kind).querySelectorAll("label.log-check"), function (label) {
      var text = fold(label.textContent);
      label.hidden = !label.firstChild.checked && !terms.every(function (w) { return text.indexOf(" " + w) >= 0; });
    });
  }

  var practiceKeys = null, physicianKeys = null;
  function drawMatches() {
    var list = $("log-practice-list"), q = fold($("log-practice-find").value.trim());
    var terms = q.split(/\s+/).filter(Boolean), LIMIT = 30, found = [], more = 0;
    list.textContent = "";
    if (!terms.length && practices.length > LIMIT) {
      $("log-practice-count").textContent = practices.length + " practices: type to find one (or a physician's name).";
      return;
    }
    if (!practiceKeys) { // made at the first search, not at the start
      practiceKeys = practices.map(function (p) { return fold(p[1] + " " + p[2] + " " + p[0]); });
      physicianKeys = physicians.map(function (d) { return fold(d[1] + " " + d[0]); });
    }
    // Matches where every typed word starts a word come first ("mar" finds Marez before
    // Delmar), practices before physicians.
    function hit(key) {
      var start = true;
      for (var k = 0; k < terms.length; k++) {
        var at = key.indexOf(terms[k]);
        if (at < 0) return 0;
        if (key.indexOf(" " + terms[k]) < 0) start = false;
      }
      return start ? 1 : 2;
    }
    var later = [];
    var kinds = [["p", practiceKeys]].concat(terms.length ? [["d", physicianKeys]] : []);
    kinds.forEach(function (kind) {
      kind[1].forEach(function (key, i) {
        var h = hit(key);
        if (h === 1) found.push([kind[0], i]);
        else if (h === 2) later.push([kind[0], i]);
      });
    });
    more = Math.max(0, found.length + later.length - LIMIT);
    found = found.concat(later).slice(0, LIMIT);
    found.forEach(function (f) {
      var li = el("li"), b = el("button", {type: "button", "class": "log-pick"});
      if (f[0] === "p") {
        var p = practices[f[1]];
        b.setAttribute("data-practice", p[0]);
        b.appendChild(el("strong", {}, p[1]));
        if (p[2]) b.appendChild(el("span", {"class": "muted"}, " · " + p[2]));
      } else {
        var d = physicians[f[1]], at = practices[d[3]];
        b.setAttribute("data-practice", at[0]);
        b.setAttribute("data-physician", d[0]);
        b.appendChild(el("strong", {}, d[1] + (d[2] ? ", " + d[2] : "")));
        b.appendChild(el("span", {"class": "muted"}, " · " + at[1]));
      }
      li.appendChild(b);
      list.appendChild(li);
    });
    // said to a screen reader too (a live region): how many, and what Enter chooses
    var first = !found.length ? "" : found[0][0] === "p" ? practices[found[0][1]][1] :
      physicians[found[0][1]][1] + (physicians[found[0][1]][2] ? ", " + physicians[found[0][1]][2] : "") +
      " (" + practices[physicians[found[0][1]][3]][1] + ")";
    $("log-practice-count").textContent = !terms.length ? "" :
      found.length ? (more ? found.length + " shown of " + (found.length + more) + ": type more to narrow. " :
                     found.length === 1 ? "1 match. " : found.length + " matches. ") +
                     "Enter chooses " + (found.length === 1 ? "it" : "the first") + ": " + first + "." :
      "Nothing matches: check the spelling, or type less.";
  }

  function drawFollowUps() {
    var ol = $("log-follow-ups");
    ol.textContent = "";
    state.follow_ups.forEach(function (f, i) {
      var li = el("li", {"class": "log-fu", "data-index": String(i)});
      var task = el("input", {type: "text", "class": "fu-task", "aria-label": "Follow-up " + (i + 1) + ": task", placeholder: "What we promised"});
      task.value = f.task;
      var due = el("input", {type: "date", "class": "fu-due", "aria-label": "Follow-up " + (i + 1) + ": due"});
      due.value = f.due;
      var owner = el("select", {"class": "fu-owner", "aria-label": "Follow-up " + (i + 1) + ": owner"});
      owner.appendChild(el("option", {value: ""}, "Owner: me"));
      team.forEach(function (t) { owner.appendChild(el("option", {value: t[0]}, t[1])); });
      owner.value = f.owner || "";
      var remove = el("button", {type: "button", "class": "log-link fu-remove", "aria-label": "Remove follow-up " + (i + 1)}, "Remove");
      var row = el("div", {"class": "log-fu-row"});
      row.appendChild(due);
      row.appendChild(owner);
      row.appendChild(remove);
      li.appendChild(task);
      li.appendChild(row);
      li.appendChild(el("p", {"class": "err", id: "log-fu" + i + "-err"}));
      ol.appendChild(li);
    });
  }

  function drawAll() {
    Object.keys(inputs).forEach(function (k) { inputs[k].value = state[k] || ""; });
    var radio = document.getElementById("log-type-" + state.type);
    if (radio) radio.checked = true;
    Array.prototype.forEach.call(document.querySelectorAll('input[data-kind="service"]'), function (b) {
      b.checked = state.services.indexOf(b.value) >= 0;
    });
    drawPractice();
    drawMatches();
    drawFollowUps();
    update();
  }

  function showProblems(p) {
    Array.prototype.forEach.call(form.querySelectorAll(".err"), function (e) {
      var k = e.id.replace(/^log-/, "").replace(/-err$/, "");
      var bad = !!(shown && p[k]);
      e.textContent = bad ? p[k] : "";
      var field = e.closest(".field, .log-fu");
      if (!field) return;
      field.classList.toggle("invalid", bad);
      // said to a screen reader too, when it comes to the field: invalid, and why
      var controls = field.querySelectorAll(
        "input:not([type=checkbox]):not([type=radio]), select, textarea");
      Array.prototype.forEach.call(controls, function (c) {
        var ids = (c.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
          return id && id !== e.id;
        });
        if (bad) { ids.push(e.id); c.setAttribute("aria-invalid", "true"); }
        else c.removeAttribute("aria-invalid");
        if (ids.length) c.setAttribute("aria-describedby", ids.join(" "));
        else c.removeAttribute("aria-describedby");
      });
    });
  }

  function update() {
    var p = problems(), text = yaml(), path = filePath(), open = $("log-open");
    var n = Object.keys(p).length;
    $("log-yaml").textContent = text;
    $("log-path").textContent = path;
    $("log-problems").textContent = shown && n ?
      n + " thing" + (n > 1 ? "s" : "") + " to fix before handing it over (said at the fields above)." : "";
    showProblems(p);
    var url = D.repository.new_file;
    if (url) {
      url = url.replace("{path}", encodeURIComponent(path).replace(/%2F/g, "/"))
        .replace("{content}", encodeURIComponent(text))
        .replace("{message}", encodeURIComponent("Log " + state.type + " of " + state.date +
                                                 (state.practice ? " at " + state.practice : "")));
      // A record with something to fix is not in the address (a long press or a middle click
      // opens the link without the click's check): it would reach the host, patient
      // information with it, in its logs if not its files.
      open.href = n ? "#log-problems" : url;
      open.hidden = false;
      $("log-host-note").textContent = url.length > MAX_URL ?
        "The record is long: if the new-file page opens without all of it, copy it instead." : "";
    } else {
      open.hidden = true;
      open.removeAttribute("href");
      $("log-host-note").textContent = "The repository's host (" + hostOf(D.repository.web_url) +
        ") is not one this form can open a new file on (GitHub, GitLab, Gitea or Forgejo): " +
        "copy or download the record and add it to the repository as " + path + ".";
    }
    return p;
  }
  function hostOf(url) { var a = el("a"); a.href = url; return a.hostname; }

  // ------------------------------------------------------------------------- events

  function changed() {
    state.created = state.created || stamp();
    save();
    if (state.liaison) { try { localStorage.setItem(ME, state.liaison); } catch (e) { /* */ } }
    $("log-status").textContent = "";
    update();
  }

  Object.keys(inputs).forEach(function (k) {
    var e = inputs[k];
    e.addEventListener(e.tagName === "SELECT" ? "change" : "input", function () {
      state[k] = e.value;
      changed();
    });
  });
  // The picker's last day is today's: a form left open past midnight offers the new day
  // (it was set once, when the page loaded).
  ["focus", "pointerdown"].forEach(function (type) {
    inputs.date.addEventListener(type, function () { inputs.date.max = today(); });
  });
  $("log-types").addEventListener("change", function (ev) {
    state.type = ev.target.value;
    changed();
  });
  form.addEventListener("change", function (ev) {
    var t = ev.target, kind = t.getAttribute("data-kind");
    var key = {physician: "physicians", staff: "staff", service: "services"}[kind];
    if (!key) return;
    var list = state[key].filter(function (v) { return v !== t.value; });
    if (t.checked) list.push(t.value);
    if (key === "physicians") { // in the practice's order
      var order = practices[practiceIndex[state.practice]][3].map(function (i) { return physicians[i][0]; });
      list.sort(function (a, b) { return order.indexOf(a) - order.indexOf(b); });
    }
    state[key] = list;
    changed();
  });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  $("log-practice-find").addEventListener("input", drawMatches);
  ["physicians", "staff"].forEach(function (kind) {
    $("log-" + kind + "-find").addEventListener("input", function () { findIn(kind); });
    $("log-" + kind + "-find").addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") ev.preventDefault(); // (a phone keyboard's Go would not send the form)
    });
  });
  // Enter (a phone keyboard's Go) chooses the first practice listed, as the site search opens
  // its first result; Escape, after Change, goes back to the practice chosen.
  $("log-practice-find").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      ev.preventDefault();
      var first = $("log-practice-list").querySelector("button[data-practice]");
      if (first) first.click();
    } else if (ev.key === "Escape" && state.practice in practiceIndex) {
      ev.preventDefault();
      $("log-practice-find").value = "";
      drawPractice();
      $("log-practice-change").focus();
    }
  });
  $("log-practice-list").addEventListener("click", function (ev) {
    var b = ev.target.closest("button[data-practice]");
    if (!b) return;
    var p = b.getAttribute("data-practice"), d = b.getAttribute("data-physician");
    if (p !== state.practice) { state.physicians = []; state.staff = []; }
    state.practice = p;
    if (d && state.physicians.indexOf(d) < 0) state.physicians.push(d);
    $("log-practice-find").value = "";
    drawPractice();
    changed();
    $("log-practice-change").focus();
  });
  $("log-practice-change").addEventListener("click", function () {
    $("log-practice-chosen").hidden = true;
    $("log-practice-picker").hidden = false;
    drawMatches();
    $("log-practice-find").focus();
  });
  $("log-add-fu").addEventListener("click", function () {
    var due = new Date();
    due.setDate(due.getDate() + 7);
    state.follow_ups.push({task: "", due: isoDay(due), owner: ""});
    drawFollowUps();
    changed();
    var tasks = form.querySelectorAll(".fu-task");
    tasks[tasks.length - 1].focus();
  });
  $("log-follow-ups").addEventListener("input", fuEvent);
  $("log-follow-ups").addEventListener("change", fuEvent);
  $("log-follow-ups").addEventListener("click", function (ev) {
    if (!ev.target.classList.contains("fu-remove")) return;
    var i = +ev.target.closest(".log-fu").getAttribute("data-index");
    state.follow_ups.splice(i, 1);
    drawFollowUps();
    changed();
    // the button went with its row: the keyboard goes to the row now in its place, else the
    // one before, else "Add a follow-up" (not to the top of the page)
    var removes = form.querySelectorAll(".fu-remove");
    (removes[Math.min(i, removes.length - 1)] || $("log-add-fu")).focus();
  });
  function fuEvent(ev) {
    var li = ev.target.closest(".log-fu");
    if (!li) return;
    var f = state.follow_ups[+li.getAttribute("data-index")], c = ev.target.classList;
    if (c.contains("fu-task")) f.task = ev.target.value;
    else if (c.contains("fu-due")) f.due = ev.target.value;
    else if (c.contains("fu-owner")) f.owner = ev.target.value;
    else return;
    changed();
  }

  // Hand-over: each way checks the record first; done, the draft is cleared from this device
  // (the form stays filled in, so the record can be handed over again another way).
  function ready() {
    shown = true;
    var p = update();
    var first = Object.keys(p)[0];
    if (!first) return true;
    var at = document.getElementById("log-" + first + "-err");
    var field = at && at.closest(".field, .log-fu");
    var focus = field && field.querySelector("input:not([type=radio]):not([type=checkbox]), select, textarea, input");
    if (focus && !field.hidden) focus.focus();
    else if (field) field.scrollIntoView();
    return false;
  }
  function handedOver(how) {
    clearDraft();
    var d = new Date();
    $("log-status").textContent = pad(d.getHours()) + ":" + pad(d.getMinutes()) + " " + how +
      ". The draft on this device is cleared; the form stays filled in until you discard it.";
  }
  $("log-open").addEventListener("click", function (ev) {
    if (!ready()) { ev.preventDefault(); return; }
    handedOver("Opened the new-file page: commit the file there (or propose it as a pull request)");
  });
  $("log-copy").addEventListener("click", function () {
    if (!ready()) return;
    var text = yaml(), path = filePath();
    function done() { handedOver("Copied: paste it into a new file " + path + " in the repository"); }
    function fallback() {
      var area = el("textarea", {"class": "log-offscreen", readonly: ""});
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      if (ok) done();
      else $("log-status").textContent = "Copying is not allowed here: select the record above and copy it.";
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else fallback();
  });
  $("log-download").addEventListener("click", function () {
    if (!ready()) return;
    var path = filePath(), name = path.slice(path.lastIndexOf("/") + 1);
    var url = URL.createObjectURL(new Blob([yaml()], {type: "application/yaml"}));
    var a = el("a", {href: url, download: name});
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    handedOver("Downloaded " + name + ": put it in " + path.slice(0, path.lastIndexOf("/") + 1));
  });
  var discarded = null;
  $("log-discard").addEventListener("click", function () {
    discarded = state;
    clearDraft();
    start(newRecord(), null);
    var s = $("log-status");
    s.textContent = "Discarded. ";
    var undo = el("button", {type: "button", "class": "log-link", id: "log-undo"}, "Undo");
    undo.addEventListener("click", function () {
      if (!discarded) return;
      state = discarded;
      discarded = null;
      save();
      drawAll();
      s.textContent = "The discarded record is back.";
    });
    s.appendChild(undo);
  });

  function start(s, asked) {
    state = s;
    shown = false;
    var unknown = asked ? asked.unknown : [], elsewhere = asked ? asked.elsewhere : [];
    var note = $("log-draft-note"), said = [];
    if (unknown.length) {
      said.push("The link named what this site does not have (" + unknown.join(", ") +
                "): choose it below.");
    }
    if (elsewhere.length) {
      said.push("Not ticked, as the link named them with another practice: " +
                elsewhere.join(", ") + ".");
    }
    note.hidden = !said.length;
    note.textContent = said.join(" ");
    drawAll();
  }

  // ------------------------------------------------------------------------- start

  fillSelects();
  var draft = load();
  if (draft) {
    state = draft;
    save(); // (this tab's now, if it was another's)
    drawAll();
    var note = $("log-draft-note");
    note.hidden = false;
    note.textContent = "Your draft from this device is back (not handed over yet). ";
    var fresh = el("button", {type: "button", "class": "log-link", id: "log-fresh"},
                   "Discard it and start a new one");
    fresh.addEventListener("click", function () {
      clearDraft();
      var s = newRecord();
      start(s, fromUrl(s));
    });
    note.appendChild(fresh);
  } else {
    var s0 = newRecord();
    start(s0, fromUrl(s0));
    if (busy) {
      var busyNote = $("log-draft-note");
      busyNote.hidden = false;
      busyNote.textContent = (busyNote.textContent ? busyNote.textContent + " " : "") +
        "Another tab of this form holds a draft" + (busy > 1 ? "s" : "") +
        " not handed over yet: this one starts a new record, and each keeps its own.";
    }
  }
  if (unloaded) unloaded.hidden = true;
  form.hidden = false;
  $("log-out").hidden = false;
  document.documentElement.setAttribute("data-log-ready", "1");
  if (window.performance && performance.mark) performance.mark("log-ready"); // bench/log.py
})();
