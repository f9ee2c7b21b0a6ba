"""What a map becomes: reviews, drafts, pages, exports and notebook views.

The :class:`~conceptmap.model.ConceptMap` façade gets these methods from
:class:`MapOutputs`; each is one call into the layer that does the work (``rfc``,
``drawing``, ``readwrite``, ``jupyter``), imported when it is first used so that
``import conceptmap`` stays light. None of them touches the map's private state.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import networkx as nx

from .core.attributes import people_of
from .core.schema import Positions
from .rfc.checks import Finding, check, summary

if TYPE_CHECKING:
    from .jupyter.widget import MapWidget
    from .model import ConceptMap


class MapOutputs:
    """The façade's methods that read a map and make something of it."""

    def _facade(self) -> ConceptMap:
        # these methods are only ever called on a ConceptMap, which is a MapOutputs
        return cast("ConceptMap", self)

    def check(self) -> list[Finding]:
        """What a reviewer would ask about this map (see :func:`conceptmap.checks.check`)."""
        return check(self._facade())

    def rfc(
        self,
        style: str = "ipip",
        *,
        template: str | os.PathLike[str] | None = None,
        clean: bool = False,
    ) -> str:
        """A draft RFC in Markdown (``ipip``, ``rust``, ``ietf``, ``adr``, or your ``template``).

        ``clean`` leaves out the trace comments and the appendix (a copy to send).
        """
        from .rfc.draft import render

        return render(self._facade(), style, template, clean=clean)

    def write_rfc(
        self,
        path: str | os.PathLike[str],
        style: str = "ipip",
        *,
        template: str | os.PathLike[str] | None = None,
        clean: bool = False,
    ) -> Path:
        """Write :meth:`rfc` (in ``style``, or from your ``template``) to ``path``.

        An ``adr`` draft goes to a directory (one numbered file per decision) when
        ``path`` is one or has no suffix.
        """
        from .rfc.draft import write_rfc

        return write_rfc(self._facade(), path, style, template, clean=clean)

    def summary(self) -> dict[str, Any]:
        """Counts by kind and relation, participants and dates, as plain data."""
        return summary(self._facade())

    def people(self) -> list[str]:
        """Everyone in the session, each once: participants, authors, proposer, action owners.

        ``@alanshaw`` and ``alanshaw`` are one person, shown as the handle
        (see :func:`conceptmap.core.schema.people`).

        >>> from conceptmap import ConceptMap
        >>> m = ConceptMap("GC", author="alanshaw")
        >>> _ = m.set_meta("participants", ["@lidel"])
        >>> m.action("Measure lock hold times", owner="@alanshaw")
        'measure-lock-hold-times'
        >>> m.action("Write the spec", owner="Rod Vagg")
        'write-the-spec'
        >>> m.people()
        ['@lidel', '@alanshaw', 'Rod Vagg']
        """
        return people_of(self._facade().graph)

    def export(self, path: str | os.PathLike[str]) -> Path:
        """Write the map in the format the suffix of ``path`` names (``.json``, ...)."""
        from .readwrite import export

        return export(self._facade(), path)

    def write_html(
        self, path: str | os.PathLike[str], *, positions: Positions | None = None
    ) -> Path:
        """Write the interactive map: one HTML file that opens offline, by double click."""
        from .drawing.html import write_html

        return write_html(self._facade(), path, positions=positions)

    def to_pyvis(self, **options: Any) -> Any:
        """A ``pyvis.network.Network`` of this map, for pyvis users (built in linear time)."""
        from .drawing.pyvis_interop import to_pyvis

        return to_pyvis(self._facade(), **options)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Jupyter's display: the map drawn in a sandboxed iframe, text, and JSON."""
        from .jupyter.display import mimebundle

        return mimebundle(self._facade())

    def widget(self) -> MapWidget:
        """The live view (``notebook`` extra): follows the file, edits through quick entry.

        The same widget each time for this map object, until it is closed.
        """
        from .jupyter.widget import widget_for

        return widget_for(self._facade())

    def to_node_link(self) -> dict[str, Any]:
        """The map as node-link data (JSON-ready, lossless)."""
        from .readwrite.nodelink import node_link_data

        return node_link_data(self._facade())

    @classmethod
    def from_node_link(cls, data: Any, *, author: str | None = None) -> ConceptMap:
        """A new in-memory map from :meth:`to_node_link` data."""
        from .readwrite.nodelink import from_node_link

        return from_node_link(data, author=author)

    @classmethod
    def from_graph(cls, graph: nx.Graph[Any], *, author: str | None = None) -> ConceptMap:
        """A new in-memory map from a networkx graph, which is left as it was."""
        from .readwrite.nodelink import from_graph

        return from_graph(graph, author=author)
