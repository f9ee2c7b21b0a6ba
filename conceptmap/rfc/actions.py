"""A session's next steps, for after the meeting: a Markdown checklist or JSON.

``conceptmap actions MAP`` prints :func:`actions_markdown` (paste it into an
issue or the meeting notes) or, with ``--format json``, :func:`actions_json`
(one object per action, for a script that files issues).

Each action says who owns it and when it is due (``action: X {owner: @bob,
due: 2026-12-15}``); an action tagged ``done`` is ticked. Actions come in the
map's order. All text is escaped, so a label is shown as typed and never
becomes a link, a heading or HTML.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..readwrite.canvas import escape_markdown
from .draft import comment_id

if TYPE_CHECKING:
    from ..model import ConceptMap

__all__ = ["DONE_TAG", "action_items", "actions_json", "actions_markdown"]

#: The tag that marks an action as done (ticked in the checklist).
DONE_TAG = "done"

# what each action carries in the JSON, in this order (None or [] where unset)
_FIELDS = ("id", "label", "notes", "owner", "due", "status", "tags", "url", "author", "created")


def action_items(m: ConceptMap) -> list[dict[str, Any]]:
    """The map's actions as plain data, in the map's order; ``m`` is not changed.

    Each has ``id``, ``label``, ``notes``, ``owner``, ``due``, ``status``, ``tags``,
    ``url``, ``author``, ``created``, ``done`` and ``links``: the nodes it is
    linked to, each ``{"direction": "out" | "in", "relation", "phrase", "id",
    "label", "kind"}`` (``out``: the action ``-relation->`` the node).

    >>> from conceptmap import ConceptMap
    >>> m = ConceptMap("GC", author="alan")
    >>> _ = m.apply("action: Measure hold times {owner: @alanshaw} -addresses-> obstacle: Slow GC")
    >>> item = action_items(m)[0]
    >>> item["owner"], [(link["relation"], link["label"]) for link in item["links"]]
    ('@alanshaw', [('addresses', 'Slow GC')])
    """
    g = m.graph
    items = []
    for node, attrs in g.nodes(data=True):
        if attrs["kind"] != "action":
            continue
        item: dict[str, Any] = {name: attrs.get(name) for name in _FIELDS[1:]}
        item["id"] = node
        item["notes"] = attrs.get("notes") or ""
        item["tags"] = list(attrs.get("tags") or [])
        item["done"] = any(t.casefold() == DONE_TAG for t in item["tags"])
        links = [("out", v, a) for _, v, a in g.out_edges(node, data=True)]
        links += [("in", u, a) for u, _, a in g.in_edges(node, data=True)]
        item["links"] = [
            {
                "direction": direction,
                "relation": a["relation"],
                "phrase": a.get("phrase") or "",
                "id": other,
                "label": g.nodes[other]["label"],
                "kind": g.nodes[other]["kind"],
            }
            for direction, other, a in links
        ]
        items.append({name: item[name] for name in (*_FIELDS, "done", "links")})
    return items


def actions_json(m: ConceptMap) -> str:
    """:func:`action_items` as indented JSON text (UTF-8 as it is), ending in a newline."""
    return json.dumps(action_items(m), indent=2, ensure_ascii=False) + "\n"


def actions_markdown(m: ConceptMap) -> str:
    """The actions as a Markdown checklist, each with its owner, due date and node id.

    >>> from conceptmap import ConceptMap
    >>> m = ConceptMap("GC", author="alan")
    >>> _ = m.apply("action: Measure *hold* times {owner: @alanshaw, due: 2026-12-15}")
    >>> print(actions_markdown(m))
    # Actions: GC
    <BLANKLINE>
    - [ ] Measure \\*hold\\* times — @alanshaw, due 2026-12-15 <!-- cm:measure-hold-times -->
    <BLANKLINE>
    """
    topic = m.meta.get("topic")
    lines = [f"# Actions: {escape_markdown(topic)}" if topic else "# Actions", ""]
    items = action_items(m)
    if not items:
        lines.append("No actions were recorded.")
    for item in items:
        lines.append(_item_line(item))
        for note in item["notes"].splitlines():
            lines.append(f"  {escape_markdown(note.strip())}" if note.strip() else "")
    return "\n".join(lines) + "\n"


def _item_line(item: dict[str, Any]) -> str:
    owner = escape_markdown(item["owner"]) if item["owner"] else "no owner"
    facts = [owner]
    if item["due"]:
        facts.append(f"due {item['due']}")
    if item["status"]:
        facts.append(escape_markdown(str(item["status"])))
    box = "x" if item["done"] else " "
    label = escape_markdown(item["label"])
    return f"- [{box}] {label} — {', '.join(facts)} <!-- cm:{comment_id(item['id'])} -->"
