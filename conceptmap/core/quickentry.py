"""The quick-entry syntax: what people type while the discussion runs.

One fact per line::

    # a comment
    topic: Locking the IPFS repo for concurrent access
    obstacle: Two tabs write the same repo
      Indented lines are notes of the node declared just above.
    proposal: One lock per datastore -addresses-> Two tabs write the same repo
    Web Locks API -"is implemented by"-> Browser
    Web Locks API -> IndexedDB

``kind: label`` declares (or re-kinds) a node; ``A -relation-> B`` links two
nodes and either side may be a declaration; a quoted relation is a free
linking phrase; a bare ``A -> B`` is ``relates_to``; a label that names no node
yet becomes a ``concept``. :func:`parse` checks the text without a map;
:func:`plan_statements` turns it into operations against one.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from ..errors import ConceptMapError, LineError, ParseError
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

# "-relation->", '-"phrase"->' or "->", with white space (or the line start) before it
ARROW = re.compile(r'(?<!\S)-(?:(?:"(?P<phrase>[^"]*)"|(?P<rel>[A-Za-z][\w-]*?))-)?>')
DECLARATION = re.compile(r"^(?P<kind>[A-Za-z_]+)\s*:(?P<space>\s*)(?P<label>.*)$")


@dataclass
class NodeRef:
    """A node named in a line: with a kind if declared there, else ``None``."""

    label: str
    kind: str | None


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

    def declared(self) -> NodeRef | None:
        """The node the notes under this line belong to."""
        for ref in (self.source, self.target):
            if ref is not None and ref.kind is not None:
                return ref
        return None


def _node_ref(text: str) -> NodeRef:
    match = DECLARATION.match(text.strip())
    if match:
        word = match["kind"].lower()
        if word in KINDS or word in KIND_ALIASES:
            label = match["label"]
            if not label.strip():
                raise ConceptMapError(f"{match['kind']}: needs a label after the colon")
            return NodeRef(clean_label(label), normalize_kind(word))
        if match["space"]:
            names = [*KINDS, *KIND_ALIASES]
            raise ConceptMapError(
                f"unknown kind {match['kind']!r}{suggest(word, names)} "
                f"(valid kinds: {', '.join(KINDS)})"
            )
    return NodeRef(clean_label(text), None)


def _statement(number: int, text: str) -> Statement:
    arrows = list(ARROW.finditer(text))
    if len(arrows) > 1:
        raise ConceptMapError("a line holds one link; put each link on its own line")
    if not arrows:
        if "->" in text:
            raise ConceptMapError(
                "'->' is not a link here: write 'A -relation-> B' with a space before the "
                "first '-', and put a phrase with spaces in quotes: A -\"is stored in\"-> B"
            )
        return Statement(number, text, _node_ref(text))
    arrow = arrows[0]
    left, right = text[: arrow.start()], text[arrow.end() :]
    if not left.strip() or not right.strip():
        raise ConceptMapError("a link needs a node on both sides of the arrow")
    if arrow["phrase"] is not None:
        relation, phrase = DEFAULT_RELATION, clean_phrase(arrow["phrase"])
    else:
        relation, phrase = normalize_relation(arrow["rel"] or DEFAULT_RELATION), ""
    return Statement(number, text, _node_ref(left), relation, phrase, _node_ref(right))


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
            else:
                notes_owner.notes.append(stripped)
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
    if errors:
        raise ParseError(sorted(errors, key=lambda e: e.line), source)
    return statements


def _conflicts(statements: list[Statement]) -> list[LineError]:
    """Two lines of one text that say different things of one node."""
    errors = []
    kinds: dict[str, tuple[str, int]] = {}
    noted: dict[str, int] = {}
    for st in statements:
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


def plan_statements(plan: Plan, statements: list[Statement], source: str | None = None) -> None:
    """Plan the operations that make the map say what ``statements`` say."""
    declared = {
        label_key(ref.label): ref
        for st in statements
        for ref in (st.source, st.target)
        if ref is not None and ref.kind is not None
    }
    errors: list[LineError] = []

    def node(ref: NodeRef, notes: str | None = None) -> str:
        decl = ref if ref.kind is not None else declared.get(label_key(ref.label))
        if decl is None or decl.kind is None:
            return plan.resolve(ref.label)
        return plan.declare(decl.label, decl.kind, notes=notes)

    for st in statements:
        try:
            owner = st.declared()
            notes = clean_notes("\n".join(st.notes)) if st.notes else None
            source_id = node(st.source, notes if owner is st.source else None)
            if st.target is not None and st.relation is not None:
                target_id = node(st.target, notes if owner is st.target else None)
                plan.connect(source_id, st.relation, target_id, st.phrase)
        except ConceptMapError as exc:
            errors.append(LineError(st.line, st.text, str(exc)))
    if errors:
        raise ParseError(errors, source)
