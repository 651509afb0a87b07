/* Liaison: filter-by-typing and sort-by-column for tables marked data-table.
   No network, no framework; the data rides in the page. */
(function () {
  "use strict";
  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var v = cell.getAttribute("data-value");
    return v !== null ? v : cell.textContent.trim().toLowerCase();
  }
  function setupTable(table) {
    var body = table.tBodies[0];
    if (!body) return;
    var rows = Array.prototype.slice.call(body.rows);
    var input = document.querySelector('input[data-filter="' + table.id + '"]');
    var count = document.querySelector('[data-count="' + table.id + '"]');
    var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
    function filter() {
      var terms = (input ? input.value : "").toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row, i) {
        var ok = terms.every(function (t) { return texts[i].indexOf(t) !== -1; });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = shown + " of " + rows.length;
    }
    if (input) {
      input.addEventListener("input", filter);
      filter();
    }
    Array.prototype.forEach.call(table.tHead ? table.tHead.rows[0].cells : [], function (th, index) {
      if (!th.hasAttribute("data-sort")) return;
      th.tabIndex = 0;
      function sort() {
        var numeric = th.getAttribute("data-sort") === "num";
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var order = rows.map(function (r, i) { return [cellValue(r, index), i]; });
        order.sort(function (a, b) {
          var x = a[0], y = b[0], d;
          if (numeric) {
            x = x === "" ? -Infinity : parseFloat(x);
            y = y === "" ? -Infinity : parseFloat(y);
            d = x - y;
          } else {
            d = x < y ? -1 : x > y ? 1 : 0;
          }
          return (asc ? d : -d) || a[1] - b[1];
        });
        var frag = document.createDocumentFragment();
        order.forEach(function (o) { frag.appendChild(rows[o[1]]); });
        body.appendChild(frag);
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-table]"), setupTable);
  });
})();
