"""conceptmap: turn a deep-dive design session into a map and a draft RFC.

>>> import conceptmap as cm
>>> m = cm.ConceptMap("GraphSync", author="vmx")
>>> print(m.apply("obstacle: Round trips per block -> Selectors"))
2 nodes added, 1 link added; created as concepts because a link named them: 'Selectors'
"""

from .core.attribution import default_author
from .core.plan import Change
from .core.quickentry import parse
from .core.schema import KIND_ALIASES, KINDS, RELATIONS
from .errors import (
    ConceptMapError,
    FileError,
    FormatVersionError,
    InvalidValueError,
    LineError,
    MapFileError,
    MapFileWarning,
    NodeNotFoundError,
    ParseError,
    TemplateError,
    TopicError,
)
from .jupyter.magic import load_ipython_extension
from .model import ConceptMap
from .readwrite import export, import_map
from .readwrite.nodelink import from_graph, from_node_link, node_link_data, read_json, write_json
from .rfc.checks import Finding
from .version import __version__

__all__ = [
    "KINDS",
    "KIND_ALIASES",
    "RELATIONS",
    "Change",
    "ConceptMap",
    "ConceptMapError",
    "FileError",
    "Finding",
    "FormatVersionError",
    "InvalidValueError",
    "LineError",
    "MapFileError",
    "MapFileWarning",
    "NodeNotFoundError",
    "ParseError",
    "TemplateError",
    "TopicError",
    "__version__",
    "default_author",
    "export",
    "from_graph",
    "from_node_link",
    "import_map",
    "load_ipython_extension",
    "node_link_data",
    "parse",
    "read_json",
    "write_json",
]
