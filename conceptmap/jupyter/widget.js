/* The live map view of conceptmap's MapWidget (an anywidget ESM module).
 *
 * The kernel sends the whole map once ("snapshot") and then only what changed
 * ("delta"); every gesture here becomes quick-entry text sent as
 * {"type": "apply", "text": ...} and answered by {"type": "applied", ...}, and a drag
 * sends {"type": "place", ...}. The message contract is in conceptmap/jupyter/widget.py.
 * User text only ever goes in through textContent, input values and canvas labels.
 */

const CSS = `
.cm-w { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  color: #1f2328; border: 1px solid #d0d7de; border-radius: 6px; background: #fff;
  display: flex; flex-direction: column; height: 600px; overflow: hidden; }
.cm-w * { box-sizing: border-box; }
.cm-w-head { display: flex; gap: 8px; align-items: baseline; padding: 6px 10px;
  border-bottom: 1px solid #d0d7de; }
.cm-w-topic { font-weight: 600; font-size: 15px; flex: 1; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
.cm-w-who, .cm-w-muted { color: #57606a; font-size: 12px; }
.cm-w-activity { color: #0969da; font-size: 12px; transition: opacity 1s; }
.cm-w-entry { display: flex; gap: 6px; padding: 6px 10px; align-items: flex-start; }
.cm-w-entry textarea { flex: 1; font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace;
  resize: vertical; min-height: 30px; padding: 4px 6px; border: 1px solid #d0d7de;
  border-radius: 4px; }
.cm-w button { font: inherit; padding: 4px 10px; border: 1px solid #d0d7de; border-radius: 4px;
  background: #f6f8fa; cursor: pointer; }
.cm-w button:hover { background: #eaeef2; }
.cm-w button.cm-w-on { background: #ddf4ff; border-color: #54aeff; }
.cm-w-status { padding: 0 10px 6px; font-size: 12px; white-space: pre-wrap; min-height: 18px; }
.cm-w-status code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace;
  background: #f6f8fa; padding: 0 3px; border-radius: 3px; }
.cm-w-ok { color: #1a7f37; } .cm-w-err { color: #cf222e; }
.cm-w-body { flex: 1; display: flex; min-height: 0; border-top: 1px solid #d0d7de; }
.cm-w-map { flex: 1; min-width: 0; position: relative; }
.cm-w-side { width: 290px; border-left: 1px solid #d0d7de; overflow-y: auto; padding: 8px 10px; }
.cm-w-side h4 { margin: 8px 0 4px; font-size: 12px; text-transform: uppercase;
  letter-spacing: .04em; color: #57606a; }
.cm-w-side ul { list-style: none; margin: 0 0 6px; padding: 0; }
.cm-w-side li button { display: block; width: 100%; text-align: left; border: 0;
  background: none; padding: 2px 4px; border-radius: 3px; }
.cm-w-side li button:hover { background: #f6f8fa; }
.cm-w-fresh { background: #fff8c5 !important; }
.cm-w-details label { display: block; font-size: 12px; color: #57606a; margin-top: 6px; }
.cm-w-details input, .cm-w-details select, .cm-w-details textarea { width: 100%;
  font: inherit; padding: 3px 5px; border: 1px solid #d0d7de; border-radius: 4px; }
.cm-w-details textarea { min-height: 80px; font-family: ui-monospace, Menlo, monospace; }
.cm-w-row { display: flex; gap: 6px; margin-top: 6px; flex-wrap: wrap; }
.cm-w-here { position: absolute; z-index: 2; width: 260px; padding: 3px 6px;
  font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; border: 1px solid #54aeff;
  border-radius: 4px; box-shadow: 0 2px 8px rgba(0,0,0,.15); }
.cm-w-wait { position: absolute; inset: 0; display: flex; align-items: center;
  justify-content: center; color: #57606a; pointer-events: none; }
`;

