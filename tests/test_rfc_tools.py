"""Each draft style passes the real tools it is written for.

- every style through markdownlint (npm ``markdownlint-cli2``: MADR's config is
  markdownlint's format) with the relevant config of ``tests/data/upstream/``
  (MADR's own for ``adr``), and each upstream template passes the config we use
  for its style, so no rule is off that the template itself keeps;
- ``ietf`` through kramdown-rfc (Debian ``ruby-kramdown-rfc2629``) and ``xml2rfc
  --text --html`` (pip) with no error, the diagram a figure (kramdown-rfc draws a
  ``~~~ mermaid`` block with ``mmdc``, npm ``@mermaid-js/mermaid-cli``, and checks
  it with pip ``svgcheck``);
- GitHub's renderer (``cmarkgfm``) reads the lead-ins after a list as paragraphs.

A missing tool skips its tests with the reason, except under ``CI=true``, where
``.ci/run`` installs them and they must run.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

import conceptmap as cm
from conceptmap.demo import example_text
from conceptmap.rfc.draft import STYLES, adr_records

from .test_rfc_sessions_fidelity import SESSIONS, session

UPSTREAM = Path(__file__).parent / "data" / "upstream"
CONFIGS = {
    "ipip": UPSTREAM / "ipip.markdownlint.yml",
    "rust": UPSTREAM / "rust.markdownlint.yml",
    "ietf": UPSTREAM / "ietf.markdownlint-cli2.yaml",
    "adr": UPSTREAM / "madr.markdownlint.yml",
}
TEMPLATES = {
    "ipip": UPSTREAM / "ipip-template.md",
    "rust": UPSTREAM / "rust-0000-template.md",
    "adr": UPSTREAM / "madr-adr-template.md",
}
CI = os.environ.get("CI") == "true"

RICH_NOTES = """\
topic: Private DHT
  Lookups leak what a peer wants:
  1. the key, to every hop
  2. the requester's address
     - and its timing
  See `dht.FindProviders` and https://github.com/libp2p/specs/issues/373.
obstacle: Peers learn what others look up {tags: privacy}
obstacle: A peer can flood the routing table {tags: dos}
  - cheap identities
  - no rate limit
