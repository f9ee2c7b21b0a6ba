/* conceptmap page, large maps: drawing and changing thousands of nodes fast.
 *
 * vis-network draws every node on its own (its options read, its label measured, its
 * border dashed) and every link and arrow, in view or not: 0.1 ms a node, so a 5,000-
 * node map took 300 ms a frame. Toggling a kind or recolouring through its DataSet re-
 * reads every node's options and re-checks every link: half a second to seconds.
 *
 * install() takes over three steps of its renderer (vis-network 9.1.2, as pyvis bundles
 * it; another version keeps vis-network's own drawing, and conceptmap.fast says false):
 * what is out of view is skipped; nodes are drawn as a few paths per look (fill,
 * outline), then their labels, as long as they are large enough to read and do not
 * overlap one drawn already; links as a few paths of lines, arrows as a few more. A tiny
 * node is a box. Selected and hovered nodes and links are still drawn by vis-network,
 * on top, as before.
 *
 * setHidden() and restyle() change nodes in place: the DataSet gets the same change with
 * vis-network not listening, and the network only recounts what is visible. */
(function () {
  "use strict";
  var MARGIN = 20; /* px around the view that still counts as in view */
  /* Skia fills and strokes a path of thousands of shapes in time that grows faster than
   * their number (seconds for 15,000 arrows in one path): a path holds this many at most */
  var SHAPES = 50, LINES = 200;
  /* a node less tall than this on screen is drawn as a box: its outline, then its fill */
  var TINY_PX = 8;
  /* arrow heads shorter than this on screen are not drawn: specks that cost as much */
  var ARROW_PX = 4;
  /* A label that would overlap one already drawn is left out (zooming in shows it), as
   * a map leaves out names that would collide: in a dense part of a large map thousands
   * of labels piled up can neither be read nor drawn in time. Drawn labels are looked
   * up in square buckets of this size (px). */
  var CELL_PX = 64;

  function usable(network) {
    var r = network && network.renderer, body = network && network.body;
    return !!(r && body && body.nodes && body.edges && r.canvas &&
      typeof r._drawNodes === "function" && typeof r._drawEdges === "function" &&
      typeof r._drawArrows === "function" && typeof r.canvas.DOMtoCanvas === "function");
  }

  /* the part of the map in view, in map coordinates */
  function viewBox(r) {
    var c = r.canvas, el = c.frame.canvas;
    var a = c.DOMtoCanvas({ x: -MARGIN, y: -MARGIN });
    var b = c.DOMtoCanvas({ x: el.clientWidth + MARGIN, y: el.clientHeight + MARGIN });
    return { left: a.x, top: a.y, right: b.x, bottom: b.y };
  }

  function crosses(box, f, t) {
    return !(Math.max(f.x, t.x) < box.left || Math.min(f.x, t.x) > box.right ||
      Math.max(f.y, t.y) < box.top || Math.min(f.y, t.y) > box.bottom);
  }

  /* the links in view; those vis-network draws itself (selected, hovered, loops) apart */
  function linksInView(body, box, special) {
    var out = [], ids = body.edgeIndices, edges = body.edges;
    for (var i = 0; i < ids.length; i++) {
      var e = edges[ids[i]];
      if (!e || e.connected !== true || !crosses(box, e.from, e.to)) continue;
      if (e.selected || e.hover || e.from === e.to) special.push(e);
      else out.push(e);
    }
    return out;
  }

  /* how far from a node's centre its outline is, towards (dx, dy) of length 1 */
  function toBorder(n, dx, dy) {
    var hw = (n.shape.width || 0) / 2, hh = (n.shape.height || 0) / 2;
    if (n.options.shape === "ellipse" || n.options.shape === "circle") {
      if (!hw || !hh) return 0;
      return hw * hh / Math.sqrt(hh * hh * dx * dx + hw * hw * dy * dy);
    }
    return Math.min(dx ? Math.abs(hw / dx) : Infinity, dy ? Math.abs(hh / dy) : Infinity);
  }

  /* one arrow head as vis-network's "arrow" draws it, its tip on the outline of ``t`` */
  function arrowHead(ctx, f, t, size) {
    var dx = t.x - f.x, dy = t.y - f.y, len = Math.sqrt(dx * dx + dy * dy);
    if (!len) return;
    dx /= len; dy /= len;
    var back = toBorder(t, dx, dy) + t.options.borderWidth;
    var x = t.x - dx * back, y = t.y - dy * back, w = 0.3 * size;
    ctx.moveTo(x, y);
    ctx.lineTo(x - dx * size - dy * w, y - dy * size + dx * w);
    ctx.lineTo(x - dx * 0.9 * size, y - dy * 0.9 * size);
    ctx.lineTo(x - dx * size + dy * w, y - dy * size - dx * w);
    ctx.closePath();
  }

  /* a node's outline added to a path */
  function outline(p, n) {
    var hw = n.shape.width / 2, hh = n.shape.height / 2, o = n.options;
    if (o.shape === "ellipse" || o.shape === "circle") {
      p.moveTo(n.x + hw, n.y);
      p.ellipse(n.x, n.y, hw, hh, 0, 0, 2 * Math.PI);
    } else if (p.roundRect && o.shapeProperties.borderRadius) {
      p.roundRect(n.x - hw, n.y - hh, 2 * hw, 2 * hh, o.shapeProperties.borderRadius);
    } else {
      p.rect(n.x - hw, n.y - hh, 2 * hw, 2 * hh);
    }
  }

  /* nodes of one look (fill, outline, shape) as one path: filled, then stroked once */
  function paint(ctx, look, scale) {
    var o = look.o, dashes = o.shapeProperties.borderDashes;
    ctx.fillStyle = o.color.background;
    ctx.fill(look.path);
    ctx.strokeStyle = o.color.border;
    ctx.lineWidth = o.borderWidth;
    /* dashes shorter than 3 px on screen cannot be told from a line */
    ctx.setLineDash(dashes && dashes[0] * scale >= 3 ? dashes : []);
    ctx.stroke(look.path);
    ctx.setLineDash([]);
    look.path = new Path2D();
    look.count = 0;
  }

  /* tiny nodes of one look: boxes in the outline's colour, the fill's box inside each */
  function paintTiny(ctx, look) {
    ctx.fillStyle = look.o.color.border;
    ctx.fill(look.path);
    ctx.fillStyle = look.o.color.background;
    ctx.fill(look.inner);
    look.path = new Path2D();
    look.inner = new Path2D();
    look.count = 0;
  }

  /* ``draw(ctx, item)`` adds each item to the current path, ``end()`` paints it; every
   * ``per`` items a new path begins */
  function inPaths(ctx, items, per, draw, end) {
    ctx.beginPath();
    for (var i = 0; i < items.length; i++) {
      draw(ctx, items[i]);
      if ((i + 1) % per === 0) { end(); ctx.beginPath(); }
    }
    end();
  }

  /* the nodes whose labels overlap none placed before, larger labels (the topic, the
   * decisions) placed first; placed ones are kept in buckets of CELL_PX */
  function uncrowded(nodes, canvas) {
    var buckets = Object.create(null), out = [], scale = canvas.body.view.scale;
    nodes.sort(function (a, b) { return b.options.font.size - a.options.font.size; });
    nodes.forEach(function (n) {
      var p = canvas.canvasToDOM({ x: n.x, y: n.y }), t = n.shape.textSize || n.shape;
      var box = { l: p.x - t.width * scale / 2, r: p.x + t.width * scale / 2,
                  t: p.y - t.height * scale / 2, b: p.y + t.height * scale / 2 };
      var x0 = Math.floor(box.l / CELL_PX), x1 = Math.floor(box.r / CELL_PX);
      var y0 = Math.floor(box.t / CELL_PX), y1 = Math.floor(box.b / CELL_PX), x, y, k;
      for (x = x0; x <= x1; x++) {
        for (y = y0; y <= y1; y++) {
          var there = buckets[x + "," + y] || [];
          for (k = 0; k < there.length; k++) {
            var o = there[k];
            if (o.l < box.r && box.l < o.r && o.t < box.b && box.t < o.b) return;
          }
        }
      }
      for (x = x0; x <= x1; x++) {
        for (y = y0; y <= y1; y++) (buckets[x + "," + y] = buckets[x + "," + y] || []).push(box);
      }
      out.push(n);
    });
    return out;
  }

  function install(network, options) {
    if (!usable(network)) return false;
    var r = network.renderer, body = network.body;
    var labelPx = options.labelPx; /* a label smaller than this is not drawn */
    /* each node's look, as a key, kept until a node changes (``gen`` counts changes) */
    var gen = 0;
    if (body.data && body.data.nodes) body.data.nodes.on("*", function () { gen++; });
    function lookOf(n) {
      if (n.cmGen !== gen) {
        var o = n.options;
        n.cmGen = gen;
        n.cmLook = o.color.background + o.color.border + o.borderWidth + o.shape +
          o.shapeProperties.borderRadius + String(o.shapeProperties.borderDashes);
      }
      return n.cmLook;
    }
    var drawn = null; /* this frame's links: found once for lines and arrows */

    /* the links: one path of lines; selected ones (a clicked node's) by vis-network */
    r._drawEdges = function (ctx) {
      var special = [];
      drawn = linksInView(body, viewBox(r), special);
      var first = drawn[0];
      if (first) {
        /* as vis-network does: a line never thinner than 0.3 px on screen */
        ctx.lineWidth = Math.max(first.options.width, 0.3 / body.view.scale);
        ctx.strokeStyle = first.options.color.color;
        ctx.setLineDash([]);
        inPaths(ctx, drawn, LINES, function (c, e) {
          c.moveTo(e.from.x, e.from.y);
          c.lineTo(e.to.x, e.to.y);
        }, function () { ctx.stroke(); });
      }
      special.forEach(function (e) { e.draw(ctx); });
      drawn.special = special;
    };

    r._drawArrows = function (ctx) {
      var links = drawn || [];
      drawn = null;
      var first = links[0];
      if (first && first.options.arrows.to.enabled) {
        var size = 15 * first.options.arrows.to.scaleFactor + 3 * first.options.width;
        if (size * body.view.scale >= ARROW_PX) {
          ctx.fillStyle = first.options.color.color;
          inPaths(ctx, links, SHAPES, function (c, e) { arrowHead(c, e.from, e.to, size); },
            function () { ctx.fill(); });
        }
      }
      (links.special || []).forEach(function (e) { e.drawArrows(ctx); });
    };

    /* Nodes in view: their shapes as one path per look, then their labels as vis-network
     * draws them (none while they would be too small to read). A node out of view is
     * skipped (vis-network re-measures each one every frame): it is measured once, and
     * again when its label changes; its size, and the box that clicks hit, come from
     * that. Selected, then hovered nodes come last, drawn by vis-network, as it does. */
    r._drawNodes = function (ctx, always) {
      var box = viewBox(r), scale = body.view.scale;
      var named = [], selected = [], hovered = [], labels = [];
      var looks = Object.create(null), order = [], tinyLooks = Object.create(null), tiny = [];
      var tinyHeight = TINY_PX / scale;
      var ids = body.nodeIndices, nodes = body.nodes;
      for (var i = 0; i < ids.length; i++) {
        var n = nodes[ids[i]];
        if (n.shape.width === undefined || n.shape.refreshNeeded) n.updateBoundingBox(ctx, n.selected);
        if (n.hover) { hovered.push(n); continue; }
        if (n.selected) { selected.push(n); continue; }
        var hw = n.shape.width / 2, hh = n.shape.height / 2;
        if (!always && (n.x + hw < box.left || n.x - hw > box.right ||
            n.y + hh < box.top || n.y - hh > box.bottom)) continue;
        var o = n.options, key = lookOf(n), look;
        if (o.font.size * scale >= labelPx) named.push(n);
        else if (n.shape.height < tinyHeight) {
          look = tinyLooks[key];
          if (!look) {
            look = tinyLooks[key] = { path: new Path2D(), inner: new Path2D(), count: 0, o: o };
            tiny.push(look);
          }
          var b = Math.min(o.borderWidth, hw, hh);
          look.path.rect(n.x - hw, n.y - hh, 2 * hw, 2 * hh);
          look.inner.rect(n.x - hw + b, n.y - hh + b, 2 * (hw - b), 2 * (hh - b));
          if (++look.count === SHAPES) paintTiny(ctx, look);
          continue;
        }
        look = looks[key];
        if (!look) { look = looks[key] = { path: new Path2D(), count: 0, o: o }; order.push(look); }
        outline(look.path, n);
        if (++look.count === SHAPES) paint(ctx, look, scale);
      }
      tiny.forEach(function (l) { if (l.count) paintTiny(ctx, l); });
      order.forEach(function (l) { if (l.count) paint(ctx, l, scale); });
      uncrowded(named, r.canvas).forEach(function (n) {
        n.labelModule.draw(ctx, n.x, n.y, false, false);
      });
      [selected, hovered].forEach(function (list) {
        list.forEach(function (n) {
          var done = n.draw(ctx);
          if (done && done.drawExternalLabel) labels.push(done.drawExternalLabel);
        });
      });
      return { drawExternalLabels: function () { labels.forEach(function (f) { f(); }); } };
    };
    return true;
  }

  /* -- changes in place ---------------------------------------------------------- */

  /* what is visible, as vis-network's _updateVisibleIndices finds it (this map has no
   * clusters), from the node and link objects instead of a walk over their tables */
  function recount(network) {
    var body = network.body, nodes = body.nodes, edges = body.edges;
    var nodeIds = [], edgeIds = [];
    Object.keys(nodes).forEach(function (id) { if (!nodes[id].options.hidden) nodeIds.push(id); });
    Object.keys(edges).forEach(function (id) {
      var e = edges[id], f = nodes[e.fromId], t = nodes[e.toId];
      if (!e.options.hidden && f && t && !f.options.hidden && !t.options.hidden) edgeIds.push(e.id);
    });
    body.nodeIndices = nodeIds;
    body.edgeIndices = edgeIds;
  }

  /* ``changes``: [{id, ...fields}], written to the DataSet with vis-network not told,
   * and given to the network's node objects by ``apply(node, change)`` */
  function quietly(network, dataset, changes, apply) {
    var listen = network.nodesHandler && network.nodesHandler.nodesListeners;
    if (!usable(network) || !listen || !listen.update) {
      dataset.update(changes); /* another vis-network: the slow, sure way */
      return;
    }
    dataset.off("update", listen.update);
    try { dataset.update(changes); } finally { dataset.on("update", listen.update); }
    changes.forEach(function (c) {
      var n = network.body.nodes[c.id];
      if (n) apply(n, c);
    });
  }

  /* hide (or show) the nodes ``ids`` and their links */
  function setHidden(network, dataset, ids, hide) {
    var changes = ids.map(function (id) { return { id: id, hidden: hide }; });
    quietly(network, dataset, changes, function (n) {
      n.options.hidden = hide;
      if (hide && n.selected) n.unselect();
    });
    if (usable(network)) {
      recount(network);
      network.body.emitter.emit("_requestRedraw");
    }
  }

  /* new colours and outlines: ``changes`` as [{id, color, borderWidth, borderWidthSelected}] */
  function restyle(network, dataset, changes) {
    quietly(network, dataset, changes, function (n, c) {
      var color = n.options.color;
      color.background = c.color.background;
      color.border = c.color.border;
      color.highlight.background = c.color.highlight.background;
      color.highlight.border = c.color.highlight.border;
      n.options.borderWidth = c.borderWidth;
      n.options.borderWidthSelected = c.borderWidthSelected;
    });
    if (usable(network)) network.body.emitter.emit("_requestRedraw");
  }

  window.conceptmapFast = { install: install, setHidden: setHidden, restyle: restyle };
})();
