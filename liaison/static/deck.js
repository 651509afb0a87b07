/* Liaison deck viewer (deck.html).

   The audience's window shows one slide at a time: a 1280 × 720 stage (deck.css) scaled as a
   whole to the window, so nothing is cut at any width. Arrow, space and page keys, the buttons
   and a sideways swipe move between slides; #5 in the address opens slide 5; "?" lists the keys.
   The speaker notes never show here.

   "p" (or the Presenter view button) opens the same page with ?presenter in a window of its
   own: the current slide, the next one, the current slide's notes and a timer. Moving in
   either window moves the other: each tells the other through a BroadcastChannel named after
   the page (every window of the deck on this origin) and by postMessage to the window it opened
   or was opened by (which works from file:// too). A message carries the page's path, a
   slide number, and who sent it with how many it had sent: a message heard twice (both ways
   arrive) or after a newer one from the same window is left alone, so that a slow second copy
   cannot take a window back to a slide it has since left.

   A slide whose text is taller than its stage gets smaller text (down to 60 %), once, the same
   on every screen and on paper; data-fit on the slide says by how much. One that still does
   not fit gets data-cut, and the presenter's window says so above its notes. */
(function () {
  "use strict";
  var W = 1280, H = 720;   // the stage, as in deck.css
  var SWIPE = 40;          // px a finger travels sideways to move one slide
  var MIN_PICTURE = 0.35;  // of a picture's height at the smallest text: 118 px of 720
  var MIN_FIT = 0.6;       // the smallest text a crowded slide is shrunk to
  var root = document.documentElement;
  var stage = document.querySelector("[data-stage]");
  var slides = stage ? Array.prototype.slice.call(stage.querySelectorAll(".slide")) : [];
  if (!slides.length) return;
  var presenter = /(?:^\?|&)presenter(?:[=&]|$)/.test(location.search);
  root.classList.add("js");
  if (presenter) {
    root.classList.add("presenter");
    document.title = "Presenter: " + document.title;
  }
  var counter = document.querySelector("[data-counter]");
  var current = -1;
  var peer = null;  // the other window: the presenter's (opened here) or the audience's (opener)

  function each(selector, fn) { Array.prototype.forEach.call(document.querySelectorAll(selector), fn); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // ---- the two windows keep each other on the same slide
  var channel = null;
  try { channel = new BroadcastChannel("liaison-deck:" + location.pathname); } catch (e) { channel = null; }

  var me = Math.random().toString(36).slice(2) + Date.now().toString(36);
  var sent = 0;
  var heardFrom = {};  // window (its "me") -> the number of the last message taken from it

  function tell(number) {
    sent += 1;
    var message = { liaisonDeck: location.pathname, slide: number, from: me, n: sent };
    if (channel) channel.postMessage(message);
    [peer, window.opener].forEach(function (w, k) {
      if (!w || w === window || (k === 1 && w === peer)) return;
      try { if (!w.closed) w.postMessage(message, "*"); } catch (e) { /* a closed or foreign window */ }
    });
  }
  function heard(data, source) {
    if (!data || data.liaisonDeck !== location.pathname) return;
    var n = data.slide;
    if (typeof n !== "number" || Math.floor(n) !== n) return;
    if (typeof data.from === "string" && typeof data.n === "number") {
      if (data.from === me || heardFrom[data.from] >= data.n) return;  // heard already, or older
      heardFrom[data.from] = data.n;
    }
    if (source && source !== window.opener) peer = source;
    show(n - 1, false);
  }
  if (channel) channel.onmessage = function (e) { heard(e.data, null); };
  window.addEventListener("message", function (e) {
    // from the window this one opened or was opened by; or, after a reload lost the reference
    // to the presenter's window, from whichever window speaks for this deck
    if (e.source === window || !e.source) return;
    if (e.source !== peer && e.source !== window.opener && peer && !peer.closed) return;
    heard(e.data, e.source);
  });

  // ---- scaling: the stage fills its frame, whatever the window's size
  function scaleTo(frame, margin) {
    var w = frame.clientWidth - margin, h = frame.clientHeight - margin;
    if (w > 0 && h > 0) frame.style.setProperty("--scale", String(Math.min(w / W, h / H)));
  }
  var nextFrame = document.querySelector("[data-next-frame]");
  function scaleAll() {
    scaleTo(stage, presenter ? 0 : 16);
    if (presenter && nextFrame) scaleTo(nextFrame, 0);
  }
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(scaleAll);
    observer.observe(stage);
    if (nextFrame) observer.observe(nextFrame);
  } else {
    window.addEventListener("resize", scaleAll);
  }

  // ---- a crowded slide gets smaller text rather than a cut
  function fit(slide) {
    var body = slide.querySelector(".slide-body");
    if (!body) return;
    var k = 1, pic = 1;
    body.style.removeProperty("--fit");
    body.style.removeProperty("--pic");
    while (k > MIN_FIT && (body.scrollHeight > body.clientHeight + 1 || body.scrollWidth > body.clientWidth + 1)) {
      k = Math.round(k * 100 - 5) / 100;
      body.style.setProperty("--fit", String(k));
    }
    if (k < 1) slide.setAttribute("data-fit", String(k));
    else slide.removeAttribute("data-fit");
    // at the smallest text, the pictures shrink on (as the .pptx shrinks them, to some 1.2 in)
    // before the slide's end is cut: two pictures under a line were cut at its foot
    while (pic > MIN_PICTURE && body.querySelector("img") &&
           (body.scrollHeight > body.clientHeight + 1 || body.scrollWidth > body.clientWidth + 1)) {
      pic = Math.round(pic * 100 - 5) / 100;
      body.style.setProperty("--pic", String(pic));
    }
    if (pic < 1) slide.setAttribute("data-pic", String(pic));
    else slide.removeAttribute("data-pic");
    // still more than fits at the smallest text: its end is cut, which the presenter is told
    if (body.scrollHeight > body.clientHeight + 1 || body.scrollWidth > body.clientWidth + 1) slide.setAttribute("data-cut", "");
    else slide.removeAttribute("data-cut");
  }
  slides.forEach(function (slide) {
    fit(slide);
    Array.prototype.forEach.call(slide.querySelectorAll("img"), function (img) {
      if (!img.complete) img.addEventListener("load", function () { fit(slide); if (presenter) presenterShows(); });
    });
  });

  // ---- the presenter's window: notes of the current slide, the next slide, a timer
  var notesPanel = document.querySelector("[data-notes-panel]");
  function presenterShows() {
    if (!notesPanel || !nextFrame) return;
    var notes = slides[current].querySelector(".notes");
    notesPanel.textContent = "";
    if (slides[current].hasAttribute("data-cut")) {
      var cut = document.createElement("p");
      cut.className = "cut";
      cut.textContent = "This slide holds more than fits, even with its text at " + Math.round(MIN_FIT * 100) +
        " %: its end is cut off. Split it in two in the deck's file.";
      notesPanel.appendChild(cut);
    }
    if (notes) {
      Array.prototype.forEach.call(notes.childNodes, function (node) {
        if (!(node.classList && node.classList.contains("notes-label"))) notesPanel.appendChild(node.cloneNode(true));
      });
    } else {
      var none = document.createElement("p");
      none.className = "none";
      none.textContent = "No speaker notes for this slide.";
      notesPanel.appendChild(none);
    }
    notesPanel.scrollTop = 0;
    nextFrame.textContent = "";
    var next = slides[current + 1];
    if (next) {
      var copy = next.cloneNode(true);
      copy.removeAttribute("id");
      copy.classList.remove("current");
      copy.setAttribute("aria-hidden", "true");
      Array.prototype.forEach.call(copy.querySelectorAll("[id]"), function (e) { e.removeAttribute("id"); });
      Array.prototype.forEach.call(copy.querySelectorAll(".notes"), function (e) { e.parentNode.removeChild(e); });
      var fitted = next.getAttribute("data-fit"), body = copy.querySelector(".slide-body");
      if (body) {
        body.removeAttribute("style");
        if (fitted) body.style.setProperty("--fit", fitted);
        if (next.getAttribute("data-pic")) body.style.setProperty("--pic", next.getAttribute("data-pic"));
      }
      nextFrame.appendChild(copy);
    } else {
      var end = document.createElement("p");
      end.className = "end";
      end.textContent = "End of the deck";
      nextFrame.appendChild(end);
    }
  }

  // the notes' text size: A− and A+ step through these
  var NOTE_SIZES = [0.8, 1, 1.2, 1.45, 1.75, 2.1], noteSize = 1;
  each("[data-notes-size]", function (b) {
    b.addEventListener("click", function () {
      noteSize = Math.min(Math.max(noteSize + parseInt(b.getAttribute("data-notes-size"), 10), 0), NOTE_SIZES.length - 1);
      if (notesPanel) notesPanel.style.setProperty("--notes-scale", String(NOTE_SIZES[noteSize]));
    });
  });

  function startTimer() {
    var panel = document.querySelector(".presenter-panel");
    var box = document.querySelector(".timer");
    var elapsed = document.querySelector("[data-elapsed]");
    var clock = document.querySelector("[data-clock]");
    var pause = document.querySelector("[data-timer-pause]");
    var restart = document.querySelector("[data-timer-reset]");
    if (!panel || !box || !elapsed) return;
    panel.hidden = false;
    var started = Date.now(), pausedAt = null;
    function tick() {
      var s = Math.floor(((pausedAt || Date.now()) - started) / 1000);
      var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
      elapsed.textContent = (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s % 60);
      if (clock) {
        var d = new Date();
        clock.textContent = pad(d.getHours()) + ":" + pad(d.getMinutes());
      }
    }
    if (pause) pause.addEventListener("click", function () {
      if (pausedAt) { started += Date.now() - pausedAt; pausedAt = null; }
      else pausedAt = Date.now();
      pause.textContent = pausedAt ? "Resume" : "Pause";
      box.classList.toggle("paused", !!pausedAt);
      tick();
    });
    if (restart) restart.addEventListener("click", function () {
      started = Date.now();
      if (pausedAt) pausedAt = started;
      tick();
    });
    tick();
    window.setInterval(tick, 500);
  }

  // ---- moving
  function fromHash() {
    var n = parseInt((location.hash || "").replace(/^#(slide-)?/, ""), 10);
    return isNaN(n) ? 0 : Math.min(Math.max(n, 1), slides.length) - 1;
  }
  function show(i, told) {
    i = Math.min(Math.max(i, 0), slides.length - 1);
    if (i === current) return;
    var first = current < 0;
    current = i;
    slides.forEach(function (s, k) {
      s.classList.toggle("current", k === current);
      s.setAttribute("aria-hidden", k === current ? "false" : "true");
    });
    if (counter) counter.textContent = (current + 1) + " / " + slides.length;
    if (!first && location.hash !== "#" + (current + 1)) history.replaceState(null, "", "#" + (current + 1));
    if (presenter) presenterShows();
    if (told) tell(current + 1);
  }
  function go(step) { show(current + step, true); }

  function openPresenter() {
    var url = location.href.replace(/[?#].*$/, "") + "?presenter#" + (current + 1);
    var w = window.open(url, "liaison-presenter", "popup=yes,width=1200,height=760");
    if (w) peer = w;
    say(w ? "" : "The browser blocked the presenter's window: allow pop-ups for this site, then press p again.");
  }
  var status = document.querySelector("[data-status]");
  function say(text) { if (status) status.textContent = text; }

  // ---- keys help
  var help = document.getElementById("deck-help");
  var helpButton = document.querySelector("[data-help]");
  function toggleHelp(open) {
    if (!help) return;
    // closed (Esc, "?", Close) with the keyboard in it: the keyboard goes back to Keys, not
    // to the top of the page with the hidden list
    var inside = !open && help.contains(document.activeElement);
    help.hidden = !open;
    if (inside && helpButton) helpButton.focus();
    if (helpButton) helpButton.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { var close = help.querySelector("[data-help-close]"); if (close) close.focus(); }
  }
  if (helpButton) {
    helpButton.hidden = false;
    helpButton.addEventListener("click", function () { toggleHelp(help.hidden); });
  }
  each("[data-help-close]", function (b) {
    b.addEventListener("click", function () { toggleHelp(false); if (helpButton) helpButton.focus(); });
  });

  function fullScreen() {
    if (document.fullscreenElement) { if (document.exitFullscreen) document.exitFullscreen(); }
    else if (root.requestFullscreen) root.requestFullscreen().catch(function () { /* refused: stay */ });
  }

  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var k = e.key;
    var onControl = e.target && e.target.closest && e.target.closest("button, a, input, select, textarea");
    if (onControl && onControl.matches("input, select, textarea")) return;  // typing in the search box
    if (k === "Escape" && help && !help.hidden) { toggleHelp(false); return; }
    if ((k === " " || k === "Enter") && onControl) return;  // the control's own click
    if (k === "ArrowRight" || k === "ArrowDown" || k === "PageDown" || k === " " || k === "Enter") { go(1); e.preventDefault(); }
    else if (k === "ArrowLeft" || k === "ArrowUp" || k === "PageUp" || k === "Backspace") { go(-1); e.preventDefault(); }
    else if (k === "Home") { show(0, true); e.preventDefault(); }
    else if (k === "End") { show(slides.length - 1, true); e.preventDefault(); }
    else if ((k === "p" || k === "P") && !presenter) openPresenter();
    else if (k === "f" || k === "F") fullScreen();
    else if (k === "?") toggleHelp(help && help.hidden);
  });
  each("[data-go]", function (b) {
    b.addEventListener("click", function () { go(parseInt(b.getAttribute("data-go"), 10)); });
  });
  if (presenter && nextFrame) nextFrame.addEventListener("click", function () { go(1); });  // the preview moves on
  each("[data-presenter]", function (b) {
    if (presenter) return;
    b.hidden = false;
    b.addEventListener("click", openPresenter);
  });

  // ---- a sideways swipe on the slide moves one slide (not while the page is pinch-zoomed)
  var touch = null;
  stage.addEventListener("touchstart", function (e) {
    touch = e.touches.length === 1 ? { x: e.touches[0].clientX, y: e.touches[0].clientY } : null;
  }, { passive: true });
  stage.addEventListener("touchcancel", function () { touch = null; }, { passive: true });
  stage.addEventListener("touchend", function (e) {
    if (!touch || !e.changedTouches.length) return;
    var t = e.changedTouches[0], dx = t.clientX - touch.x, dy = t.clientY - touch.y;
    touch = null;
    if (window.visualViewport && window.visualViewport.scale > 1.01) return;
    if (Math.abs(dx) >= SWIPE && Math.abs(dx) > 1.5 * Math.abs(dy)) go(dx < 0 ? 1 : -1);
  }, { passive: true });

  window.addEventListener("hashchange", function () { show(fromHash(), true); });
  if (presenter) startTimer();
  show(fromHash(), false);
  scaleAll();
})();
