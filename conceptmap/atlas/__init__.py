"""The atlas of a meeting: every session's map and draft, an index, a meeting map, search.

``conceptmap atlas maps/ -o site/`` (:func:`write_atlas`) writes the site; see
:mod:`conceptmap.atlas.site` for what it holds.
"""

from .site import write_atlas, write_site

__all__ = ["write_atlas", "write_site"]
