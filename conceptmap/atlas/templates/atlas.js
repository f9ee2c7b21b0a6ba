/* conceptmap atlas: sorting and filtering the index, searching every session.
 * User text goes into the page as text nodes (textContent), never as HTML. */
(function () {
  "use strict";
  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  var api = (window.conceptmapAtlas = {});

  /* -- the index: sort by a card's data-* value, filter by its text -------- */
  function setUpIndex(list) {
    var cards = Array.prototype.slice.call(list.children);
    var texts = cards.map(function (c) { return c.textContent.toLowerCase(); });
    var numeric = { size: true, open: true };
    function sort(key, order) {
      var sign = order === "desc" ? -1 : 1;
      var sorted = cards.slice().sort(function (a, b) {
        var x = a.dataset[key], y = b.dataset[key], d;
        if (numeric[key]) d = Number(x) - Number(y);
        else d = x < y ? -1 : x > y ? 1 : 0;
        return sign * d || Number(a.dataset.position) - Number(b.dataset.position);
      });
      sorted.forEach(function (c) { list.appendChild(c); });
      return sorted.map(function (c) { return c.id; });
    }
    function filter(query) {
      var q = query.trim().toLowerCase(), shown = 0;
      cards.forEach(function (c, i) {
        c.hidden = !!q && texts[i].indexOf(q) < 0;
        if (!c.hidden) shown += 1;
      });
      $("atlas-shown").textContent = q ? shown + " of " + cards.length + " sessions" : "";
      $("atlas-search-all").href = "search.html" + (q ? "?q=" + encodeURIComponent(q) : "");
      return shown;
    }
    var select = $("atlas-sort"), order = $("atlas-order");
    function apply() { return sort(select.value, order.dataset.order); }
    select.addEventListener("change", apply);
    order.addEventListener("click", function () {
      var desc = order.dataset.order !== "desc";
      order.dataset.order = desc ? "desc" : "asc";
      order.textContent = desc ? "↓ descending" : "↑ ascending";
      apply();
    });
    $("atlas-filter").addEventListener("input", function (ev) { filter(ev.target.value); });
    api.sort = function (key, desc) {
      select.value = key;
      order.dataset.order = desc ? "desc" : "asc";
      return apply();
    };
    api.filter = filter;
  }

  /* -- search: every label and note of every session (assets/search-index.js) -- */
  function setUpSearch(box, index) {
    var rows = index.nodes.map(function (n) {
      return (n[2] + "\n" + n[4]).toLowerCase();
    });
    var LIMIT = 200;
    function snippet(notes, q) {
      var at = notes.toLowerCase().indexOf(q);
      if (at < 0) return "";
      var start = Math.max(0, at - 60);
      return (start ? "…" : "") + notes.slice(start, at + q.length + 80) + "…";
    }
    function search(query) {
      var q = query.trim().toLowerCase(), out = $("atlas-results");
      out.textContent = "";
      if (!q) { $("atlas-found").textContent = ""; return []; }
      var found = [];
      rows.forEach(function (text, i) { if (text.indexOf(q) >= 0) found.push(index.nodes[i]); });
      $("atlas-found").textContent = found.length + (found.length === 1 ? " match" : " matches") +
        (found.length > LIMIT ? " (the first " + LIMIT + " shown)" : "");
      found.slice(0, LIMIT).forEach(function (n) {
        var session = index.sessions[n[0]];
        var li = el("li"), a = el("a", n[2]);
        a.href = "sessions/" + encodeURIComponent(session[0]) + "/map.html#node=" + encodeURIComponent(n[1]);
        li.appendChild(el("span", n[3], "atlas-kind"));
        li.appendChild(a);
        li.appendChild(el("span", session[1], "atlas-in"));
        var more = snippet(n[4], q);
        if (more) li.appendChild(el("div", more, "atlas-snippet"));
        out.appendChild(li);
      });
      return found.map(function (n) { return [index.sessions[n[0]][0], n[1]]; });
    }
    api.search = search;
    var pending = null;
    box.addEventListener("input", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { search(box.value); }, 120);
    });
    var q = new URLSearchParams(location.search).get("q");
    if (q) { box.value = q; search(q); }
  }

  if ($("atlas-cards")) setUpIndex($("atlas-cards"));
  if ($("atlas-q") && window.conceptmapAtlasIndex) setUpSearch($("atlas-q"), window.conceptmapAtlasIndex);
  document.body.dataset.ready = "1";
})();
