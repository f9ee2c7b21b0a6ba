"""Near-duplicate labels: a new label that probably means a node the map has already.

Two labels are near-duplicates when, once each is reduced to its words (case folded,
punctuation dropped, a plural ``s`` taken off),

- they are the same words run together: case, spacing, punctuation and plurals aside
  (``Web Locks API``, ``web-lock API``);
- run together, they are one typo apart: one letter added, dropped, changed, or two
  neighbours swapped, in labels of at least :data:`MIN_TYPO_LENGTH` letters, and not
  in a digit (``Kademlia``, ``Kademila``; but ``Session 37`` and ``Session 38`` differ);
- the content words of the shorter (``a``, ``the``, ``of``, ... aside) are all words
  of the longer, at least two of them, and at least two thirds as many
  (``Someguy sidecar``, ``Someguy as a routing sidecar``).

Cost. :meth:`LabelIndex.near` answers for one label from dictionaries: run-together
form -> nodes, word -> nodes, word set -> nodes. Typos are looked for among all forms
one letter longer, shorter or as long on maps of up to :data:`SCAN_LIMIT` nodes, and
on larger ones among the :data:`WINDOW` forms on each side of where the label sorts,
from its start and from its end: a label costs well under a millisecond on a
10,000-node map. The index of a map is built once (about 0.15 s at 10,000 nodes) and
then kept up to date from the operations appended since (:func:`index_of`).
:func:`pairs` (for ``check``) is linear too: each label is compared with its sorted
neighbours, and word sets are looked up by their subsets.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import weakref
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations, islice
from math import ceil
from typing import NamedTuple, TypeVar

from .perf import gc_paused
from .schema import clean_label, label_key
from .state import MapState, Op

#: words that do not make two labels different
STOPWORDS = frozenset(
    "a an and are as at be by for from in into is of on or per the to via with".split()  # noqa: SIM905
)
#: run-together labels shorter than this are never called typos of each other
MIN_TYPO_LENGTH = 5
#: maps up to this many nodes are searched whole for typos; larger ones by sorted neighbours
SCAN_LIMIT = 2_000
#: how many sorted neighbours, on each side, a label is compared with for typos
WINDOW = 3
#: how many candidates :meth:`LabelIndex.near` compares at most
MAX_CANDIDATES = 200
#: word sets larger than this are not looked up by their subsets (a sentence, not a name)
MAX_SUBSET_WORDS = 10

_WORD = re.compile(r"\w+")
_K = TypeVar("_K")


class Words(NamedTuple):
    """A label reduced to what :func:`close` compares (a tuple: made fast, for every label)."""

    squashed: str  # every word, singular, run together
    content: tuple[str, ...]  # the words that are not stopwords, in order
    distinct: frozenset[str]  # the same, once each
    letters: str  # ``squashed`` without its digits


def words(label: str) -> Words:
    """What two labels are compared by.

    >>> words("The Web Locks API 2").content
    ('web', 'lock', 'api', '2')
    >>> words("The Web Locks API 2").squashed
    'theweblockapi2'
    """
    key = (label if label.isascii() else unicodedata.normalize("NFC", label)).casefold()
    tokens = [
        t[:-1] if len(t) > 3 and t[-1] == "s" and t[-2] not in "siu" else t
        for t in _WORD.findall(key)
    ]  # singular: "locks" is "lock", but "class", "status" and "analysis" stay
    content = tuple(t for t in tokens if t not in STOPWORDS)
    squashed = "".join(tokens) or key.strip()
    return Words(squashed, content, frozenset(content), squashed.translate(_NO_DIGITS))


_NO_DIGITS = str.maketrans("", "", "0123456789")


def typo(a: Words, b: Words) -> bool:
    """Whether two labels are one typo apart (:func:`one_typo`), not in a digit."""
    return a.letters != b.letters and one_typo(a.squashed, b.squashed)


def one_typo(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one letter added, dropped or changed, or a swap.

    A difference in a digit is not a typo: ``step1`` and ``step2`` are two things.

    >>> one_typo("kademlia", "kademila"), one_typo("session37", "session38")
    (True, False)
    """
    if a == b or abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < MIN_TYPO_LENGTH:
        return False
    if a[0] != b[0] and a[-1] != b[-1]:
        return False
    start = _common_prefix(a, b)
    rest_a, rest_b = a[start:], b[start:]
    if len(rest_a) == len(rest_b):
        if rest_a[1:] == rest_b[1:]:
            changed = rest_a[0] + rest_b[0]
        elif rest_a[2:] == rest_b[2:] and rest_a[:2] == rest_b[1::-1]:
            changed = rest_a[:2]
        else:
            return False
    elif len(rest_a) > len(rest_b):
        changed = rest_a[0] if rest_a[1:] == rest_b else ""
    else:
        changed = rest_b[0] if rest_b[1:] == rest_a else ""
    return bool(changed) and not any(c.isdigit() for c in changed)


