"""Every command block in README.md and docs/*.md runs, as shown, against the fixtures (issue 12, item 5).

The convention (also in README.md, "How it is built"):

- A fenced block tagged ``sh``, ``bash``, ``shell`` or ``console`` is a command block. In ``console`` only lines
  that start with ``$ `` are commands (the rest is output); in the others every line is, with a leading ``$ ``
  dropped. ``a && envcheck b | c > f`` is split at ``&&``, ``||``, ``;`` and ``|``; each part that starts with
  ``envcheck`` is run as ``python -m envcheck ...`` (pip, python and the rest are not run here), and ``> FILE``
  writes its output to FILE for the lines after it.
- Each block runs in a fresh scratch directory holding ``scan.json`` (the seed pod's saved scan,
  tests/fixtures/envs/seed-runpod-4090.yaml) and ``envcheck-policy.yaml`` (examples/; not when the block runs
  ``envcheck init-policy``, which writes it), with HOME pointing into it. A command without ``--env``/``--root``
  probes the machine the tests run on.
- Every command states its exit code: 0 unless a marker says otherwise (``exit 1`` for a whole block, ``exit 3:1,
  5:0`` per line of the block), and a command that exits with another code, or prints a traceback, fails the test.
  So a documented command that starts failing (or stops failing where the docs show a failure) is caught.
- A line with a placeholder (``...``, ``<tag>``, ``[--opt]``, an ALL-CAPS word such as DIR or FILE, ``$VAR``) is
  an illustration: it is not run, but its command must exist.
- HTML comments on the lines just before the fence change that (blank lines between them are allowed):
  ``<!-- doc-test: skip (reason) -->``: do not run the block (a device-only command, the network);
  ``<!-- doc-test: skip-lines 2,4 (reason) -->``: do not run those lines of the block (1 = the first line inside
  the fence); ``<!-- doc-test: env tests/fixtures/envs/x.yaml -->`` / ``<!-- doc-test: root tests/fixtures/roots/x
  -->``: commands with an ``--env`` option that name neither ``--env`` nor ``--root`` read that file / tree instead
  of this machine; ``<!-- doc-test: exit 1 -->`` / ``<!-- doc-test: exit 3:1, 5:0 -->``: the exit code of every
  command in the block, or of the commands on those lines (1 = the first line inside the fence; a line not
  named expects 0). Skipped commands must still exist.
- A block that is not tagged (or tagged ``text``) but holds a line ``envcheck <command> ...`` fails the test: tag it
  ``sh`` (and mark it) or, for output, ``text`` with no command lines.
"""
from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SEED = os.path.join(HERE, "fixtures", "envs", "seed-runpod-4090.yaml")
EXAMPLE_POLICY = os.path.join(REPO, "examples", "envcheck-policy.yaml")
COMMAND_LANGS = ("sh", "bash", "shell", "console")
FENCE = re.compile(r"^(?P<indent> {0,3})(?:(?P<bt>`{3,})\s*(?P<bi>[^`\s]*)[^`]*|(?P<tl>~{3,})\s*(?P<ti>\S*).*)$")
MARKER = re.compile(r"^\s*<!--\s*doc-test:\s*(?P<body>.*?)\s*-->\s*$")
SEPARATORS = ("&&", "||", ";", "|", "&")
TIMEOUT_S = 180


def doc_files() -> List[str]:
    return [os.path.join(REPO, "README.md")] + sorted(glob.glob(os.path.join(REPO, "docs", "*.md")))


# ------------------------------------------------------------------------------------------------ parsing
@dataclass
class Block:
    file: str                         # relative to the repository
    line: int                         # the opening fence's line (1-based)
    lang: str
    lines: List[Tuple[int, str]]      # (line in the file, text) inside the fence
    markers: List[Tuple[int, str]] = field(default_factory=list)   # (line, body) of the doc-test comments before it

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Command:
    block: Block
    line: int                         # in the file
    index: int                        # 1-based line inside the block
    text: str                         # the segment as written
    args: List[str]                   # after `envcheck`
    redirect: Optional[str] = None    # > FILE
    placeholder: Optional[str] = None  # why it is an illustration, not run

    @property
    def where(self) -> str:
        return f"{self.block.file}:{self.line}"