proposal: Double hashing {url: https://github.com/libp2p/specs/pull/373}
  <script>alert(1)</script> # not a heading
  ---
  | not | a table |
Double hashing -addresses-> Peers learn what others look up
proposal: Prefix lookups -part_of-> Double hashing
shortcoming: Prefixes still narrow the key down -drawback_of-> Prefix lookups
Rate limits per peer -addresses-> Prefixes still narrow the key down
proposal: Onion routing
decision: Use double hashing {status: accepted}
Use double hashing -chooses-> Double hashing
Use double hashing -rejects-> Onion routing
action: Write the spec {owner: @guillaumemichel, due: 2026-12-15}
reference: Double hashing spec {url: https://github.com/libp2p/specs/pull/373}
question: Does it slow lookups down?
"""


def tool(name: str, why: str) -> str:
    """The path of the command ``name``, or a skip (a failure under CI) saying what is missing."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        if CI:
            pytest.fail(f"{name} is missing under CI=true ({why}); .ci/run installs it")
        pytest.skip(f"{name} is not installed ({why})")
    return found


def worked() -> cm.ConceptMap:
    m = cm.ConceptMap(author="alanshaw")
    m.set_meta("participants", ["alanshaw", "achingbrain", "hugomrdias", "lidel"])
    m.set_meta("date", "2019-07-15")
    m.apply(example_text())
    return m


def rich() -> cm.ConceptMap:
    m = cm.ConceptMap(author="yiannisbot")
    m.set_meta("participants", ["@yiannisbot", "@guillaumemichel"])
    m.set_meta("date", "2026-11-27")
    m.apply(RICH_NOTES)
    return m


MAPS: dict[str, Callable[[], cm.ConceptMap]] = {
    "worked": worked,
    "rich": rich,
    **{name: functools.partial(session, name) for name in SESSIONS},
}


def write_drafts(directory: Path, style: str) -> list[Path]:
    """Every map's draft in ``style``, with and without ``--clean``; adr as one file a record."""
    files = []
    for name, make in MAPS.items():
        m = make()
        for clean in (False, True):
            stem = f"{name}{'.clean' if clean else ''}"
            if style == "adr":
                for record, text in adr_records(m, clean=clean):
                    files.append(directory / f"{stem}.{record}")
                    files[-1].write_text(text, encoding="utf-8")
            else:
                files.append(directory / f"{stem}.{style}.md")
                files[-1].write_text(m.rfc(style, clean=clean), encoding="utf-8")
    return files


def markdownlint(files: list[Path], config: Path) -> subprocess.CompletedProcess[str]:
    exe = tool("markdownlint-cli2", "npm install -g markdownlint-cli2")
    return subprocess.run(
        [exe, "--config", str(config), *map(str, files)],
        capture_output=True, text=True, cwd=files[0].parent, timeout=300,
    )  # fmt: skip


@pytest.mark.slow  # runs the real tool in a process of its own
@pytest.mark.parametrize("style", STYLES)
def test_every_draft_passes_markdownlint(tmp_path: Path, style: str) -> None:
    files = write_drafts(tmp_path, style)
    done = markdownlint(files, CONFIGS[style])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Summary: 0 error(s)" in done.stdout + done.stderr
    assert len(files) >= 2 * len(MAPS)


@pytest.mark.slow  # runs the real tool in a process of its own
@pytest.mark.parametrize("style", list(TEMPLATES))
def test_each_upstream_template_passes_the_config_used_for_its_style(
    tmp_path: Path, style: str
) -> None:
    copy = tmp_path / TEMPLATES[style].name
    shutil.copy(TEMPLATES[style], copy)
    done = markdownlint([copy], CONFIGS[style])
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_adr_config_is_madrs_own() -> None:
    config = yaml.safe_load(CONFIGS["adr"].read_text(encoding="utf-8"))
    assert config == {"default": True, "MD013": False, "MD024": False}


# --- the upstream templates' layout ---------------------------------------------------


def heading_levels(text: str) -> list[str]:
    body = re.sub(r"(?s)\A---\n.*?\n---\n", "", text)
    fenced = re.sub(r"(?ms)^(~~~|```).*?^\1", "", body)
    return [line.split(" ")[0] for line in fenced.splitlines() if re.match(r"#+ ", line)]


@pytest.mark.parametrize("style", ["ipip", "rust"])
def test_sections_have_the_upstream_templates_levels(style: str) -> None:
    upstream = re.sub(r"(?s)\A---\n.*?\n---\n", "", TEMPLATES[style].read_text(encoding="utf-8"))
    wanted = {
        line.split(" ", 1)[1]: line.split(" ")[0]
        for line in upstream.splitlines()
        if re.match(r"#+ ", line)
    }
    text = worked().rfc(style)
    found = {
        line.split(" <!--")[0].split(" ", 1)[1]: line.split(" ")[0]
        for line in text.splitlines()
        if re.match(r"#+ ", line)
    }
    assert {k: found.get(k) for k in wanted} == wanted
    assert "#" not in heading_levels(text)  # no H1: ipip's title is in its front matter


def front_keys(text: str) -> list[str]:
    return list(yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---\n")))


@pytest.mark.parametrize("style", ["ipip", "adr"])
def test_front_matter_has_the_upstream_templates_keys(style: str) -> None:
    upstream = front_keys(TEMPLATES[style].read_text(encoding="utf-8"))
    text = worked().rfc(style) if style == "ipip" else adr_records(worked())[0][1]
    assert front_keys(text)[: len(upstream)] == upstream


# --- kramdown-rfc and xml2rfc ---------------------------------------------------------


@pytest.fixture(scope="module")
def ietf_tools(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """PATH and cache settings under which kramdown-rfc finds mmdc (headless Chromium)."""
    tool("kramdown-rfc", "apt-get install ruby-kramdown-rfc2629")
    tool("xml2rfc", "pip install xml2rfc")
    mmdc = tool("mmdc", "npm install -g @mermaid-js/mermaid-cli (kramdown-rfc draws the figure)")
    svgcheck = tool("svgcheck", "pip install svgcheck (kramdown-rfc checks the figure)")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        if CI:
            pytest.fail("Chromium is missing under CI=true (mmdc draws with it)")
        pytest.skip("no Chromium for mmdc to draw the figure with")
    home = tmp_path_factory.mktemp("kramdown")
    (home / "puppeteer.json").write_text(
        json.dumps({"executablePath": chromium, "args": ["--no-sandbox", "--disable-gpu"]})
    )
    # text labels, not HTML ones: svgcheck keeps only what RFC SVG allows
    (home / "mermaid.json").write_text(json.dumps({"flowchart": {"htmlLabels": False}}))
    shim = home / "bin"
    shim.mkdir()
    (shim / "mmdc").write_text(
        f'#!/bin/sh\nexec "{mmdc}" -p "{home}/puppeteer.json" -c "{home}/mermaid.json" "$@"\n'
    )
    (shim / "mmdc").chmod(0o755)
    path = os.pathsep.join([str(shim), str(Path(svgcheck).parent), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path, "KRAMDOWN_REFCACHEDIR": str(home / "cache")}


@pytest.mark.slow  # runs the real tool in a process of its own
@pytest.mark.parametrize("name", ["worked", "rich", SESSIONS[0]])
def test_ietf_draft_builds_with_kramdown_rfc_and_xml2rfc(
    tmp_path: Path, ietf_tools: dict[str, str], name: str
) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text(MAPS[name]().rfc("ietf"), encoding="utf-8")
    kramdown = subprocess.run(
        ["kramdown-rfc", str(draft)], capture_output=True, text=True, cwd=tmp_path,
        env=ietf_tools, timeout=300,
    )  # fmt: skip
    assert kramdown.returncode == 0, kramdown.stderr
    assert "<figure" in kramdown.stdout
    assert 'type="svg"' in kramdown.stdout
    (tmp_path / "draft.xml").write_text(kramdown.stdout, encoding="utf-8")
    xml2rfc = subprocess.run(
        ["xml2rfc", "--text", "--html", "draft.xml"], capture_output=True, text=True,
        cwd=tmp_path, env=ietf_tools, timeout=300,
    )  # fmt: skip
    assert xml2rfc.returncode == 0, xml2rfc.stderr
    assert not re.search(r"(?m)^.*\bError\b", xml2rfc.stdout + xml2rfc.stderr), xml2rfc.stderr
    text = (tmp_path / "draft.txt").read_text(encoding="utf-8")
    assert re.search(r"Figure 1: The core of the map", text)
    assert (tmp_path / "draft.html").stat().st_size > 0
    # the appendix and Related Work are unnumbered, after the numbered sections
    assert re.search(r"(?m)^Appendix: where each node went$", text)


# --- GitHub's renderer ----------------------------------------------------------------


class _Items(HTMLParser):
    """The texts that sit inside a list item, and those outside any."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.inside: list[str] = []
        self.outside: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.depth += tag == "li"

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag == "li"

    def handle_data(self, data: str) -> None:
        (self.inside if self.depth else self.outside).append(data.strip())


LEAD_INS = ["The problems this addresses:", "What a solution must do:", "Known shortcomings:"]


@pytest.mark.parametrize("clean", [False, True])
def test_lead_ins_after_a_list_are_paragraphs_on_github(clean: bool) -> None:
    cmark = pytest.importorskip("cmarkgfm", reason="pip install cmarkgfm (GitHub's renderer)")
    m = worked()
    html = cmark.github_flavored_markdown_to_html(m.rfc("ipip", clean=clean))
    items = _Items()
    items.feed(html)
    for lead_in in LEAD_INS:
        assert lead_in in items.outside, f"{lead_in!r} folded into a list item"
        assert not any(lead_in in text for text in items.inside)
