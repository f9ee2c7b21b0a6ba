/* conceptmap atlas, on a map page: focus the node a link names (map.html#node=ID)
 * and, on the meeting map, go from a session's node to its page. Runs after the
 * map's own script; waits until the map is drawn. */
(function () {
  "use strict";
  var PAGES = /*PAGES*/null;
  var MARK = "\u2063"; /* map.js marks some vis ids with it; see visId there */
  function mapId(id) { id = String(id); return id.charAt(0) === MARK ? id.slice(1) : id; }
  function whenReady(then) {
    if (document.body.dataset.ready === "1") { then(); return; }
    if (document.body.dataset.error) return;
    var watch = new MutationObserver(function () {
      if (document.body.dataset.ready !== "1") return;
      watch.disconnect();
      then();
    });
    watch.observe(document.body, { attributes: true, attributeFilter: ["data-ready"] });
  }
  function focusFromHash() {
    var m = /^#node=(.+)$/.exec(location.hash), id;
    if (!m) return false;
    try { id = decodeURIComponent(m[1]); } catch (e) { return false; }
    return window.conceptmap.focusNode(id);
  }
  whenReady(function () {
    var api = window.conceptmap;
    focusFromHash();
    window.addEventListener("hashchange", focusFromHash);
    if (!PAGES) return;
    function page(params) {
      var id = params.nodes.length ? mapId(params.nodes[0]) : null;
      return id !== null && Object.prototype.hasOwnProperty.call(PAGES, id) ? PAGES[id] : null;
    }
    api.network.on("click", function (params) {
      var href = page(params), body = document.getElementById("cm-details-body");
      if (!href || !body) return;
      var p = document.createElement("p"), a = document.createElement("a");
      a.href = href; a.textContent = "Open this session's map →"; a.className = "atlas-open-session";
      p.appendChild(a); body.insertBefore(p, body.firstChild);
    });
    api.network.on("doubleClick", function (params) {
      var href = page(params);
      if (href) location.href = href;
    });
  });
})();