def _common_prefix(a: str, b: str) -> int:
    low, high = 0, min(len(a), len(b))
    while low < high:  # a binary search with slices: C-speed comparisons
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def contained(a: Words, b: Words) -> bool:
    """Whether the content words of the shorter are enough of the longer's.

    >>> contained(words("Someguy sidecar"), words("Someguy as a routing sidecar"))
    True
    """
    short, long = (a, b) if len(a.content) <= len(b.content) else (b, a)
    few = short.distinct
    return (
        len(few) >= 2 and 3 * len(short.content) >= 2 * len(long.content) and few <= long.distinct
    )


def close(a: Words, b: Words) -> bool:
    """Whether two labels, as :func:`words`, are near-duplicates."""
    return a.squashed == b.squashed or typo(a, b) or contained(a, b)


def _rank(target: Words, other: Words) -> tuple[int, int]:
    """Smaller is closer: the same words, then a typo, then containment."""
    if target.squashed == other.squashed:
        return (0, 0)
    if typo(target, other):
        return (1, 0)
    return (2, abs(len(target.content) - len(other.content)))


@dataclass
class LabelIndex:
    """The labels of a map's nodes, indexed to find near-duplicates fast."""

    labels: dict[str, str] = field(default_factory=dict)  # id -> label
    forms: dict[str, Words] = field(default_factory=dict)  # id -> words
    by_squashed: dict[str, set[str]] = field(default_factory=dict)
    by_word: dict[str, set[str]] = field(default_factory=dict)
    by_set: dict[frozenset[str], set[str]] = field(default_factory=dict)
    by_length: dict[int, set[str]] = field(default_factory=dict)  # length -> squashed forms
    set_sizes: Counter[int] = field(default_factory=Counter)  # word-set size -> nodes
    #: every label key that ever named a node, removed and renamed ones too (from a history)
    ever: set[str] = field(default_factory=set)
    ever_ids: set[str] = field(default_factory=set)  # ... and every node id
    read: int = 0  # how many operations of the history are in the index
    # the run-together forms sorted from their start and from their end (built on demand)
    _lines: tuple[list[tuple[str, str]], list[tuple[str, str]]] | None = None

    @classmethod
    def of(cls, labels: Iterable[tuple[str, str]]) -> LabelIndex:
        """An index of ``(id, label)`` pairs."""
        index = cls()
        with gc_paused():
            for node, label in labels:
                index.add(node, label)
        return index

    def add(self, node: str, label: str) -> None:
        """Index a node's label."""
        form = words(label)
        self.labels[node], self.forms[node] = label, form
        self.by_squashed.setdefault(form.squashed, set()).add(node)
        by_word = self.by_word
        for word in form.distinct:
            if word in by_word:
                by_word[word].add(node)
            else:
                by_word[word] = {node}
        self.by_set.setdefault(form.distinct, set()).add(node)
        self.set_sizes[len(form.distinct)] += 1
        self.by_length.setdefault(len(form.squashed), set()).add(form.squashed)
        if self._lines is not None:
            for line, text in zip(self._lines, _ends(form.squashed), strict=True):
                insort(line, (text, node))

    def discard(self, node: str) -> None:
        """Forget a node's label (it was removed, or is being renamed)."""
        form = self.forms.pop(node, None)
        if form is None:
            return
        del self.labels[node]
        _drop(self.by_squashed, form.squashed, node)
        for word in form.distinct:
            _drop(self.by_word, word, node)
        _drop(self.by_set, form.distinct, node)
        self.set_sizes[len(form.distinct)] -= 1
        if form.squashed not in self.by_squashed:
            self.by_length[len(form.squashed)].discard(form.squashed)
        if self._lines is not None:
            for line, text in zip(self._lines, _ends(form.squashed), strict=True):
                at = bisect_left(line, (text, node))
                if at < len(line) and line[at] == (text, node):
                    del line[at]

    def lines(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """``(form, id)`` sorted by form, and by the form read backwards."""
        if self._lines is None:
            ends = [(_ends(f.squashed), n) for n, f in self.forms.items()]
            self._lines = (sorted((e[0], n) for e, n in ends), sorted((e[1], n) for e, n in ends))
        return self._lines

    def catch_up(self, state: MapState) -> LabelIndex:
        """Read the operations ``state`` applied since the last call."""
        history = state.history
        new = history[self.read :]
        if len(new) > 1_000:
            self._lines = None  # sorting once beats inserting one by one
        with gc_paused(len(new) > 1_000):
            self._read(new)
        self.read = len(history)
        return self

    def _read(self, ops: list[Op]) -> None:
        for op in ops:
            name = op["op"]
            if name == "add_node" or (name == "update_node" and "label" in op):
                label = clean_label(op["label"])
                self.discard(op["id"])
                self.add(op["id"], label)
                self.ever.add(label_key(label))
                self.ever_ids.add(op["id"])
            elif name == "remove_node":
                self.discard(op["id"])

    def near(self, label: str, exclude: Container[str] = ()) -> str | None:
        """The id of the node whose label is closest to ``label``, if one is close."""
        target = words(label)
        # the candidates come closest first: a few hundred are enough to choose from
        wanted = islice(
            _unique(n for n in self._candidates(target) if n not in exclude), MAX_CANDIDATES
        )
        found = [n for n in wanted if close(target, self.forms[n])]
        if not found:
            return None
        return min(found, key=lambda n: _rank(target, self.forms[n]))

    def suggestion(self, label: str, exclude: Container[str] = ()) -> str:
        """``"; did you mean 'x'?"`` for the closest label, or ``""`` (for error messages).

        Beyond near-duplicates, difflib's looser match is tried on maps of up to
        :data:`SCAN_LIMIT` nodes.
        """
        node = self.near(label, exclude)
        if node is not None:
            return f"; did you mean {self.labels[node]!r}?"
        if len(self.labels) > SCAN_LIMIT:
            return ""
        keys = {label_key(text): text for n, text in self.labels.items() if n not in exclude}
        close = difflib.get_close_matches(label_key(label), keys, n=1, cutoff=0.6)
        return f"; did you mean {keys[close[0]]!r}?" if close else ""

    def _candidates(self, target: Words) -> Iterator[str]:
        squashed = target.squashed
        yield from self.by_squashed.get(squashed, ())
        if len(self.forms) <= SCAN_LIMIT:
            for length in (len(squashed) - 1, len(squashed), len(squashed) + 1):
                for other in self.by_length.get(length, ()):
                    if one_typo(squashed, other):
                        yield from self.by_squashed[other]
        else:
            for line, text in zip(self.lines(), _ends(squashed), strict=True):
                at = bisect_left(line, (text, ""))
                yield from (n for _, n in line[max(0, at - WINDOW) : at + WINDOW])
        distinct = target.distinct
        if len(distinct) >= 2:  # nodes whose words include all of these
            postings = sorted((self.by_word.get(w, set()) for w in distinct), key=len)
            yield from set.intersection(*postings)
        yield from self.subsets(target)

    def subsets(self, target: Words, *, proper: bool = False) -> Iterator[str]:
        """Nodes whose word set is a large enough part of ``target``'s (or all of it)."""
        words = len(target.distinct)
        if not 2 <= words <= MAX_SUBSET_WORDS:
            return
        sizes = range(max(2, ceil(2 * len(target.content) / 3)), words + (not proper))
        for size in reversed([size for size in sizes if self.set_sizes[size]]):
            for subset in combinations(sorted(target.distinct), size):
                yield from self.by_set.get(frozenset(subset), ())


def _unique(items: Iterable[str]) -> Iterator[str]:
    seen: set[str] = set()
    for item in items:
        if item not in seen:
            seen.add(item)
            yield item


def _ends(squashed: str) -> tuple[str, str]:
    return squashed, squashed[::-1]


def _drop(table: dict[_K, set[str]], key: _K, node: str) -> None:
    nodes = table.get(key)
    if nodes is not None:
        nodes.discard(node)
        if not nodes:
            del table[key]


_INDEXES: weakref.WeakKeyDictionary[MapState, LabelIndex] = weakref.WeakKeyDictionary()


def index_of(state: MapState) -> LabelIndex:
    """The label index of ``state``, up to date: built once, then caught up."""
    index = _INDEXES.get(state)
    if index is None:
        index = _INDEXES[state] = LabelIndex()
    return index.catch_up(state)


def pairs(index: LabelIndex) -> list[tuple[str, str]]:
    """Every pair of near-duplicate labels of the index, in the order the nodes came."""
    with gc_paused():
        return _pairs(index)


def _pairs(index: LabelIndex) -> list[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    forms = index.forms

    def pair(a: str, b: str) -> None:
        if a != b:
            found.add((a, b) if a < b else (b, a))

    for group in (index.by_squashed, index.by_set):
        for nodes in group.values():
            for a, b in combinations(sorted(nodes), 2) if len(nodes) > 1 else ():
                if close(forms[a], forms[b]):
                    pair(a, b)
    for line in index.lines():
        for i, (text, node) in enumerate(line):
            form = forms[node]
            for other_text, other in line[i + 1 : i + 1 + WINDOW]:
                # the cheap tests first: this runs for every label of the map
                if (
                    abs(len(text) - len(other_text)) <= 1
                    and form.letters != forms[other].letters
                    and one_typo(text, other_text)
                ):
                    pair(node, other)
    for node, form in forms.items():
        for other in index.subsets(form, proper=True):
            if contained(form, forms[other]):
                pair(node, other)
    order = {n: i for i, n in enumerate(forms)}
    ordered = [(a, b) if order[a] < order[b] else (b, a) for a, b in found]
    return sorted(ordered, key=lambda p: (order[p[0]], order[p[1]]))
