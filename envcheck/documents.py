"""Reading the documents a user hands over: a saved or hand-written environment document, bounded."""
from __future__ import annotations

import json

import yaml

from envcheck.errors import InputError
from envcheck.model import Environment, ModelError


JSON_LIMIT = 64 << 20   # a saved scan (JSON) of a machine with 10,000 venvs is ~7 MiB
YAML_LIMIT = 2 << 20    # hand-written YAML; PyYAML reads ~1 MiB/s, so a larger YAML file is refused, not waited on


class _EnvYaml(yaml.SafeLoader):
    """Safe loading with three guards for a hand-written environment file: no aliases (`*name`, which let a small
    file expand into a huge tree), and dates kept as the text written (an impossible unquoted date such as
    2027-02-30 is text, not a crash)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.events.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not accepted in an environment "
                                              "file; write the values out", mark)
        return super().compose_node(parent, index)


_EnvYaml.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def read_input(path: str, limit: int, what: str) -> bytes:
    """At most `limit` bytes of a file the user named (a regular file, or a pipe such as <(envcheck scan --json));
    larger is an InputError (exit 2), never a long wait."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise InputError(f"{path}: larger than {limit >> 20} MiB, the limit for {what} (docs/bounds.md)")
    return raw


def load_env_file(path: str) -> Environment:
    """A saved scan (JSON) or a hand-written, possibly partial description (YAML). Errors name file and key.

    Bounded: JSON up to JSON_LIMIT, YAML up to YAML_LIMIT, nesting up to what the parsers' recursion allows
    (deeper is an input error, exit 2); every number finite and not negative (model/base.py)."""
    raw = read_input(path, JSON_LIMIT, "an environment document")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; expected a JSON or YAML environment document") from None
    data = None
    try:
        data = json.loads(text)
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to be an environment document") from None
    except ValueError:
        if len(raw) > YAML_LIMIT:
            raise InputError(f"{path}: not JSON, and larger than {YAML_LIMIT >> 20} MiB, the limit for a YAML "
                             f"environment file (save large scans as JSON: envcheck scan --json)") from None
        try:
            data = yaml.load(text, Loader=_EnvYaml)  # noqa: S506 - a SafeLoader subclass
        except RecursionError:
            raise InputError(f"{path}: nested too deeply to be an environment document") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f":{mark.line + 1}" if mark else ""
            raise InputError(f"{path}{where}: neither JSON nor YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping (an envcheck environment document, schema "
                         f"envcheck.environment/1), got {type(data).__name__}")
    try:
        return Environment.from_dict(data)
    except ModelError as exc:
        raise InputError(f"{path}: {exc.where}: {exc.message}") from None
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to be an environment document") from None