def parse_blocks(text: str, name: str) -> List[Block]:
    """Fenced blocks (``` or ~~~, CommonMark: the closing fence is at least as long), with the doc-test markers on
    the lines just before each opening fence."""
    lines = text.split("\n")
    out: List[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group("bt") or m.group("tl"), (m.group("bi") or m.group("ti") or "").lower()
        markers = []
        j = i - 1
        while j >= 0 and (not lines[j].strip() or MARKER.match(lines[j])):
            mk = MARKER.match(lines[j])
            if mk:
                markers.insert(0, (j + 1, mk.group("body")))
            j -= 1
        body = []
        k = i + 1
        while k < len(lines):
            close = FENCE.match(lines[k])
            cf = close and (close.group("bt") or close.group("tl"))
            if cf and cf[0] == fence[0] and len(cf) >= len(fence) and not (close.group("bi") or close.group("ti")):
                break
            body.append((k + 1, lines[k]))
            k += 1
        out.append(Block(name, i + 1, info, body, markers))
        i = k + 1
    return out


def _logical_lines(block: Block) -> List[Tuple[int, int, str]]:
    """(line in the file, index in the block, text) of the command lines, continuations joined."""
    out: List[Tuple[int, int, str]] = []
    pending: Optional[Tuple[int, int, str]] = None
    for idx, (ln, raw) in enumerate(block.lines, 1):
        s = raw.strip()
        if pending is not None:
            ln0, idx0, acc = pending
            acc += " " + s.rstrip("\\").strip()
            pending = (ln0, idx0, acc) if s.endswith("\\") else None
            if pending is None:
                out.append((ln0, idx0, acc))
            continue
        if block.lang == "console":
            if not s.startswith("$ "):
                continue
            s = s[2:].strip()
        elif s.startswith("$ "):
            s = s[2:].strip()
        if not s or s.startswith("#"):
            continue
        if s.endswith("\\"):
            pending = (ln, idx, s[:-1].strip())
        else:
            out.append((ln, idx, s))
    if pending is not None:
        out.append(pending)
    return out


def _tokens(line: str) -> List[str]:
    """Shell words with their quotes kept (to tell a quoted "RTX 4090" from a placeholder), split at whitespace
    and at shell operators; a # comment is dropped."""
    lex = shlex.shlex(line, posix=False, punctuation_chars=";&|<>")
    lex.whitespace_split = True
    lex.commenters = "#"
    return list(lex)


def _unquote(token: str) -> str:
    try:
        parts = shlex.split(token)
    except ValueError:
        return token
    return parts[0] if len(parts) == 1 else token


def _placeholder(tokens: List[str]) -> Optional[str]:
    for t in tokens:
        if t[:1] in "\"'":
            continue
        if "..." in t or "…" in t:
            return f"{t!r} stands for more"
        if t.startswith("[") or t.endswith("]"):
            return f"{t!r} is optional syntax"
        if t in ("<", ">>") or (t.startswith("<") and t.endswith(">")):
            return "an <angle-bracket> placeholder"
        if t.startswith("$"):
            return f"{t!r} is a shell variable"
        if re.fullmatch(r"[A-Z][A-Z0-9_]+", t.split("=")[-1]):
            return f"{t!r} is a placeholder"
    return None


def commands(block: Block) -> List[Command]:
    out: List[Command] = []
    for ln, idx, line in _logical_lines(block):
        try:
            toks = _tokens(line)
        except ValueError as exc:            # an unclosed quote
            raise AssertionError(f"{block.file}:{ln}: cannot split {line!r}: {exc}") from None
        seg: List[str] = []
        for t in toks + [";"]:
            if t not in SEPARATORS:
                seg.append(t)
                continue
            start = 1 if seg[:1] == ["envcheck"] else 3 if seg[:3] in (["python", "-m", "envcheck"],
                                                                       ["python3", "-m", "envcheck"]) else 0
            if start:
                redirect = None
                words = seg[start:]
                if ">" in words:
                    at = words.index(">")
                    redirect = _unquote(words[at + 1]) if at + 1 < len(words) else None
                    words = words[:at]
                ph = _placeholder(words)
                out.append(Command(block, ln, idx, " ".join(seg), [_unquote(w) for w in words], redirect, ph))
            seg = []
    return out


@dataclass
class Markers:
    skip: Optional[str] = None
    skip_lines: Dict[int, str] = field(default_factory=dict)
    env: Optional[str] = None
    root: Optional[str] = None
    exit: int = 0                                               # what every command exits with, unless...
    exit_lines: Dict[int, int] = field(default_factory=dict)    # ...its line in the block names another
    errors: List[str] = field(default_factory=list)

    def expected_exit(self, index: int) -> int:
        return self.exit_lines.get(index, self.exit if not self.exit_lines else 0)


def markers(block: Block) -> Markers:
    mk = Markers()
    for ln, body in block.markers:
        m = re.fullmatch(r"(?P<kw>[a-z-]+)\s*(?P<arg>.*)", body)
        kw, arg = (m.group("kw"), m.group("arg").strip()) if m else ("", body)
        reason = re.fullmatch(r"(?P<pre>.*?)\s*\((?P<why>[^()]*(?:\([^()]*\)[^()]*)*)\)", arg)
        where = f"{block.file}:{ln}"
        if kw == "skip":
            if not reason or reason.group("pre") or len(reason.group("why").strip()) < 3:
                mk.errors.append(f"{where}: `doc-test: skip` needs a reason in parentheses: skip (why)")
            else:
                mk.skip = reason.group("why")
        elif kw == "skip-lines":
            nums = reason.group("pre") if reason else ""
            if not reason or not re.fullmatch(r"\d+(\s*,\s*\d+)*", nums) or len(reason.group("why").strip()) < 3:
                mk.errors.append(f"{where}: write `doc-test: skip-lines 2,4 (why)` (1 = the block's first line)")
                continue
            for n in (int(x) for x in nums.split(",")):
                if not 1 <= n <= len(block.lines):
                    mk.errors.append(f"{where}: skip-lines {n}: the block has {len(block.lines)} line(s)")
                mk.skip_lines[n] = reason.group("why")
        elif kw == "exit":
            _exit_marker(mk, arg, block, where)
        elif kw in ("env", "root"):
            path = os.path.join(REPO, arg)
            if not arg or not os.path.exists(path):
                mk.errors.append(f"{where}: doc-test: {kw} {arg!r}: no such path in the repository")
            setattr(mk, kw, path)
        else:
            mk.errors.append(f"{where}: unknown doc-test marker {body!r}; markers are: skip (why), "
                             "skip-lines N,M (why), env PATH, root PATH, exit N, exit LINE:N,LINE:N")
    if mk.env and mk.root:
        mk.errors.append(f"{block.where}: a block takes `env` or `root`, not both")
    return mk


def _exit_marker(mk: Markers, arg: str, block: Block, where: str) -> None:
    """`exit N` (every command of the block) or `exit L:N, L:N` (the commands on those lines of the block)."""
    if re.fullmatch(r"[0-3]", arg):
        mk.exit = int(arg)
        return
    if not re.fullmatch(r"\d+:[0-3](\s*,\s*\d+:[0-3])*", arg):
        mk.errors.append(f"{where}: write `doc-test: exit 1` or `doc-test: exit 3:1, 5:0` (LINE:CODE, 1 = the "
                         "block's first line; codes 0-3)")
        return
    for pair in arg.split(","):
        line, code = (int(x) for x in pair.strip().split(":"))
        if not 1 <= line <= len(block.lines):
            mk.errors.append(f"{where}: exit {line}:{code}: the block has {len(block.lines)} line(s)")
        mk.exit_lines[line] = code


def all_blocks() -> List[Block]:
    out = []
    for path in doc_files():
        with open(path, encoding="utf-8") as fh:
            out.extend(parse_blocks(fh.read(), os.path.relpath(path, REPO)))
    return out


def command_blocks() -> List[Block]:
    return [b for b in all_blocks() if b.lang in COMMAND_LANGS and commands(b)]


# ------------------------------------------------------------------------------------------------ the CLI's commands
def resolve(args: List[str]):
    """The click command that `envcheck ARGS` runs, or a message saying which word is no command."""
    import click

    from envcheck.cli import cli

    cmd, path = cli, ["envcheck"]
    for word in args:
        if not isinstance(cmd, click.Group):
            break
        if word.startswith("-"):
            if word in ("--help", "-h", "--version"):
                return cmd, None
            continue
        ctx = click.Context(cmd, info_name=" ".join(path))
        sub = cmd.get_command(ctx, word)
        if sub is None:
            known = ", ".join(cmd.list_commands(ctx))
            return None, f"`{' '.join(path)} {word}`: no such command (there are: {known})"
        cmd, path = sub, path + [word]
    if isinstance(cmd, click.Group):
        return None, f"`{' '.join(path)}` needs a subcommand"
    return cmd, None


def takes(cmd, option: str) -> bool:
    return any(option in getattr(p, "opts", ()) for p in cmd.params)


# ------------------------------------------------------------------------------------------------ running
def _scratch(tmp_path, with_policy: bool = True) -> str:
    from envcheck.model.document import load_env_file

    d = str(tmp_path)
    os.makedirs(d, exist_ok=True)
    if with_policy:
        shutil.copy(EXAMPLE_POLICY, os.path.join(d, "envcheck-policy.yaml"))
    with open(os.path.join(d, "scan.json"), "w", encoding="utf-8") as fh:
        fh.write(load_env_file(SEED).to_json())
    os.makedirs(os.path.join(d, "home"), exist_ok=True)
    return d


def _environ(scratch: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("ENVCHECK_MATRIX_DIR", "GITHUB_STEP_SUMMARY", "XDG_CONFIG_HOME", "PYTHONPATH")}
    env.update(PYTHONPATH=REPO, NO_COLOR="1", HOME=os.path.join(scratch, "home"))
    return env


def run_block(block: Block, tmp_path) -> List[str]:
    """Run the block's commands in order; return what went wrong (empty: all well)."""
    mk = markers(block)
    scratch = _scratch(tmp_path, with_policy=not any(c.args[:1] == ["init-policy"] for c in commands(block)))
    env = _environ(scratch)
    problems: List[str] = []
    for c in commands(block):
        if c.placeholder or c.index in mk.skip_lines:
            continue
        cmd, err = resolve(c.args)
        if err:
            problems.append(f"{c.where}: {err}\n    {c.text}")
            continue
        args = list(c.args)
        facts = mk.env or mk.root
        if facts and takes(cmd, "--env") and not any(a in ("--env", "--root") for a in args):
            args += ["--env" if mk.env else "--root", facts]
        try:
            p = subprocess.run([sys.executable, "-m", "envcheck", *args], capture_output=True, text=True,
                               cwd=scratch, env=env, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            problems.append(f"{c.where}: did not finish in {TIMEOUT_S} s\n    {c.text}")
            continue
        if c.redirect:
            with open(os.path.join(scratch, c.redirect), "w", encoding="utf-8") as fh:
                fh.write(p.stdout)
        want = mk.expected_exit(c.index)
        bad = p.returncode != want or "Traceback (most recent call last)" in p.stderr or "internal error" in p.stderr
        if bad:
            problems.append(f"{c.where}: exit {p.returncode}, the docs expect {want} (a `doc-test: exit` marker "
                            f"states another)\n    $ envcheck {' '.join(shlex.quote(a) for a in args)}"
                            f"\n    {p.stderr.strip()[-1500:]}")
    return problems


# ------------------------------------------------------------------------------------------------ the tests
BLOCKS = command_blocks()


@pytest.mark.parametrize("block", BLOCKS, ids=[b.where for b in BLOCKS])
def test_command_block_runs(block, tmp_path):
    mk = markers(block)
    assert not mk.errors, "\n".join(mk.errors)
    if mk.skip:
        pytest.skip(f"{block.where}: doc-test: skip ({mk.skip})")
    runnable = [c for c in commands(block) if not c.placeholder and c.index not in mk.skip_lines]
    if not runnable:
        pytest.skip(f"{block.where}: only illustrations (placeholders) or skipped lines; their commands exist "
                    "(test_every_documented_command_exists)")
    problems = run_block(block, tmp_path)
    assert not problems, ("a documented command does not work as shown (fix the command or the docs; "
                          "for a block that cannot run here add `<!-- doc-test: skip (why) -->` before it, see "
                          "tests/test_docs_commands.py):\n" + "\n".join(problems))


def test_every_documented_command_exists():
    """Also the illustrations and the skipped blocks: `envcheck <command> [<subcommand>]` is a real command."""
    missing = []
    for b in all_blocks():
        if b.lang not in COMMAND_LANGS:
            continue
        for c in commands(b):
            _, err = resolve(c.args)
            if err:
                missing.append(f"{c.where}: {err}\n    {c.text}")
    assert not missing, "\n".join(missing)


def test_every_marker_is_well_formed_and_on_a_command_block():
    errors = []
    for b in all_blocks():
        mk = markers(b)
        errors += mk.errors
        if b.markers and not (b.lang in COMMAND_LANGS and commands(b)):
            errors.append(f"{b.where}: doc-test marker before a block with no envcheck command "
                          f"(tagged {b.lang or 'nothing'})")
    assert not errors, "\n".join(errors)


def test_command_lines_are_in_command_blocks():
    """A block not tagged sh/bash/shell/console whose lines are envcheck commands would escape the test."""
    from envcheck.cli import COMMANDS

    start = re.compile(r"^\s*(\$ )?envcheck (" + "|".join(re.escape(c) for c in COMMANDS) + r")(\s|$)")
    stray = []
    for b in all_blocks():
        if b.lang in COMMAND_LANGS:
            continue
        for ln, text in b.lines:
            if start.match(text) and " · " not in text:      # "envcheck recommend X · matrix ..." is a header
                stray.append(f"{b.file}:{ln}: {text.strip()}  (block at line {b.line}, tagged "
                             f"{b.lang or 'nothing'}: tag it sh, or keep commands out of output blocks)")
    assert not stray, "\n".join(stray)


def test_there_are_command_blocks_to_run():
    files = {b.file for b in BLOCKS}
    assert "README.md" in files and any(f.startswith("docs/") for f in files)
    assert sum(len([c for c in commands(b) if not c.placeholder]) for b in BLOCKS) >= 10


# ------------------------------------------------------------------------------------------------ README <-> .ci/run
def test_ci_runs_the_readme_test_commands_verbatim():
    """README's test lines (the CPU torch, then the test dependencies and pytest) appear in .ci/run as written."""
    readme = next(b for b in all_blocks() if b.file == "README.md" and b.lang in COMMAND_LANGS)
    lines = [t.split("#")[0].strip() for _, t in readme.lines]
    torch_line = next(x for x in lines if x.startswith("pip install torch"))
    test_line = next(x for x in lines if "pytest" in x)
    assert "download.pytorch.org/whl/cpu" in torch_line       # the light build, not the 5.6 GB CUDA one
    with open(os.path.join(REPO, ".ci", "run"), encoding="utf-8") as fh:
        ci = [x.strip() for x in fh.read().splitlines()]
    assert any(x.startswith(torch_line) for x in ci), torch_line
    assert test_line in ci, test_line
    assert ci.index(next(x for x in ci if x.startswith(torch_line))) < ci.index(test_line)


# ------------------------------------------------------------------------------------------------ the parser itself
SAMPLE = """
```sh
pip install . && envcheck scan          # a comment
python -m envcheck codes --markdown | head -3
envcheck gate --policy p.yaml \\
  --env scan.json --json > verdict.json
envcheck matrix diff OLD_DIR NEW_DIR
envcheck bench moss-speech --predict "RTX 4090"
```

<!-- doc-test: skip-lines 2 (needs a GPU) -->

<!-- doc-test: env tests/fixtures/envs/seed-runpod-4090.yaml -->
```console
$ envcheck check
output line envcheck scan
$ envcheck explain "ImportError: libcublasLt.so.13: …"
```

```
envcheck recommend tensorrt-llm · matrix 2026-11-25
```
"""


def test_parser_follows_the_convention():
    blocks = parse_blocks(SAMPLE, "S.md")
    assert [b.lang for b in blocks] == ["sh", "console", ""]
    cs = commands(blocks[0])
    assert [c.args[:1] for c in cs] == [["scan"], ["codes"], ["gate"], ["matrix"], ["bench"]]
    assert cs.pop(1).args == ["codes", "--markdown"]           # `python -m envcheck` too; the pipe is cut
    assert cs[1].args == ["gate", "--policy", "p.yaml", "--env", "scan.json", "--json"]
    assert cs[1].redirect == "verdict.json" and cs[1].line == 5 and cs[1].index == 3
    assert cs[0].placeholder is None and cs[1].placeholder is None
    assert cs[2].placeholder and "OLD_DIR" in cs[2].placeholder
    assert cs[3].placeholder is None and cs[3].args[-1] == "RTX 4090"
    mk = markers(blocks[1])
    assert mk.env.endswith("seed-runpod-4090.yaml") and mk.skip_lines == {2: "needs a GPU"} and not mk.errors
    cs = commands(blocks[1])
    assert [c.args[0] for c in cs] == ["check", "explain"]        # output lines of a console block are not run
    assert cs[1].placeholder is None and cs[1].args[1].endswith("…")  # quoted: a message, not a placeholder
    assert commands(blocks[2]) == [] or blocks[2].lang not in COMMAND_LANGS


def test_an_inline_code_span_of_backticks_opens_no_block():
    text = "Tag it\n```` ```sh ```` or ```` ```console ````\n```sh\nenvcheck scan\n```\n"
    blocks = parse_blocks(text, "T.md")
    assert [(b.line, b.lang) for b in blocks] == [(3, "sh")] and commands(blocks[0])[0].args == ["scan"]


def test_bad_markers_are_reported():
    text = ("<!-- doc-test: skip -->\n```sh\nenvcheck scan\n```\n<!-- doc-test: skip-lines 9 (x y z) -->\n"
            "```sh\nenvcheck scan\n```\n<!-- doc-test: evn tests -->\n```sh\nenvcheck scan\n```\n")
    errs = [e for b in parse_blocks(text, "T.md") for e in markers(b).errors]
    assert len(errs) == 3 and "reason" in errs[0] and "1 line" in errs[1] and "unknown doc-test marker" in errs[2]


def test_resolve_names_a_missing_command():
    assert resolve(["matrix", "show", "cuda"])[1] is None
    assert "no such command" in resolve(["nosuch", "--json"])[1]
    assert "no such command" in resolve(["matrix", "nosuch"])[1]


def test_run_block_fails_on_an_exit_code_the_docs_do_not_state(tmp_path):
    gate = "envcheck gate --policy envcheck-policy.yaml --env scan.json"        # the example policy fails the seed: 1
    unstated = parse_blocks(f"```sh\n{gate}\n```\n", "T.md")[0]
    problems = run_block(unstated, tmp_path / "a")
    assert len(problems) == 1 and problems[0].startswith("T.md:2: exit 1, the docs expect 0")
    stated = parse_blocks(f"<!-- doc-test: exit 1:1 -->\n```sh\n{gate}\n"
                          "envcheck gate --policy nope.yaml --env scan.json\n```\n", "T.md")[0]
    problems = run_block(stated, tmp_path / "b")
    assert len(problems) == 1 and problems[0].startswith("T.md:4: exit 2, the docs expect 0") \
        and "no such file" in problems[0]
    whole = parse_blocks(f"<!-- doc-test: exit 1 -->\n```sh\n{gate}\n```\n", "T.md")[0]
    assert run_block(whole, tmp_path / "c") == []


def test_exit_markers_are_read_and_checked():
    text = ("<!-- doc-test: exit 1 -->\n```sh\nenvcheck scan\nenvcheck check\n```\n"
            "<!-- doc-test: exit 2:1, 1:0 -->\n```sh\nenvcheck scan\nenvcheck check\n```\n"
            "<!-- doc-test: exit 9:1 -->\n```sh\nenvcheck scan\n```\n"
            "<!-- doc-test: exit one -->\n```sh\nenvcheck scan\n```\n")
    a, b, c, d = (markers(x) for x in parse_blocks(text, "T.md"))
    assert (a.expected_exit(1), a.expected_exit(2), a.errors) == (1, 1, [])
    assert (b.expected_exit(1), b.expected_exit(2), b.errors) == (0, 1, [])
    assert "the block has 1 line" in c.errors[0] and "LINE:CODE" in d.errors[0]
