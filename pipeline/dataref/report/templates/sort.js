document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th.sortable").forEach(function (th, column) {
    th.addEventListener("click", function () {
      var down = th.getAttribute("aria-sort") === "ascending";
      table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", down ? "descending" : "ascending");
      var body = table.tBodies[0];
      var key = function (row) {
        var cell = row.cells[column];
        var value = cell.getAttribute("data-value");
        return value !== null && value !== "" && !isNaN(value) ? parseFloat(value) : cell.textContent.trim().toLowerCase();
      };
      Array.from(body.rows).sort(function (a, b) {
        var x = key(a), y = key(b);
        var order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return down ? -order : order;
      }).forEach(function (row) { body.appendChild(row); });
      var page = parseInt(table.getAttribute("data-page") || "0", 10), box = document.getElementById("search");
      if (page) {  // the first page is the first rows in the new order
        Array.from(body.rows).forEach(function (row, i) { row.classList.toggle("more", i >= page); });
        if (box) { box.dispatchEvent(new Event("input")); }
      }
    });
  });
});
// The search box keeps the rows of both tables whose text holds every word typed; with no words, the
// datasets table shows its first page again (unless "Show all" was pressed) and the papers list its state.
(function () {
  var box = document.getElementById("search"), count = document.getElementById("search-count");
  var datasets = document.getElementById("datasets-table"), list = document.getElementById("papers-list");
  var more = document.getElementById("show-all"), all = false;
  if (!box || !datasets) { return; }
  var wasOpen = list ? list.open : false;
  var rows = function (id) {
    var table = document.getElementById(id);
    return table ? Array.from(table.tBodies[0].rows) : [];
  };
  var apply = function () {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean), found = 0;
    rows("datasets-table").concat(rows("papers-table")).forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var hit = words.every(function (word) { return text.indexOf(word) >= 0; });
      var paged = !words.length && !all && row.classList.contains("more");
      row.hidden = !hit || paged;
      if (hit && words.length) { found += 1; }
    });
    count.textContent = words.length ? found + " row" + (found === 1 ? "" : "s") + " found" : "";
    if (list) { list.open = words.length ? true : wasOpen; }
  };
  box.addEventListener("input", apply);
  if (more) {
    more.addEventListener("click", function () { all = true; more.hidden = true; apply(); });
  }
  if (list) { list.addEventListener("toggle", function () { if (!box.value.trim()) { wasOpen = list.open; } }); }
})();
document.documentElement.setAttribute("data-sortable", "ready");
