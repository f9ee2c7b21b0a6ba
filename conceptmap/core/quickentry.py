"""The quick-entry syntax: what people type while the discussion runs.

One fact per line::

    # a comment
    topic: Locking the IPFS repo for concurrent access
    obstacle: Two tabs write the same repo
      Indented lines are notes of the node declared just above.
    proposal: One lock per datastore -addresses-> Two tabs write the same repo
    Web Locks API -"is implemented by"-> Browser
    Web Locks API -> IndexedDB

    action: Measure GC lock hold times {owner: @alanshaw, due: 2026-12-15}

    remove: Web Locks API -> IndexedDB
    rename: Web Locks API => Web Locks

``kind: label`` declares (or re-kinds) a node; ``A -relation-> B`` links two
nodes and either side may be a declaration; a quoted relation is a free
linking phrase; a bare ``A -> B`` is ``relates_to``; a label that names no node
yet becomes a ``concept``. ``remove: LABEL`` removes a node and its links,
``remove: A -relation-> B`` one link, ``rename: OLD => NEW`` relabels a node.
A label, on its own or on either side of a link, may end in attributes in braces
(:mod:`conceptmap.core.attributes` has the rules); naming a node with attributes
sets them, and two lines of one text may not give one node different values.
:func:`parse` checks the text without a map; :func:`plan_statements` turns it
into operations against one.

Every text applies whole or not at all, and applying it again changes nothing:
so removing or renaming what is gone already is no error when the label named a
node once (the cell ran before), and a cell may not use a label it removes, or
the old label of a node it renames, on another line (a re-run would bring it back).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConceptMapError, LineError, ParseError
from .attributes import parse_attributes, split_attributes
from .plan import Plan
from .schema import (
    DEFAULT_RELATION,
    KIND_ALIASES,
    KINDS,
    clean_label,
    clean_notes,
    clean_phrase,
    label_key,
    normalize_kind,
    normalize_relation,
    suggest,
)
from .state import edge_key

# "-relation->", '-"phrase"->' or "->", with white space (or the line start) before it
ARROW = re.compile(r'(?<!\S)-(?:(?:"(?P<phrase>[^"]*)"|(?P<rel>[A-Za-z][\w-]*?))-)?>')
DECLARATION = re.compile(r"^(?P<kind>[A-Za-z_]+)\s*:(?P<space>\s*)(?P<label>.*)$")
EDIT = re.compile(r"^(?P<verb>remove|rename)\s*:\s*(?P<rest>.*)$", re.IGNORECASE)
EDITS = ("remove", "rename")


@dataclass
class NodeRef:
    """A node named in a line: with a kind if declared there, else ``None``.

    ``attrs`` are the attributes the line gives it, checked (``{owner: @bob}``).
    """

    label: str
    kind: str | None
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Statement:
    """One line of quick-entry text: a node, or a link between two nodes."""

    line: int
    text: str
    source: NodeRef
    relation: str | None = None  # None: the line only declares or mentions `source`
    phrase: str = ""
    target: NodeRef | None = None
    notes: list[str] = field(default_factory=list)
    #: "remove" (the source node, or the link) or "rename" (source to target); None
    edit: str | None = None

    def declared(self) -> NodeRef | None:
        """The node the notes under this line belong to."""
        if self.edit is not None:
            return None
        for ref in (self.source, self.target):
            if ref is not None and ref.kind is not None:
                return ref
        return None


def _node_ref(text: str) -> NodeRef:
    match = DECLARATION.match(text.strip())
    if match:
        word = match["kind"].lower()
        if word in KINDS or word in KIND_ALIASES:
            label, pairs = split_attributes(match["label"])
            if not label.strip():
                raise ConceptMapError(f"{match['kind']}: needs a label after the colon")
            return NodeRef(clean_label(label), normalize_kind(word), parse_attributes(pairs))
        if match["space"]:
            names = [*KINDS, *KIND_ALIASES, *EDITS]
            raise ConceptMapError(
                f"unknown kind {match['kind']!r}{suggest(word, names)} "
                f"(valid kinds: {', '.join(KINDS)})"
            )
    label, pairs = split_attributes(text)
    if not label.strip():
        raise ConceptMapError("attributes in braces end a label: 'action: Label {owner: @bob}'")
    return NodeRef(clean_label(label), None, parse_attributes(pairs))


def _link(text: str) -> tuple[str, str, str, str] | None:
    """``(left, relation, phrase, right)`` of a link, or None if ``text`` is no link."""
    arrows = list(ARROW.finditer(text))
    if len(arrows) > 1:
        raise ConceptMapError("a line holds one link; put each link on its own line")
    if not arrows:
        if "->" in text:
            raise ConceptMapError(
                "'->' is not a link here: write 'A -relation-> B' with a space before the "
                "first '-', and put a phrase with spaces in quotes: A -\"is stored in\"-> B"
            )
        return None
    arrow = arrows[0]
    left, right = text[: arrow.start()], text[arrow.end() :]
    if not left.strip() or not right.strip():
        raise ConceptMapError("a link needs a node on both sides of the arrow")
    if arrow["phrase"] is not None:
        return left, DEFAULT_RELATION, clean_phrase(arrow["phrase"]), right
    return left, normalize_relation(arrow["rel"] or DEFAULT_RELATION), "", right


def _statement(number: int, text: str) -> Statement:
    edit = EDIT.match(text)
    if edit:
        return _edit(number, text, edit["verb"].lower(), edit["rest"])
    link = _link(text)
    if link is None:
        return Statement(number, text, _node_ref(text))
    left, relation, phrase, right = link
    return Statement(number, text, _node_ref(left), relation, phrase, _node_ref(right))


def _named(text: str) -> NodeRef:
    """A label on an editing line; a kind before it (``concept: X``) is allowed and ignored."""
    ref = _node_ref(text)
    if ref.attrs:
        raise ConceptMapError(
            "attributes go on a line that declares or names a node, not on remove: or rename:"
        )
    return NodeRef(ref.label, None)


def _edit(number: int, text: str, verb: str, rest: str) -> Statement:
    if not rest.strip():
        raise ConceptMapError(f"{verb}: needs a label after the colon")
    if verb == "rename":
        if rest.count("=>") != 1:
            raise ConceptMapError("write 'rename: OLD => NEW', with one '=>'")
        old, new = rest.split("=>")
        if not old.strip() or not new.strip():
            raise ConceptMapError("a rename needs a label on both sides of '=>'")
        return Statement(number, text, _named(old), target=_named(new), edit=verb)
    link = _link(rest)
    if link is None:
        return Statement(number, text, _named(rest), edit=verb)
    left, relation, phrase, right = link
    return Statement(number, text, _named(left), relation, phrase, _named(right), edit=verb)


def parse(text: str, *, source: str | None = None) -> list[Statement]:
    """Check quick-entry text and return its statements; raise :class:`ParseError`.

    >>> [s.source.label for s in parse("concept: IPLD\\nIPLD -part_of-> IPFS")]
    ['IPLD', 'IPLD']
    """
    if not isinstance(text, str):
        raise ParseError([LineError(0, repr(text), "quick-entry text must be a string")], source)
    statements: list[Statement] = []
    errors: list[LineError] = []
    notes_owner: Statement | None = None
    for number, line in enumerate(textwrap.dedent(text.expandtabs(4)).splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            if notes_owner is not None and not stripped and notes_owner.notes:
                notes_owner.notes.append("")
            continue
        if line[0].isspace():
            if notes_owner is None:
                errors.append(
                    LineError(
                        number,
                        line,
                        "an indented note must follow a line that "
                        "declares a node, such as 'concept: ...'",
                    )
                )
            else:  # indentation kept: notes are Markdown, sub-points nest (dedented on use)
                notes_owner.notes.append(line.rstrip())
            continue
        try:
            statement = _statement(number, stripped)
        except ConceptMapError as exc:
            errors.append(LineError(number, line, str(exc)))
            notes_owner = None
            continue
        statements.append(statement)
        notes_owner = statement if statement.declared() is not None else None
    errors.extend(_conflicts(statements))
    errors.extend(_edit_conflicts(statements))
    if errors:
        raise ParseError(sorted(errors, key=lambda e: e.line), source)
    return statements


def _attribute_conflicts(
    st: Statement, given: dict[tuple[str, str], tuple[Any, int]]
) -> list[LineError]:
    """Attributes of a node that ``st`` gives other values than an earlier line did."""
    errors = []
    for ref in (st.source, st.target):
        if ref is None:
            continue
        for name, value in ref.attrs.items():
            seen = given.setdefault((label_key(ref.label), name), (value, st.line))
            if seen[0] != value:
                message = (
                    f"{ref.label!r} has {name} {value!r} here but {seen[0]!r} on line {seen[1]}"
                )
                errors.append(LineError(st.line, st.text, message))
    return errors


def _conflicts(statements: list[Statement]) -> list[LineError]:
    """Two lines of one text that say different things of one node."""
    given: dict[tuple[str, str], tuple[Any, int]] = {}
    errors = []
    kinds: dict[str, tuple[str, int]] = {}
    noted: dict[str, int] = {}
    for st in statements:
        errors.extend(_attribute_conflicts(st, given))
        for ref in (st.source, st.target):
            if ref is None or ref.kind is None:
                continue
            key = label_key(ref.label)
            seen = kinds.setdefault(key, (ref.kind, st.line))
            if seen[0] != ref.kind:
                errors.append(
                    LineError(
                        st.line,
                        st.text,
                        f"{ref.label!r} is declared a "
                        f"{ref.kind} here but a {seen[0]} on line {seen[1]}",
                    )
                )
        owner = st.declared()
        if owner is not None and st.notes:
            key = label_key(owner.label)
            if key in noted:
                errors.append(
                    LineError(
                        st.line,
                        st.text,
                        f"{owner.label!r} has notes on "
                        f"line {noted[key]} already; keep its notes together",
                    )
                )
            noted.setdefault(key, st.line)
    return errors


def _edit_conflicts(statements: list[Statement]) -> list[LineError]:
    """Lines that use a label another line removes or renames away, or re-add a removed link.

    Applied once, such a text would work; applied again, it would bring the label
    back as a new node, or add and remove the link again.
    """
    gone: dict[str, tuple[int, str]] = {}
    unlinked: dict[tuple[str, str, str], int] = {}
    for st in statements:
        key = label_key(st.source.label)
        if st.edit == "rename" and st.target is not None:
            new = st.target.label
            gone.setdefault(
                key, (st.line, f"renamed to {new!r} on line {st.line}; call it {new!r}")
            )
        elif st.edit == "remove" and st.target is None:
            gone.setdefault(key, (st.line, f"removed on line {st.line}; a text cannot also use it"))
        elif st.edit == "remove" and st.target is not None and st.relation is not None:
            unlinked.setdefault(_link_key(st), st.line)
    errors = []
    for st in statements:
        for ref in (st.source, st.target):
            seen = gone.get(label_key(ref.label)) if ref is not None else None
            if ref is not None and seen is not None and seen[0] != st.line:
                errors.append(LineError(st.line, st.text, f"{ref.label!r} is {seen[1]}"))
                break
        else:
            if st.edit is None and st.target is not None and _link_key(st) in unlinked:
                removed = unlinked[_link_key(st)]
                message = f"this link is removed on line {removed}; a text cannot also add it"
                errors.append(LineError(st.line, st.text, message))
    return errors


def _link_key(st: Statement) -> tuple[str, str, str]:
    target = st.target.label if st.target is not None else ""
    key = edge_key(st.relation or DEFAULT_RELATION, st.phrase)
    return label_key(st.source.label), key, label_key(target)


def _plan_edit(plan: Plan, st: Statement) -> None:
    """Plan a ``remove:`` or ``rename:`` line; what is gone already is left alone."""
    source = plan.named(st.source.label)
    if st.edit == "rename" and st.target is not None:
        if source is not None:
            plan.update(source, {"label": st.target.label})
    elif st.target is None:
        if source is not None:
            plan.remove(source)
    else:
        target = plan.named(st.target.label)
        if source is not None and target is not None:
            plan.disconnect(source, st.relation or DEFAULT_RELATION, target, st.phrase)


def plan_statements(plan: Plan, statements: list[Statement], source: str | None = None) -> None:
    """Plan the operations that make the map say what ``statements`` say."""
    declared = {
        label_key(ref.label): ref
        for st in statements
        for ref in (st.source, st.target)
        if ref is not None and ref.kind is not None
    }
    errors: list[LineError] = []

    def node(ref: NodeRef, notes: str | None, linked: bool) -> str:
        decl = ref if ref.kind is not None else declared.get(label_key(ref.label))
        if decl is None or decl.kind is None:
            node = plan.resolve(ref.label, linked=linked)
            if ref.attrs:
                plan.set_attributes(node, ref.attrs)
            return node
        return plan.declare(decl.label, decl.kind, notes=notes, **ref.attrs)

    for st in statements:
        try:
            if st.edit is not None:
                _plan_edit(plan, st)
                continue
            owner = st.declared()
            notes = clean_notes(textwrap.dedent("\n".join(st.notes))) if st.notes else None
            linked = st.target is not None and st.relation is not None
            source_id = node(st.source, notes if owner is st.source else None, linked)
            if st.target is not None and st.relation is not None:
                target_id = node(st.target, notes if owner is st.target else None, linked)
                plan.connect(source_id, st.relation, target_id, st.phrase)
        except ConceptMapError as exc:
            errors.append(LineError(st.line, st.text, str(exc)))
    if errors:
        raise ParseError(errors, source)
    plan.warn_near()
