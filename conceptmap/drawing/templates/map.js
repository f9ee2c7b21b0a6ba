/* conceptmap page: draws the map with vis-network, and its legend, search,
 * details and session replay. All user text goes into the DOM as text nodes
 * (textContent), never as HTML, so no label or note can run script. */
(function () {
  "use strict";
  var OPS = { ADD_NODE: 0, UPDATE_NODE: 1, REMOVE_NODE: 2, ADD_EDGE: 3, REMOVE_EDGE: 4, META: 5 };
  var api = (window.conceptmap = { ready: false });
  var data;

  function $(id) { return document.getElementById(id); }

  /* Node ids and author names are the user's text. Keyed into a plain object, "constructor"
   * or "__proto__" would find Object.prototype's member instead of a missing entry: every
   * table keyed by them here has no prototype. vis-network 9.1.2 keeps plain objects keyed
   * by node id itself (its body and physics), so vis only ever sees visId(id): such a name
   * gets a leading U+2063 INVISIBLE SEPARATOR, as does an id that already starts with one
   * (so no two ids meet); mapId() takes it off again. */
  var MARK = "\u2063";
  function visId(id) {
    id = String(id);
    return id in Object.prototype || id.charAt(0) === MARK ? MARK + id : id;
  }
  function mapId(id) {
    id = String(id);
    return id.charAt(0) === MARK ? id.slice(1) : id;
  }
  function table(from) {
    var t = Object.create(null);
    if (from) Object.keys(from).forEach(function (k) { t[k] = from[k]; });
    return t;
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function when(iso) {
    return iso ? String(iso).replace("T", " ").replace(/\.\d+Z$/, " UTC") : "";
  }

  /* Data and vis-network come inlined: plain in a file, gzip+base64 in notebook
   * output (a third of the size). */
  function unpack(id) {
    var bytes = Uint8Array.from(atob($(id).textContent), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }

  function loadData() {
    var plain = $("cm-data");
    var text = plain ? Promise.resolve(plain.textContent) : unpack("cm-data-gz");
    return text.then(function (json) { data = api.data = JSON.parse(json); });
  }

  function loadVis() {
    if (window.vis) return Promise.resolve();
    return unpack("cm-vis-gz").then(function (code) { (0, eval)(code); });
  }

  /* a highlighted node gets a ring around its outline, as in the SVG (svg.HIGHLIGHT) */
  var RING = "#0550ae";
  function drawRings(network, nodes, ids, ctx) {
    ctx.save();
    ctx.strokeStyle = RING;
    ctx.lineWidth = 3.5;
    ids.forEach(function (id) {
      var n = nodes.get(id), b = n && !n.hidden && network.getBoundingBox(id);
      if (!b) return;
      var x = (b.left + b.right) / 2, y = (b.top + b.bottom) / 2;
      /* vis-network widens a box's bounding box by its corner radius */
      var round = n.shape === "box" ? n.shapeProperties.borderRadius : 0;
      var hw = (b.right - b.left) / 2 - round + 6, hh = (b.bottom - b.top) / 2 - round + 6;
      ctx.beginPath();
      if (n.shape === "ellipse" || n.shape === "circle") ctx.ellipse(x, y, hw, hh, 0, 0, 2 * Math.PI);
      else if (ctx.roundRect) ctx.roundRect(x - hw, y - hh, 2 * hw, 2 * hh, 10);
      else ctx.rect(x - hw, y - hh, 2 * hw, 2 * hh);
      ctx.stroke();
    });
    ctx.restore();
  }

  /* -- the first view -------------------------------------------------------
   * The whole map if it shows at a readable scale (labels of 11 px or more), else
   * a readable part of it: the highlighted nodes (what a notebook cell just added)
   * or the topic, with as much of the map around them as the frame holds. */
  function boxOf(network, ids) {
    var box = null;
    ids.forEach(function (id) {
      var b = network.getBoundingBox(id);
      if (!b) return;
      box = !box ? { left: b.left, top: b.top, right: b.right, bottom: b.bottom } : {
        left: Math.min(box.left, b.left), top: Math.min(box.top, b.top),
        right: Math.max(box.right, b.right), bottom: Math.max(box.bottom, b.bottom)
      };
    });
    return box;
  }

  /* where the view's centre goes on one axis: the focus, but not so far that the
   * view shows empty space beside a map larger than it */
  function centreOn(lo, hi, focusLo, focusHi, half) {
    if (hi - lo <= 2 * half) return (lo + hi) / 2;
    return Math.min(Math.max((focusLo + focusHi) / 2, lo + half), hi - half);
  }

  /* A notebook can lay the frame out after the page has started (an output scrolled
   * into view, a tab shown later): the first view waits for a size to fit. vis-network
   * observes the same resize, and first (its observer is older): it centres its view. */
  function whenSized(box, then) {
    if (box.clientWidth && box.clientHeight) { then(); return; }
    var watch = new ResizeObserver(function () {
      if (!box.clientWidth || !box.clientHeight) return;
      watch.disconnect();
      then();
    });
    watch.observe(box);
  }

  /* the box around as many of the nodes ``ids`` as a view of vw x vh holds */
  function mostOf(network, ids, vw, vh) {
    var best = null, most = 0;
    ids.forEach(function (id) {
      var a = network.getBoundingBox(id);
      if (!a) return;
      var ax = (a.left + a.right) / 2, ay = (a.top + a.bottom) / 2;
      var near = ids.filter(function (other) {
        var b = network.getBoundingBox(other);
        return b && Math.abs((b.left + b.right) / 2 - ax) <= vw / 2 &&
          Math.abs((b.top + b.bottom) / 2 - ay) <= vh / 2;
      });
      var box = boxOf(network, near);
      if (box.right - box.left > vw || box.bottom - box.top > vh) { near = [id]; box = a; }
      if (near.length > most) { most = near.length; best = box; }
    });
    return best;
  }

  function firstView(network, nodes, marked, readable) {
    var frame = $("cm-network"), pad = 16;
    var w = frame.clientWidth - 2 * pad, h = frame.clientHeight - 2 * pad;
    network.redraw(); /* every node measures its label: the boxes below are real */
    var all = boxOf(network, nodes.getIds({ filter: function (n) { return !n.hidden; } }));
    if (!all || w <= 0 || h <= 0) { network.fit({ animation: false }); return; }
    function fit(b) {
      return Math.min(w / Math.max(b.right - b.left, 1), h / Math.max(b.bottom - b.top, 1), 1);
    }
    var scale = Math.max(fit(all), readable), focus = all;
    var topic = nodes.getIds({ filter: function (n) { return n.kind === "topic" && !n.hidden; } });
    var hl = boxOf(network, marked);
    if (hl) {
      if (fit(hl) < scale) scale = Math.max(fit(hl), readable);
      focus = mostOf(network, marked, w / scale, h / scale);
    } else if (fit(all) < scale && topic.length) {
      focus = boxOf(network, topic.slice(0, 1));
    }
    network.moveTo({
      position: {
        x: centreOn(all.left, all.right, focus.left, focus.right, (w / 2 + pad) / scale),
        y: centreOn(all.top, all.bottom, focus.top, focus.bottom, (h / 2 + pad) / scale)
      },
      scale: scale, animation: false
    });
  }

  /* -- the wheel in a notebook ----------------------------------------------------
   * The page is one output among many there: the wheel scrolls the notebook until the
   * user clicks into the map (or holds Ctrl / ⌘, as a trackpad's pinch does). */
  function wheelOnlyWhenActive(box) {
    var hint = $("cm-hint"), active = false, timer = null;
    box.addEventListener("pointerdown", function () { active = true; hint.hidden = true; }, true);
    window.addEventListener("blur", function () { active = false; });
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") active = false; });
    box.addEventListener("wheel", function (ev) {
      if (active || ev.ctrlKey || ev.metaKey) return;
      ev.stopPropagation(); /* vis-network never sees it; the page around scrolls */
      hint.hidden = false;
      clearTimeout(timer);
      timer = setTimeout(function () { hint.hidden = true; }, 1500);
    }, true);
  }

  function start() {
    var kinds = data.kinds, authors = table(data.authors), positions = table(data.positions);
    var hiddenKinds = table();
    var colourBy = "kind";
    var byId = table();
    data.nodes.forEach(function (n) { byId[n.id] = n; });
    var large = data.nodes.length > data.large;
    /* a large map's labels show from this size on screen (px); smaller, shapes only */
    var LABEL_PX = 6;

    /* each kind's outline (shape, corners, line width and dashes) comes from Python's
     * KIND_STYLES, so kinds differ in shape as well as colour */
    /* a node's colours and outline width: by kind, or its author's colour around it */
    function look(kind, author) {
      var s = kinds[kind], byAuthor = colourBy === "author" && authors[author];
      var width = byAuthor ? Math.max(s.border_width, 3) : s.border_width;
      return {
        color: { background: s.color, border: byAuthor || s.border,
                 highlight: { background: s.color, border: "#111" } },
        borderWidth: width,
        borderWidthSelected: width + 1.5
      };
    }

    function nodeView(id, label, kind, author) {
      var s = kinds[kind], style = look(kind, author);
      var view = {
        id: visId(id), label: label, kind: kind, author: author, shape: s.shape,
        hidden: !!hiddenKinds[kind],
        color: style.color,
        borderWidth: style.borderWidth,
        borderWidthSelected: style.borderWidthSelected,
        shapeProperties: { borderDashes: s.dashes.length ? s.dashes : false, borderRadius: s.radius },
        font: { size: s.font_size, color: s.text },
        widthConstraint: { maximum: kind === "topic" ? 320 : 200 }
      };
      var p = positions[id];
      if (p) { view.x = p[0]; view.y = p[1]; }
      return view;
    }

    function edgeView(id, from, to, label) {
      /* a large map's 10,000 link labels would be laid out on every draw, unreadable
       * at that zoom anyway: there the details panel names each link */
      return { id: id, from: visId(from), to: visId(to), label: large ? undefined : label, text: label };
    }

    var nodes = new vis.DataSet(), edges = new vis.DataSet();
    var options = {
      autoResize: true,
      /* Positions come from Python (m.positions()): stable and apart already, the same
       * in every view of the map. Nothing here moves a node; the user may drag one. */
      physics: false,
      layout: { improvedLayout: false, randomSeed: 1 },
      interaction: { hover: !large, tooltipDelay: 300, hideEdgesOnDrag: large },
      nodes: { margin: 8, scaling: { label: { drawThreshold: large ? LABEL_PX : 2 } } },
      edges: {
        arrows: { to: { enabled: true, scaleFactor: 0.6 } },
        color: { color: "#8c959f", highlight: "#111", inherit: false },
        font: { size: 11, color: "#57606a", strokeWidth: 3, align: "middle" },
        smooth: large ? false : { type: "continuous", roundness: 0.2 },
        scaling: { label: { drawThreshold: large ? LABEL_PX : 3 } }
      }
    };
    /* the full map goes in before the network exists: one layout pass, one draw */
    nodes.add(data.nodes.map(function (n) { return nodeView(n.id, n.label, n.kind, n.author); }));
    edges.add(data.edges.map(function (e) { return edgeView(e[0], e[1], e[2], e[3]); }));
    var network = new vis.Network($("cm-network"), { nodes: nodes, edges: edges }, options);
    api.network = network; api.nodes = nodes; api.edges = edges;
    /* a large map is drawn by conceptmapFast (bigmap.js): what is out of view skipped,
     * and shapes and links by the path while labels are too small to read */
    api.fast = large && conceptmapFast.install(network, {
      fontSize: Math.min.apply(null, Object.keys(kinds).map(function (k) { return kinds[k].font_size; })),
      labelPx: LABEL_PX - 1 /* vis-network draws a label from drawThreshold - 1 px */
    });
    /* what search and the details panel look through, made again after a replay step */
    var index = null;

    /* -- the state after the first k operations -------------------------- */
    function stateAt(k) {
      var ns = table(), es = table();
      for (var i = 0; i < k; i++) {
        var op = data.ops[i];
        switch (op[0]) {
          case OPS.ADD_NODE: ns[op[3]] = { label: op[4], kind: op[5], author: op[1] }; break;
          case OPS.UPDATE_NODE:
            if (ns[op[3]]) {
              if (op[4] !== null) ns[op[3]].label = op[4];
              if (op[5] !== null) ns[op[3]].kind = op[5];
            }
            break;
          case OPS.REMOVE_NODE:
            delete ns[op[3]];
            for (var e in es) if (es[e].from === op[3] || es[e].to === op[3]) delete es[e];
            break;
          case OPS.ADD_EDGE: es[op[3]] = { from: op[4], to: op[5], label: op[6] }; break;
          case OPS.REMOVE_EDGE: delete es[op[3]]; break;
        }
      }
      return { nodes: ns, edges: es };
    }

    var step = data.ops.length;
    function render(k) {
      step = k;
      var full = k === data.ops.length;
      var ns = [], es = [];
      if (full) {
        data.nodes.forEach(function (n) { ns.push(nodeView(n.id, n.label, n.kind, n.author)); });
        data.edges.forEach(function (e) { es.push(edgeView(e[0], e[1], e[2], e[3])); });
      } else {
        var st = stateAt(k);
        Object.keys(st.nodes).forEach(function (id) {
          var n = st.nodes[id];
          ns.push(nodeView(id, n.label, n.kind, data.people[n.author]));
        });
        Object.keys(st.edges).forEach(function (id) {
          var e = st.edges[id];
          es.push(edgeView(Number(id), e.from, e.to, e.label));
        });
      }
      var keepN = table(), keepE = table(), drawn = table();
      nodes.getIds().forEach(function (id) { drawn[id] = 1; });
      ns.forEach(function (n) {
        keepN[n.id] = 1;
        /* a node already drawn stays where it is (where the user dragged it, too) */
        if (drawn[n.id]) { delete n.x; delete n.y; }
      });
      es.forEach(function (e) { keepE[e.id] = 1; });
      nodes.remove(nodes.getIds().filter(function (id) { return !keepN[id]; }));
      edges.remove(edges.getIds().filter(function (id) { return !keepE[id]; }));
      nodes.update(ns);
      edges.update(es);
      index = null;
      stepText(k);
      $("cm-step").value = String(k);
    }

    function stepText(k) {
      var text;
      if (k === 0) text = "before anything was added";
      else {
        var op = data.ops[k - 1], who = data.people[op[1]];
        var words = ["added", "changed", "removed", "linked", "unlinked", "set metadata"][op[0]];
        var what = "";
        if (op[0] === OPS.ADD_NODE) what = " " + op[5] + " “" + op[4] + "”";
        else if (op[0] !== OPS.META) what = " " + subjects[k - 1];
        text = "step " + k + " of " + data.ops.length + ": " + who + " " + words + what + ", " + when(op[2]);
      }
      $("cm-step-text").textContent = text;
    }

    /* what each operation was about, in the words of its moment (labels change) */
    var subjects = (function () {
      var labels = table(), edgeEnds = table();
      return data.ops.map(function (op) {
        var t = op[0], said = "";
        if (t === OPS.ADD_NODE) labels[op[3]] = op[4];
        if (t === OPS.UPDATE_NODE || t === OPS.REMOVE_NODE) said = "“" + (labels[op[3]] || op[3]) + "”";
        if (t === OPS.UPDATE_NODE && op[4] !== null) { said += " → “" + op[4] + "”"; labels[op[3]] = op[4]; }
        if (t === OPS.UPDATE_NODE && op[5] !== null) said += " (now a " + op[5] + ")";
        if (t === OPS.ADD_EDGE) edgeEnds[op[3]] = [op[4], op[5], op[6]];
        if (t === OPS.ADD_EDGE || t === OPS.REMOVE_EDGE) {
          var end = edgeEnds[op[3]] || ["?", "?", ""];
          said = "“" + (labels[end[0]] || end[0]) + "” —" + end[2] + "→ “" + (labels[end[1]] || end[1]) + "”";
        }
        return said;
      });
    })();

    function byLabel(id) {
      var n = nodes.get(visId(id)) || byId[id];
      return n ? n.label : id;
    }

    api.showStep = render;
    $("cm-step").addEventListener("input", function (ev) { render(Number(ev.target.value)); });

    /* -- legend: one button per kind present, toggling it; its swatch has the
     * kind's shape, outline and colour, drawn with CSS (the page holds no <svg>) ---- */
    function swatch(s) {
      var sw = el("span", null, "cm-swatch");
      sw.style.background = s.color;
      sw.style.borderColor = s.border;
      sw.style.borderWidth = (0.8 + s.border_width * 0.4).toFixed(1) + "px";
      sw.style.borderStyle = !s.dashes.length ? "solid" : s.dashes[0] <= 2 ? "dotted" : "dashed";
      sw.style.borderRadius = s.shape === "box" ? Math.min(s.radius / 2, 7) + "px" : "50%";
      return sw;
    }

    var legend = $("cm-legend");
    Object.keys(kinds).forEach(function (kind) {
      var s = kinds[kind];
      if (!s.count) return;
      var b = el("button");
      b.type = "button";
      b.dataset.kind = kind;
      b.setAttribute("aria-pressed", "true");
      b.appendChild(swatch(s));
      b.appendChild(document.createTextNode(s.legend + " " + s.count));
      b.addEventListener("click", function () { toggleKind(kind); });
      legend.appendChild(b);
    });

    function toggleKind(kind, show) {
      var hide = show === undefined ? !hiddenKinds[kind] : !show;
      hiddenKinds[kind] = hide;
      var button = legend.querySelector('button[data-kind="' + kind + '"]');
      if (button) button.setAttribute("aria-pressed", hide ? "false" : "true");
      conceptmapFast.setHidden(network, nodes, nodes.getIds({ filter: function (n) { return n.kind === kind; } }), hide);
    }
    api.toggleKind = toggleKind;

    $("cm-colour").addEventListener("change", function (ev) {
      colourBy = ev.target.value;
      /* colours and outlines only, in place: labels, places and links stay */
      conceptmapFast.restyle(network, nodes, nodes.get().map(function (n) {
        var style = look(n.kind, n.author);
        style.id = n.id;
        return style;
      }));
    });

    /* -- details of a node: its text, who added it, its links ------------------ */
    function showDetails(id) {
      var n = byId[id], seen = visId(id), live = nodes.get(seen);
      if (!live) return;
      var body = $("cm-details-body");
      body.textContent = "";
      body.appendChild(el("div", kinds[live.kind] ? live.kind : "", "cm-kind"));
      body.appendChild(el("h2", live.label));
      if (n && n.notes) body.appendChild(el("div", n.notes, "cm-notes"));
      if (n && n.url && /^https?:\/\//i.test(n.url)) {
        var p = el("p"), a = el("a", n.url);
        a.href = n.url; a.rel = "noopener noreferrer"; a.target = "_blank";
        p.appendChild(a); body.appendChild(p);
      }
      if (n && n.tags && n.tags.length) body.appendChild(el("p", "tags: " + n.tags.join(", "), "cm-meta"));
      var who = n ? "added by " + n.author + ", " + when(n.created) : "added by " + live.author;
      if (n && n.updated) who += "; changed " + when(n.updated);
      body.appendChild(el("p", who, "cm-meta"));
      var out = el("ul"), inn = el("ul");
      (lookup().links[seen] || []).forEach(function (e) {
        if (e.from === seen) out.appendChild(linkItem(e.text, mapId(e.to), "→ "));
        if (e.to === seen) inn.appendChild(linkItem(e.text, mapId(e.from), "← "));
      });
      if (out.childNodes.length) { body.appendChild(el("div", "Links from here", "cm-meta")); body.appendChild(out); }
      if (inn.childNodes.length) { body.appendChild(el("div", "Links to here", "cm-meta")); body.appendChild(inn); }
      $("cm-details").hidden = false;
    }

    function linkItem(label, other, arrow) {
      var li = el("li", arrow + label + " ");
      var a = el("a", byLabel(other));
      a.tabIndex = 0;
      a.addEventListener("click", function () { focusNode(other); });
      li.appendChild(a);
      return li;
    }

    function focusNode(id) {
      var n = nodes.get(visId(id));
      if (!n) return false;
      if (n.hidden) toggleKind(n.kind, true);
      network.selectNodes([n.id]);
      network.focus(n.id, { scale: Math.max(network.getScale(), 1), animation: false });
      showDetails(id);
      return true;
    }
    api.focusNode = focusNode;

    network.on("click", function (params) {
      if (params.nodes.length) showDetails(mapId(params.nodes[0]));
      else $("cm-details").hidden = true;
    });
    $("cm-details-close").addEventListener("click", function () { $("cm-details").hidden = true; });

    /* what search and details look through, for the nodes and links drawn now: each
     * node's label and notes in lower case, and each node's links (in, out, in order) */
    function lookup() {
      if (index) return index;
      var texts = [], links = table();
      nodes.forEach(function (n) {
        var full = byId[mapId(n.id)];
        var notes = full && full.notes && full.notes.toLowerCase();
        texts.push([n.id, n.label.toLowerCase(), notes || ""]);
      });
      edges.forEach(function (e) {
        (links[e.from] = links[e.from] || []).push(e);
        if (e.to !== e.from) (links[e.to] = links[e.to] || []).push(e);
      });
      index = { texts: texts, links: links };
      return index;
    }

    /* -- search: labels and notes, case-insensitive ---------------------------- */
    function search(query) {
      var q = query.trim().toLowerCase(), results = $("cm-results");
      results.textContent = "";
      if (!q) { results.hidden = true; $("cm-search-count").textContent = ""; return []; }
      var found = [];
      lookup().texts.forEach(function (t) {
        if (t[1].indexOf(q) >= 0 || t[2].indexOf(q) >= 0) found.push(mapId(t[0]));
      });
      $("cm-search-count").textContent = found.length + (found.length === 1 ? " match" : " matches");
      found.slice(0, 30).forEach(function (id) {
        var li = el("li"), a = el("a", byLabel(id));
        a.addEventListener("click", function () { focusNode(id); });
        li.appendChild(a); results.appendChild(li);
      });
      results.hidden = found.length < 2;
      if (found.length) focusNode(found[0]);
      return found;
    }
    api.search = search;
    /* typing searches once the keys rest for 80 ms: a search takes tens of ms, even
     * on a 5,000-node map, so a result shows within 200 ms of the last key */
    var pending = null;
    $("cm-search").addEventListener("input", function (ev) {
      clearTimeout(pending);
      pending = setTimeout(function () { search(ev.target.value); }, 80);
    });
    $("cm-search").addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { clearTimeout(pending); search(ev.target.value); }
    });

    /* the nodes a notebook cell just added: a ring each, and a word in the legend */
    var markedIds = (data.highlight || []).filter(function (id) { return byId[id]; }).map(visId);
    if (markedIds.length) {
      var chip = el("span", null, "cm-marked");
      chip.appendChild(el("span", null, "cm-swatch"));
      chip.appendChild(document.createTextNode("highlighted " + markedIds.length));
      legend.appendChild(chip);
      network.on("beforeDrawing", function (ctx) { drawRings(network, nodes, markedIds, ctx); });
    }

    stepText(data.ops.length); /* before the first view: it sets the replay bar's height */
    if (document.body.classList.contains("embedded")) wheelOnlyWhenActive($("cm-network"));
    whenSized($("cm-network"), function () {
      firstView(network, nodes, markedIds, large ? 0 : data.readable);
      network.once("afterDrawing", function () {
        api.ready = true;
        api.readyAt = performance.now();
        document.body.dataset.ready = "1";
      });
      network.redraw();
    });
  }

  Promise.all([loadData(), loadVis()]).then(start).catch(function (err) {
    document.body.dataset.error = String(err);
    $("cm-network").textContent = "The map could not be drawn: " + err;
  });
})();
