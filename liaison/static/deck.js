/* Liaison deck viewer: arrow keys, space and page keys move between slides; "n" shows the
   speaker notes; the address (#5) names the slide, so a slide can be linked to. */
(function () {
  "use strict";
  var root = document.documentElement;
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  if (!slides.length) return;
  root.classList.add("js");
  var counter = document.querySelector("[data-counter]");
  var current = 0;
  function fromHash() {
    var n = parseInt((location.hash || "").replace(/^#(slide-)?/, ""), 10);
    return isNaN(n) ? 0 : Math.min(Math.max(n, 1), slides.length) - 1;
  }
  function show(i, push) {
    current = Math.min(Math.max(i, 0), slides.length - 1);
    slides.forEach(function (s, k) { s.classList.toggle("current", k === current); s.setAttribute("aria-hidden", k === current ? "false" : "true"); });
    if (counter) counter.textContent = (current + 1) + " / " + slides.length;
    var hash = "#" + (current + 1);
    if (push && location.hash !== hash) history.replaceState(null, "", hash);
  }
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var k = e.key;
    if (k === "ArrowRight" || k === "ArrowDown" || k === "PageDown" || k === " " || k === "Enter") { show(current + 1, true); e.preventDefault(); }
    else if (k === "ArrowLeft" || k === "ArrowUp" || k === "PageUp" || k === "Backspace") { show(current - 1, true); e.preventDefault(); }
    else if (k === "Home") { show(0, true); e.preventDefault(); }
    else if (k === "End") { show(slides.length - 1, true); e.preventDefault(); }
    else if (k === "n" || k === "N") { root.classList.toggle("show-notes"); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-go]"), function (b) {
    b.addEventListener("click", function () { show(current + parseInt(b.getAttribute("data-go"), 10), true); });
  });
  var toggle = document.querySelector("[data-notes]");
  if (toggle) toggle.addEventListener("click", function () { root.classList.toggle("show-notes"); });
  window.addEventListener("hashchange", function () { show(fromHash(), false); });
  show(fromHash(), false);
})();
