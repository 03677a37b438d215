"""The reference manual builds, and the examples in README.md, docs/ and the public docstrings work.

An example that no test runs goes wrong silently when the code changes, and
a reader who copies it is the first to find out. So: the manual
(``mkdocs.yml``: the README as its home page, the pages of ``docs/``, and a
reference generated from the docstrings) builds with ``--strict``, which
fails on a broken link or anchor and on a docstring that documents a
parameter the function does not have; the public API's docstrings have
numpydoc sections; every Python block of the Markdown runs; every ``immsim``
command line parses against the real command line; every YAML block
validates as what it shows; the SQL query runs on a catalog; and every
docstring example passes as a doctest. What each kind of block means, and
how a block is marked as deliberately not run, is in ``doc_examples.py``.
Examples that simulate are in the slow set.
"""

from __future__ import annotations

import doctest
import functools
import importlib
import io
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
import yaml

from doc_examples import LANGUAGES, PAGES, ROOT, blocks, commands, variants

DOCS = ROOT / "docs"
#: Modules whose docstring examples are run (the public API lives in them).
PUBLIC_MODULES = (
    "immsim.scenario.loader",
    "immsim.simulation",
    "immsim.results",
    "immsim.comparison",
    "immsim.solvers",
    "immsim.sweeps",
    "immsim.errors",
)
#: A docstring example that calls one of these simulates, which takes seconds: it goes in the slow set.
SIMULATES = re.compile(r"\b(simulate|compare|sweep|officers_to_match_arrests|judges_to_stop_growth)\(")
#: Functions whose docstrings need no Raises section: they raise nothing a caller should expect.
RAISE_NOTHING = ("builtin_names", "Result.", "solvers.Answer.")
#: Public members of documented classes that the reference leaves out, and why.
LEFT_OUT = {"Result.from_replications": "the constructor simulate uses, not called by users"}