const GROUPS = {
  "unanswered-question": "Unanswered questions",
  "unaddressed-obstacle": "Obstacles nothing addresses",
  "undecided-proposal": "Proposals not decided",
  "decision-without-action": "Decisions without an action",
  "action-without-owner": "Actions without an owner",
};
const FRESH_MS = 6000;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  });
  children.forEach((c) => node.append(c));
  return node;
}

/* vis-network comes from the kernel once per page (gzip + base64), not per view */
async function unpack(b64) {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

function evaluate(code) {
  /* the UMD build fills `exports` when it sees CommonJS: no global `vis` is left behind */
  const module = { exports: {} };
  new Function("module", "exports", code)(module, module.exports);
  return module.exports;
}

function visFrom(b64) {
  if (!globalThis.__conceptmapVis) globalThis.__conceptmapVis = unpack(b64).then(evaluate);
  return globalThis.__conceptmapVis;
}

/* How a line of quick entry names an existing node. A label that starts like a
 * declaration ("Plan: B") or a comment ("# of peers") gets its kind in front, which
 * the syntax allows; a label that holds "->" (a link to the parser) is named by its
 * id, which links, removals and renames accept. */
export function ref(label, kind, id) {
  if (id && label.includes("->")) return id;
  return /^([A-Za-z_]+\s*:|#)/.test(label) ? `${kind}: ${label}` : label;
}

/* Why a line cannot say this, or "" if it can: the parser reads "->" as a link and a
 * rename has one "=>"; quick entry has no quoting for either. */
export function unsayable(label, how) {
  if (how === "declare" && label.includes("->")) {
    return `'${label}' holds '->', which quick entry reads as a link: rename it first`;
  }
  if (how === "rename" && label.includes("=>")) {
    return `a new label cannot hold '=>', which quick entry reads as the rename's arrow`;
  }
  return "";
}

export function linkLine(source, target, relation, phrase) {
  const arrow = phrase ? `-"${phrase.replace(/"/g, "'")}"->` : `-${relation}->`;
  return `${ref(source.label, source.kind, source.id)} ${arrow} ${ref(target.label, target.kind, target.id)}`;
}

export function notesText(node, notes) {
  const lines = notes.split(/\r?\n/).map((l) => (l.trim() ? `  ${l}` : ""));
  return [`${node.kind}: ${node.label}`, ...lines].join("\n").replace(/\n+$/, "");
}

export function renameLine(node, label) {
  const old = node.label.includes("=>") || node.label.includes("->") ? node.id : ref(node.label, node.kind);
  return `rename: ${old} => ${ref(label, node.kind)}`;
}

/* views of one widget that were removed, with their drawn network, for the next view */
const PARKED = globalThis.__conceptmapParked || (globalThis.__conceptmapParked = new Map());
const PARK_MS = 10000;

function render({ model, el: host }) {
  const key = model.get("key");
  const parked = key ? PARKED.get(key) : undefined;
  if (parked) { PARKED.delete(key); clearTimeout(parked.timer); }
  /* the map as this view has it; a view that replaces one of the same widget takes it over */
  const st = parked ? parked.st : {
    rev: -1, nodes: new Map(), links: new Map(), open: new Map(), positions: {},
    kinds: {}, relations: [], colors: [], people: new Map(), fresh: new Map(),
    selected: null, pending: [], network: null, data: null, vis: null, mine: [],
  };
  if (st.selected && st.selected.asking) st.selected = null;
  const timers = new Set();
  const root = el("div", { class: "cm-w" });
  root.append(el("style", { text: CSS }));
  const topic = el("div", { class: "cm-w-topic", text: "Concept map" });
  const activity = el("div", { class: "cm-w-activity" });
  const who = el("div", { class: "cm-w-who", text: `you: ${model.get("author") || "?"}` });
  root.append(el("div", { class: "cm-w-head" }, topic, activity, who));

  const entry = el("textarea", {
    rows: "1", spellcheck: "false", "aria-label": "quick entry",
    placeholder: "obstacle: Two tabs write the same repo   (Enter applies, Shift+Enter: new line)",
  });
  const linkButton = el("button", { title: "drag from one node to another", text: "link" });
  const undoButton = el("button", { title: "undo your last change", text: "undo" });
  const applyButton = el("button", { text: "apply" });
  root.append(el("div", { class: "cm-w-entry" }, entry, applyButton, linkButton, undoButton));
  const status = el("div", { class: "cm-w-status cm-w-muted", role: "status" });
  root.append(status);
  const mapBox = parked ? parked.mapBox : el("div", { class: "cm-w-map" });
  const wait = el("div", { class: "cm-w-wait", text: "waiting for the kernel…" });
  if (!parked) mapBox.append(wait);
  const side = el("div", { class: "cm-w-side" });
  const details = el("div", { class: "cm-w-details" });
  const openBox = el("div", { class: "cm-w-open" });
  side.append(details, openBox);
  root.append(el("div", { class: "cm-w-body" }, mapBox, side));
  host.append(root);

  /* -- talking to the kernel ------------------------------------------------------ */
  function send(text, shown, at) {
    st.pending.push({ text, shown: shown || text, at });
    st.mine = [];
    status.className = "cm-w-status cm-w-muted";
    status.textContent = `applying ${shown || text}…`;
    model.send(text === null ? { type: "undo" } : { type: "apply", text });
  }

  function applied(msg) {
    /* every view of the widget hears every answer: one it did not ask for is not its own */
    if (!st.pending.length) return;
    const done = st.pending.shift();
    status.replaceChildren();
    if (msg.error) {
      status.className = "cm-w-status cm-w-err";
      status.append("✗ ", el("code", { text: done.shown }), ` — ${msg.error}`);
      if (done.fromEntry && !entry.value) entry.value = done.text;
      return;
    }
    status.className = "cm-w-status cm-w-ok";
    status.append("✓ ", el("code", { text: done.shown }), ` — ${msg.summary}`);
    if (done.fromEntry && entry.value === done.text) entry.value = "";
    /* a node added by a double-click goes where the click was */
    if (done.at && st.mine.length) {
      model.send({ type: "place", positions: { [st.mine[0]]: done.at } });
      st.positions[st.mine[0]] = done.at;
    }
  }

  function refuse(why) {
    status.className = "cm-w-status cm-w-err";
    status.textContent = `✗ ${why}`;
  }

  function submitEntry() {
    const text = entry.value;
    if (!text.trim()) return;
    send(text);
    st.pending[st.pending.length - 1].fromEntry = true;
  }

  /* -- drawing ----------------------------------------------------------------------- */
  function colourOf(person) {
    if (!st.people.has(person)) {
      st.people.set(person, st.colors[st.people.size % Math.max(st.colors.length, 1)] || "#0969da");
    }
    return st.people.get(person);
  }

  function large() { return st.nodes.size > 500; }

  function nodeView(n) {
    const s = st.kinds[n.kind] || st.kinds.concept;
    const view = {
      id: n.id, label: n.label, shape: s.shape,
      color: { background: s.color, border: s.border, highlight: { background: s.color, border: "#111" } },
      borderWidth: s.border_width, borderWidthSelected: s.border_width + 1.5,
      shapeProperties: { borderDashes: s.dashes.length ? s.dashes : false, borderRadius: s.radius },
      font: { size: s.font_size, color: s.text },
      widthConstraint: { maximum: n.kind === "topic" ? 320 : 200 },
      shadow: false,
    };
    const p = st.positions[n.id];
    if (p) { view.x = p[0]; view.y = p[1]; }
    if (st.fresh.has(n.id)) {
      view.color.border = colourOf(st.fresh.get(n.id));
      view.borderWidth = Math.max(s.border_width, 4);
      view.shadow = { enabled: true, color: colourOf(st.fresh.get(n.id)), size: 14, x: 0, y: 0 };
    }
    return view;
  }

  function edgeView(e) {
    const view = { id: e.id, from: e.from, to: e.to, label: large() ? undefined : e.text, width: 1 };
    if (st.fresh.has(e.id)) { view.color = { color: colourOf(st.fresh.get(e.id)) }; view.width = 3; }
    return view;
  }

  function ensureNetwork() {
    if (st.network) return;
    const vis = st.vis;
    st.data = { nodes: new vis.DataSet(), edges: new vis.DataSet() };
    const options = {
      autoResize: true, physics: false, layout: { improvedLayout: false, randomSeed: 1 },
      interaction: { hover: true, multiselect: false },
      nodes: { margin: 8 },
      edges: {
        arrows: { to: { enabled: true, scaleFactor: 0.6 } },
        color: { color: "#8c959f", highlight: "#111", inherit: false },
        font: { size: 11, color: "#57606a", strokeWidth: 3, align: "middle" },
        smooth: { type: "continuous", roundness: 0.2 },
      },
    };
    st.network = new vis.Network(mapBox, st.data, options);
    bindNetwork();
  }

  /* the network's events lead to this view's panels (again, when it takes one over) */
  function bindNetwork() {
    const net = st.network;
    ["afterDrawing", "click", "doubleClick", "dragEnd"].forEach((name) => net.off(name));
    net.setOptions({
      manipulation: {
        enabled: false,
        addEdge(data, callback) {
          callback(null); /* the link appears when the kernel says it exists */
          linkMode(false);
          if (data.from !== data.to) askRelation(data.from, data.to);
        },
      },
    });
    /* when the map was last drawn (epoch ms): what the benchmarks and tests wait on */
    net.on("afterDrawing", () => {
      st.drawnAt = performance.timeOrigin + performance.now();
      st.draws = [...(st.draws || []).slice(-9), st.drawnAt];
    });
    net.on("click", (p) => select(p.nodes[0] ? { node: p.nodes[0] } : p.edges[0] ? { link: p.edges[0] } : null));
    net.on("doubleClick", (p) => {
      if (!p.nodes.length && !p.edges.length) addHere(p.pointer.DOM, p.pointer.canvas);
    });
    net.on("dragEnd", (p) => {
      if (!p.nodes.length) return;
      const moved = {};
      Object.entries(net.getPositions(p.nodes)).forEach(([id, xy]) => {
        const was = st.positions[id];
        const here = [Math.round(xy.x * 10) / 10, Math.round(xy.y * 10) / 10];
        if (!was || Math.abs(was[0] - here[0]) > 0.5 || Math.abs(was[1] - here[1]) > 0.5) {
          moved[id] = here;
          st.positions[id] = here;
        }
      });
      if (Object.keys(moved).length) model.send({ type: "place", positions: moved });
    });
  }

  /* double-click on empty space: a line typed there adds a node where the click was */
  function addHere(dom, canvas) {
    mapBox.querySelectorAll(".cm-w-here").forEach((n) => n.remove());
    const box = el("input", {
      class: "cm-w-here", spellcheck: "false", "aria-label": "new node",
      placeholder: "obstacle: Two tabs write",
      style: `left:${Math.max(4, dom.x - 8)}px;top:${Math.max(4, dom.y - 14)}px`,
    });
    const at = [Math.round(canvas.x * 10) / 10, Math.round(canvas.y * 10) / 10];
    box.addEventListener("keydown", (ev) => {
      ev.stopPropagation();
      if (ev.key === "Escape") box.remove();
      if (ev.key !== "Enter" || !box.value.trim()) return;
      send(box.value.trim(), null, at);
      box.remove();
    });
    box.addEventListener("blur", () => setTimeout(() => box.remove(), 150));
    mapBox.append(box);
    box.focus();
  }

  function redrawFresh(ids) {
    const nodes = [], edges = [];
    ids.forEach((id) => {
      if (st.nodes.has(id)) nodes.push(nodeView(st.nodes.get(id)));
      else if (st.links.has(id)) edges.push(edgeView(st.links.get(id)));
    });
    st.data.nodes.update(nodes);
    st.data.edges.update(edges);
  }

  function markFresh(ids, author) {
    if (!ids.length) return;
    ids.forEach((id) => st.fresh.set(id, author));
    const timer = setTimeout(() => {
      timers.delete(timer);
      const gone = ids.filter((id) => st.fresh.get(id) === author);
      gone.forEach((id) => st.fresh.delete(id));
      if (st.data) redrawFresh(gone);
      renderOpen();
    }, FRESH_MS);
    timers.add(timer);
  }

  function snapshot(msg) {
    /* another view of this widget asked: this one is up to date already */
    if (st.network && msg.rev === st.rev) return;
    const first = !st.network;
    wait.remove();
    st.rev = msg.rev;
    st.kinds = msg.kinds; st.relations = msg.relations; st.colors = msg.colors;
    st.positions = msg.positions;
    st.nodes = new Map(msg.nodes.map((n) => [n.id, n]));
    st.links = new Map(msg.links.map((e) => [e.id, e]));
    st.open = new Map(msg.open.map((i) => [i.key, i]));
    topic.textContent = msg.topic || "Untitled map";
    ensureNetwork();
    st.data.nodes.clear(); st.data.edges.clear();
    st.data.nodes.add(msg.nodes.map(nodeView));
    st.data.edges.add(msg.links.map(edgeView));
    if (first) firstView();
    renderOpen();
    renderDetails();
  }

  /* the whole map if its labels stay readable there, else the topic's part of it */
  function firstView() {
    const net = st.network;
    net.fit({ animation: false });
    if (net.getScale() > 1) net.moveTo({ scale: 1 });
    else if (net.getScale() < 0.8) {
      const topicNode = [...st.nodes.values()].find((n) => n.kind === "topic");
      const at = topicNode && st.positions[topicNode.id];
      net.moveTo({ scale: 0.8, position: at ? { x: at[0], y: at[1] } : undefined });
    }
  }

  function delta(msg) {
    if (msg.base !== st.rev) { model.send({ type: "ready" }); return; }
    st.rev = msg.rev;
    Object.assign(st.positions, msg.positions);
    const author = Object.keys(msg.by)[0] || "";
    const fresh = [];
    const me = model.get("author");
    st.mine.push(...msg.nodes.added.filter((n) => n.author === me).map((n) => n.id));
    msg.nodes.removed.forEach((id) => { st.nodes.delete(id); delete st.positions[id]; });
    msg.links.removed.forEach((id) => st.links.delete(id));
    [...msg.nodes.added, ...msg.nodes.changed].forEach((n) => {
      const old = st.nodes.get(n.id);
      st.nodes.set(n.id, n);
      if (old && old.kind === "topic" && n.kind === "topic") topic.textContent = n.label;
      fresh.push(n.id);
    });
    msg.links.added.forEach((e) => { st.links.set(e.id, e); fresh.push(e.id); });
    msg.open.removed.forEach((key) => st.open.delete(key));
    msg.open.added.forEach((item) => st.open.set(item.key, item));
    markFresh(fresh, author);
    st.data.nodes.remove(msg.nodes.removed);
    st.data.edges.remove(msg.links.removed);
    const moved = Object.keys(msg.positions).filter((id) => !fresh.includes(id) && st.nodes.has(id));
    st.data.nodes.update([...fresh.filter((id) => st.nodes.has(id)), ...moved].map((id) => nodeView(st.nodes.get(id))));
    st.data.edges.update(msg.links.added.map(edgeView));
    if (msg.summary) {
      activity.textContent = msg.summary;
      activity.style.opacity = "1";
      const timer = setTimeout(() => { timers.delete(timer); activity.style.opacity = "0.45"; }, FRESH_MS);
      timers.add(timer);
    }
    renderOpen();
    renderDetails();
  }

  /* -- the side panel ---------------------------------------------------------------- */
  function renderOpen() {
    const groups = {};
    st.open.forEach((item) => { (groups[item.code] = groups[item.code] || []).push(item); });
    openBox.replaceChildren(el("h4", { text: `Still open (${st.open.size})` }));
    Object.entries(GROUPS).forEach(([code, title]) => {
      if (!groups[code]) return;
      const list = el("ul");
      groups[code].forEach((item) => {
        const button = el("button", { title: item.message, text: item.label, onclick: () => focusNode(item.node) });
        if (st.fresh.has(item.node)) button.classList.add("cm-w-fresh");
        list.append(el("li", { "data-node": item.node }, button));
      });
      openBox.append(el("div", { class: "cm-w-muted", text: title }), list);
    });
  }

  function focusNode(id) {
    if (!st.network || !st.nodes.has(id)) return;
    st.network.selectNodes([id]);
    st.network.focus(id, { scale: Math.max(st.network.getScale(), 0.9), animation: { duration: 300 } });
    select({ node: id });
  }

  function select(what) { st.selected = what; renderDetails(); }

  function field(label, input) { return el("label", { text: label }, input); }

  function renderDetails() {
    const what = st.selected;
    if (what && what.asking) return; /* a new link waits for its relation: keep the form */
    details.replaceChildren();
    if (what && what.node && st.nodes.has(what.node)) nodeDetails(st.nodes.get(what.node));
    else if (what && what.link && st.links.has(what.link)) linkDetails(st.links.get(what.link));
    else details.append(el("div", { class: "cm-w-muted", text: "Click a node or link to edit it; double-click empty space to add one." }));
  }

  function nodeDetails(n) {
    const name = el("input", { value: n.label, "aria-label": "label" });
    const kind = el("select", { "aria-label": "kind" });
    Object.keys(st.kinds).forEach((k) => {
      const option = el("option", { value: k, text: k });
      if (k === n.kind) option.selected = true;
      kind.append(option);
    });
    const notes = el("textarea", { "aria-label": "notes" });
    notes.value = n.notes || "";
    let renamed = "";
    const rename = () => {
      const label = name.value.trim();
      if (!label || label === n.label || label === renamed) return;
      const why = unsayable(label, "rename");
      if (why) { refuse(why); return; }
      renamed = label; /* Enter, then the change event as the field loses focus: once */
      send(renameLine(n, label));
    };
    name.addEventListener("keydown", (ev) => { if (ev.key === "Enter") rename(); });
    name.addEventListener("change", rename);
    kind.addEventListener("change", () => {
      const why = unsayable(n.label, "declare");
      if (why) { refuse(why); kind.value = n.kind; return; }
      send(`${kind.value}: ${n.label}`);
    });
    const saveNotes = () => {
      const why = unsayable(n.label, "declare");
      if (why) { refuse(why); return; }
      if (!notes.value.trim()) {
        refuse("quick entry cannot clear notes; write the notes you want instead");
        return;
      }
      send(notesText(n, notes.value));
    };
    details.append(
      el("h4", { text: n.kind }),
      field("label (Enter renames)", name), field("kind", kind), field("notes", notes),
      el("div", { class: "cm-w-row" },
        el("button", { text: "save notes", onclick: saveNotes }),
        el("button", { text: "remove", onclick: () => send(`remove: ${ref(n.label, n.kind, n.id)}`) })),
      el("div", { class: "cm-w-muted", text: `added by ${n.author}, ${n.created.slice(0, 16).replace("T", " ")}` }),
    );
    if (n.owner) details.append(el("div", { class: "cm-w-muted", text: `owner: ${n.owner}` }));
  }

  function linkDetails(e) {
    const a = st.nodes.get(e.from), b = st.nodes.get(e.to);
    if (!a || !b) return;
    details.append(
      el("h4", { text: "link" }),
      el("div", { text: `${a.label} — ${e.text} → ${b.label}` }),
      el("div", { class: "cm-w-muted", text: `added by ${e.author}` }),
      el("div", { class: "cm-w-row" }, el("button", {
        text: "remove link", onclick: () => send(`remove: ${linkLine(a, b, e.relation, e.phrase)}`),
      })),
    );
  }

  function askRelation(from, to) {
    const a = st.nodes.get(from), b = st.nodes.get(to);
    if (!a || !b) return;
    const relation = el("select", { "aria-label": "relation" });
    st.relations.forEach((r) => relation.append(el("option", { value: r, text: r.replace(/_/g, " ") })));
    const phrase = el("input", { placeholder: "or a phrase: is stored in", "aria-label": "phrase" });
    const go = () => { send(linkLine(a, b, relation.value, phrase.value.trim())); select(null); };
    phrase.addEventListener("keydown", (ev) => { if (ev.key === "Enter") go(); });
    st.selected = { asking: true };
    details.replaceChildren(
      el("h4", { text: "new link" }),
      el("div", { text: `${a.label} → ${b.label}` }),
      field("relation", relation), field("phrase", phrase),
      el("div", { class: "cm-w-row" },
        el("button", { text: "link", onclick: go }),
        el("button", { text: "cancel", onclick: () => select(null) })),
    );
    relation.focus();
  }

  function linkMode(on) {
    if (!st.network) return;
    linkButton.classList.toggle("cm-w-on", on);
    if (on) {
      st.network.addEdgeMode();
      status.className = "cm-w-status cm-w-muted";
      status.textContent = "drag from one node to another to link them (Esc: stop)";
    } else {
      st.network.disableEditMode();
      if (status.textContent.startsWith("drag from")) status.textContent = "";
    }
  }

  /* -- wiring ------------------------------------------------------------------------- */
  entry.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); submitEntry(); }
  });
  applyButton.addEventListener("click", submitEntry);
  undoButton.addEventListener("click", () => send(null, "undo"));
  linkButton.addEventListener("click", () => linkMode(!linkButton.classList.contains("cm-w-on")));
  root.addEventListener("keydown", (ev) => { if (ev.key === "Escape") linkMode(false); });

  let chain = Promise.resolve();
  function onMessage(msg) {
    chain = chain.then(async () => {
      if (msg.type === "vis") st.vis = await visFrom(msg.code);
      else if (msg.type === "snapshot") {
        if (!st.vis) st.vis = await globalThis.__conceptmapVis;
        snapshot(msg);
      } else if (msg.type === "delta" && st.network) {
        st.deltaAt = performance.timeOrigin + performance.now();
        delta(msg);
      }
      else if (msg.type === "applied") applied(msg);
      else if (msg.type === "error") {
        status.className = "cm-w-status cm-w-err";
        status.textContent = `✗ ${msg.error}`;
      }
    }).catch((err) => {
      status.className = "cm-w-status cm-w-err";
      status.textContent = `✗ the view failed: ${err}`;
    });
  }
  model.on("msg:custom", onMessage);
  if (parked) adopt();
  model.send(parked ? { type: "ready", new: true, rev: st.rev }
    : { type: "ready", new: true, vis: !globalThis.__conceptmapVis });
  root.__conceptmap = {
    state: st, send, select, focusNode, adopted: !!parked,
    renderedAt: performance.timeOrigin + performance.now(),
  };

  /* the network drawn by the view this one replaces: its events now lead here */
  function adopt() {
    bindNetwork();
    topic.textContent = (parked.topic || "Untitled map");
    renderOpen();
    renderDetails();
    const fresh = [...st.fresh.keys()];
    const timer = setTimeout(() => {
      timers.delete(timer);
      fresh.forEach((id) => st.fresh.delete(id));
      redrawFresh(fresh);
      renderOpen();
    }, FRESH_MS);
    timers.add(timer);
    requestAnimationFrame(() => { if (st.network) st.network.redraw(); });
  }

  return () => {
    model.off("msg:custom", onMessage);
    timers.forEach((t) => clearTimeout(t));
    try { model.send({ type: "gone" }); } catch (err) { /* the kernel went first */ }
    if (!st.network) return;
    if (!key) { st.network.destroy(); return; }
    /* parked for the next view of this widget (a later cell shows it there); else freed */
    const previous = PARKED.get(key);
    if (previous) { clearTimeout(previous.timer); previous.st.network.destroy(); }
    mapBox.remove();
    const entry = { st, mapBox, topic: topic.textContent, timer: 0 };
    entry.timer = setTimeout(() => {
      if (PARKED.get(key) === entry) { PARKED.delete(key); st.network.destroy(); }
    }, PARK_MS);
    PARKED.set(key, entry);
  };
}

export default { render };