def _run(args: list[str], cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


# --- the manual ---------------------------------------------------------------------------------


def test_the_manual_builds_strictly_and_needs_no_network(tmp_path):
    site = tmp_path / "site"
    proc = _run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for page in DOCS.glob("*.md"):
        assert (site / f"{page.stem}.html").is_file(), f"docs/{page.name} is not in the manual"
    reference = (site / "reference.html").read_text()
    for name in _public_names():
        assert f"immsim.{name}" in reference, f"the reference does not document immsim.{name}"
    home = (site / "index.html").read_text()
    assert "Two commands" in home and "--8&lt;--" not in home, "the home page is not the README"
    fetched = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=[\"'](?:https?:)?//|@import\s+url\(\s*[\"']?http")
    for page in site.rglob("*.html"):
        hit = fetched.search(page.read_text())
        assert hit is None, f"{page.relative_to(site)} loads {hit[0]!r} from the network"


def test_a_broken_link_or_reference_fails_the_build(tmp_path):
    """The strict build is a check only if it fails: a page with a broken link, anchor and API reference."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(
        "# Home\n\n[gone](missing.md), [no anchor](#no-such-heading), [no object][immsim.no_such_function]\n"
    )
    config.update(docs_dir=str(docs), nav=["index.md"])
    plugins = {k: v for p in config["plugins"] if isinstance(p, dict) for k, v in p.items()}
    plugins["mkdocstrings"]["handlers"]["python"]["paths"] = [str(ROOT / "src")]  # relative to mkdocs.yml
    extensions = {k: v for e in config["markdown_extensions"] if isinstance(e, dict) for k, v in e.items()}
    extensions["pymdownx.snippets"]["base_path"] = [str(ROOT)]
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    proc = _run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")], tmp_path)
    assert proc.returncode != 0
    for problem in ("missing.md", "#no-such-heading", "immsim.no_such_function"):
        assert problem in proc.stderr, proc.stderr


def _public_names() -> list[str]:
    import immsim

    return [n for n in immsim.__all__ if not n.startswith("__")]


def _reference_entries() -> dict[str, list[str] | None]:
    """The objects ``docs/reference.md`` documents (``::: path``) and the members it lists for each."""
    text = (DOCS / "reference.md").read_text()
    out: dict[str, list[str] | None] = {}
    for m in re.finditer(r"^::: (\S+)\n((?:    .*\n)*)", text, re.M):
        options = (yaml.safe_load(textwrap.dedent(m[2])) or {}).get("options", {})
        out[m[1].removeprefix("immsim.")] = options.get("members")
    return out


def test_the_reference_documents_the_public_api_in_numpydoc():
    """Each public function has Parameters, Returns, Raises and Examples; each class Attributes and Examples."""
    import griffe

    package = griffe.load("immsim", search_paths=[str(ROOT / "src")], docstring_parser="numpy")
    entries = _reference_entries()
    missing = [n for n in _public_names() if n not in entries]
    assert not missing, f"docs/reference.md leaves out public names: {missing}"
    problems = []
    for path, members in entries.items():
        problems += _documented(package[path], path, members)
    assert not problems, "\n".join(problems)


def _documented(obj, path: str, members: list[str] | bool | None) -> list[str]:
    """What ``obj`` and the members the reference shows of it lack (``members``: as in its options).

    A public member of a class that the reference leaves out is a problem too, unless ``LEFT_OUT`` says why.
    """
    problems = [] if obj.is_module else _sections(obj, path)
    shown = set(members) if isinstance(members, list) else set()
    if obj.is_class and members is not False:
        public = {n for n, m in obj.members.items() if not n.startswith("_") and not _is_field(m)}
        shown = public if members is None else shown
        left = public - shown - {k.rpartition(".")[2] for k in LEFT_OUT if k.rpartition(".")[0] == path}
        problems += [f"{path}.{n}: public but not in docs/reference.md" for n in sorted(left)]
    for name in sorted(shown):
        problems += _documented(obj[name], f"{path}.{name}", None)
    return problems


def _is_field(member) -> bool:
    """A data attribute (documented in its class's Attributes section), not a method or property."""
    return member.is_attribute and "property" not in member.labels


def _sections(obj, path: str) -> list[str]:
    """What the numpydoc docstring of ``obj`` (at ``path`` under ``immsim``) lacks."""
    if not obj.docstring:
        return [f"{path}: no docstring"]
    sections = {s.kind.value: s for s in obj.docstring.parse("numpy")}
    needed = ["examples"]
    if obj.is_function and "property" not in obj.labels:
        params = [p.name for p in obj.parameters if p.name not in ("self", "cls") and not p.name.startswith("_")]
        needed += ["parameters"] if params else []
        needed += ["returns"] if str(obj.returns) not in ("None", "") else []
        needed += [] if path.startswith(RAISE_NOTHING) else ["raises"]
        documented = {p.name for p in sections["parameters"].value} if "parameters" in sections else set()
        lacking = [p for p in params if p not in documented]
    elif obj.is_class:
        fields = [n for n, m in obj.members.items() if _is_field(m)]
        needed += ["attributes"] if any(not n.startswith("_") for n in fields) else []
        lacking = []
    else:
        lacking = []
    return [f"{path}: no {k} section" for k in needed if k not in sections] + [
        f"{path}: parameter {p!r} is not documented" for p in lacking
    ]


# --- fenced blocks --------------------------------------------------------------------------------

ALL = blocks()


def _params(language: str, slow: bool = False) -> list:
    marks = [pytest.mark.slow] if slow else []
    return [pytest.param(b, id=b.where, marks=marks) for b in ALL if b.language == language]


def test_every_block_says_what_it_is():
    odd = [f"{b.where}: ```{b.language}" for b in ALL if b.language not in LANGUAGES]
    assert not odd, f"fences must name one of {LANGUAGES} (text: output, diagrams, listings): {odd}"
    assert len(PAGES) > 10 and sum(b.language == "python" for b in ALL) >= 3


def test_the_block_reader(tmp_path):
    """Fences with their language and line, a ``not run`` comment before a fence, inline commands."""
    page = tmp_path / "page.md"
    page.write_text(
        "Run `immsim run --years 2` or `immsim`.\n\n"
        "```python\nprint(1)\n```\n\n"
        "<!-- not run: needs a Dask scheduler -->\n\n"
        "```sh\nimmsim sweep s.yaml --scheduler tcp://x:8786  # a comment\n```\n\n"
        "- a list item:\n\n  ```sh\n  immsim run --seed 3 && bash scripts/run.sh\n  ```\n"
    )
    found = blocks([page])
    assert [(b.line, b.language, b.not_run) for b in found] == [
        (3, "python", None),
        (9, "sh", "needs a Dask scheduler"),
        (15, "sh", None),
    ]
    assert found[0].code == "print(1)\n" and found[2].code.startswith("immsim run")
    assert [c.args for c in commands([page])] == [
        ["immsim", "run", "--seed", "3"],
        ["bash", "scripts/run.sh"],
        ["immsim", "run", "--years", "2"],
    ]


@pytest.mark.parametrize("block", _params("python"))
def test_python_examples_compile(block):
    compile(block.code, block.where, "exec")


@pytest.mark.parametrize("block", _params("python", slow=True))
def test_python_examples_run(block, tmp_path):
    if block.not_run:
        pytest.skip(f"{block.where} not run: {block.not_run}")
    proc = _run([sys.executable, "-c", block.code], tmp_path)
    assert proc.returncode == 0, f"{block.where}:\n{block.code}\n{proc.stderr[-3000:]}"


# --- command lines --------------------------------------------------------------------------------


@functools.cache
def _help(path: tuple[str, ...]) -> tuple[set[str], set[str]] | None:
    """The subcommands and the options that ``immsim PATH --help`` lists (None if it fails)."""
    from typer.testing import CliRunner

    from immsim.cli import app

    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    if result.exit_code != 0:
        return None
    section, listed, options = "", set(), set()
    for line in result.output.splitlines():
        if m := re.match(r"\s*╭─ (\w+)", line):
            section = m[1]
            continue
        body = line.strip().strip("│").strip()
        if section == "Commands" and body:
            listed.add(body.split()[0])
        elif section == "Options":
            options |= set(re.findall(r"(?<![\w-])--?[A-Za-z][\w-]*", body))
    return listed, options


def _cli_problem(args: list[str]) -> str | None:
    """Whether ``immsim ARGS`` names commands and options that ``--help`` lists; the problem, if any."""
    path, rest = [], list(args)
    while True:
        listed = _help(tuple(path))
        shown = " ".join(["immsim", *path])
        if listed is None:
            return f"`{shown} --help` fails"
        subcommands, options = listed
        if not subcommands:
            unknown = [w.split("=")[0] for w in rest if w.startswith("-") and w.split("=")[0] not in options]
            return f"`{shown} --help` lists no {', '.join(unknown)}" if unknown else None
        if not rest or rest[0] == "--help":
            return None
        if rest[0] not in subcommands:
            return f"`{shown}` has no command {rest[0]!r} (it has {', '.join(sorted(subcommands))})"
        path.append(rest.pop(0))


def _script_problem(args: list[str]) -> str | None:
    """For ``bash scripts/x.sh`` or ``python tools/x.py --opt``: the file exists and names each option."""
    files = [a for a in args if re.match(r"^(scripts|tools|benchmarks)/\S+\.(sh|py)$", a)]
    for f in files:
        if not (ROOT / f).is_file():
            return f"{f} does not exist"
        source = (ROOT / f).read_text()
        unknown = [a.split("=")[0] for a in args if a.startswith("--") and a.split("=")[0] not in source]
        if unknown and not f.endswith("run.sh"):
            return f"{f} has no option {unknown}"
    return None


def test_command_lines_name_real_commands_and_options():
    """Each ``immsim`` command line, with and without its ``[optional]`` parts, names commands and
    options that ``--help`` lists; scripts exist and name the options given.

    ``bash scripts/run.sh ARGS`` passes ARGS to ``immsim run``. Nothing is run.
    """
    found = commands()
    problems = []
    for c in found:
        program, args = c.args[0], c.args[1:]
        if program.endswith("immsim"):
            problems += [f"{c.where}: {c.text}: {p}" for v in variants(args) if (p := _cli_problem(v))]
        elif c.args[:2] == ["bash", "scripts/run.sh"] and len(c.args) > 2:
            problems += [f"{c.where}: {c.text}: {p}" for v in variants(["run", *args[1:]]) if (p := _cli_problem(v))]
        elif problem := _script_problem(c.args):
            problems.append(f"{c.where}: {c.text}: {problem}")
    assert sum(c.args[0].endswith("immsim") for c in found) > 40
    assert not problems, "\n".join(problems)


def test_the_command_line_check_finds_mistakes():
    assert _cli_problem(["run", "--years", "1"]) is None
    assert _cli_problem(["solve", "judges", "us-2017", "--fiscal-year", "2018"]) is None
    assert _cli_problem(["--help"]) is None
    assert "has no command 'runn'" in _cli_problem(["runn"])
    assert "has no command 'shw'" in _cli_problem(["scenario", "shw", "x"])
    assert "lists no --yeras" in _cli_problem(["run", "--yeras", "1"])
    assert "lists no --clear-by" in _cli_problem(["solve", "officers", "a", "b", "--clear-by", "2025"])
    assert _cli_problem(["run", "-r", "2", "--no-report"]) is None
    assert variants(["run", "[SCENARIO]", "[--out", "DIR]"]) == [["run"], ["run", "SCENARIO", "--out", "DIR"]]


# --- YAML and SQL ---------------------------------------------------------------------------------


@pytest.mark.parametrize("block", _params("yaml"))
def test_yaml_examples_are_valid(block, tmp_path):
    """A reform file (``base``) loads; a change list applies to us-2017; parameter entries replace
    us-2017's; a sweep spec (``design``) is accepted."""
    import immsim
    from immsim.model.parameters import SPECS
    from immsim.scenario.loader import parse_scenario
    from immsim.sweeps.spec import spec_from_dict

    if block.not_run:
        pytest.skip(f"{block.where} not run: {block.not_run}")
    doc = yaml.safe_load(block.code)
    if "base" in doc:
        (tmp_path / "reform.yaml").write_text(block.code)
        immsim.load_scenario(tmp_path / "reform.yaml")
    elif "design" in doc:
        spec_from_dict(doc, tmp_path)
    elif set(doc) == {"changes"}:
        immsim.load_scenario("us-2017").with_changes(doc["changes"])
    elif set(doc) <= {s.name for s in SPECS}:
        scenario = yaml.safe_load(immsim.load_scenario("us-2017").text)
        scenario["parameters"].update(doc)
        parse_scenario(yaml.safe_dump(scenario), block.where)
    else:
        pytest.fail(f"{block.where}: not a reform, change list, parameter entry or spec; mark it <!-- not run: why -->")


@pytest.mark.slow
@pytest.mark.parametrize("block", _params("sql"))
def test_sql_examples_run_on_a_catalog(block, tmp_path, monkeypatch):
    """The query runs on a catalog of a small sweep over the parameters it names, and returns rows.

    Its first line names the catalog (``-- duckdb DIR/catalog.duckdb``).
    """
    import duckdb

    import immsim

    if block.not_run:
        pytest.skip(f"{block.where} not run: {block.not_run}")
    monkeypatch.chdir(tmp_path)
    catalog = re.match(r"-- duckdb (\S+)", block.code)[1]
    swept = re.findall(r"\$\.(\w+)", block.code)
    spec = {
        "name": "sql-example",
        "scenario": "us-2017",
        "years": 1,
        "seed": 1,
        "replications": 1,
        "design": "grid",
        "parameters": {p: {"scale": [1.0, 1.2] if i == 0 else [1.0]} for i, p in enumerate(swept)},
    }
    immsim.sweep(spec, Path(catalog).parent, serial=True)
    with duckdb.connect(catalog, read_only=True) as db:
        rows = db.sql(block.code).fetchall()
    assert len(rows) == 2, rows


# --- docstring examples ---------------------------------------------------------------------------


def _doctests() -> list:
    finder = doctest.DocTestFinder()
    out = []
    for name in PUBLIC_MODULES:
        for test in finder.find(importlib.import_module(name)):
            if test.examples:
                source = "".join(e.source for e in test.examples)
                marks = [pytest.mark.slow] if SIMULATES.search(source) else []
                out.append(pytest.param(test, id=test.name.removeprefix("immsim."), marks=marks))
    return out


@pytest.mark.parametrize("test", _doctests())
def test_docstring_examples(test, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # what the examples write stays in tmp_path
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    result = runner.run(test, out=out.write)
    assert result.failed == 0, out.getvalue()
