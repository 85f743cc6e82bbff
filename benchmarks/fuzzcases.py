"""Generated hostile inputs for every surface envcheck reads, each paired with the commands that read it.

A case is a directory the case builds (its input files), a command line, and what a right answer is: the exit
codes allowed (2 = refused with a one-line message), the paths that must be left as they were (a device node, a
FIFO, a symlink and its target), and, for some, a check of the answer itself. `benchmarks/fuzz.py` runs them and
sorts each result into ok, traceback, exit 3, hang or wrong.

Surfaces: environment documents (`--env`), policies, matrix overlays (`--matrix`), container images
(`--image`), models (`fit`), fleets (`fleet report`, `gate --fleet`), logs (`explain`), `labels` options, matrix
bundles (`matrix update --from`), output targets (`-o`, `--junit`, `--save-scan`) and `--root` trees.
"""
from __future__ import annotations

import copy
import functools
import gzip
import hashlib
import io
import json
import os
import random
import stat
import sys
import tarfile
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
FIX = os.path.join(REPO, "tests", "fixtures")
SEED_ENV = os.path.join(FIX, "envs", "seed-runpod-4090.yaml")
SEED_POLICY = os.path.join(FIX, "policies", "seed-pass.yaml")
MODEL_CONFIG = os.path.join(FIX, "models", "qwen2.5-0.5b", "config.json")

REFUSED = frozenset({2})
ANSWERED = frozenset({0, 1})
ANY = frozenset({0, 1, 2})


@dataclass
class Case:
    surface: str
    name: str
    argv: List[str]      # envcheck's arguments; "{d}" is the case's directory, "{read:F}" the text of its file F
    build: Callable[[str], None]                     # writes the inputs into the case's directory
    expect: FrozenSet[int] = ANY
    stdin: Optional[bytes] = None
    protect: Tuple[str, ...] = ()                    # paths under {d} that must be unchanged afterwards
    outputs: Tuple[str, ...] = ()                    # paths under {d} the command may create
    check: Optional[Callable[[str, str, str], Optional[str]]] = None   # (dir, stdout, stderr) -> what is wrong
    timeout: float = 30.0

    @property
    def id(self) -> str:
        return f"{self.surface}/{self.name}"


# -- hostile values -------------------------------------------------------------------------------------------
class Raw:
    """Text put into a document as it is (JSON and YAML spell some of it differently)."""

    def __init__(self, json_text: str, yaml_text: Optional[str] = None):
        self.json = json_text
        self.yaml = json_text if yaml_text is None else yaml_text


DEEP = 100_000


def deep_text() -> str:
    return "[" * DEEP + "]" * DEEP


@dataclass(frozen=True)
class Hostile:
    name: str
    value: Any
    invalid: bool            # no reader may accept it anywhere: refused with exit 2


HOSTILE = (
    Hostile("deep", Raw(deep_text()), True),
    Hostile("digits5000", Raw("9" * 5000), True),
    Hostile("int2^70", 2 ** 70, True),
    Hostile("nan", Raw("NaN", ".nan"), True),
    Hostile("inf", Raw("Infinity", ".inf"), True),
    Hostile("neg", -5, False),
    Hostile("zero", 0, False),
    Hostile("float", 1.5, False),
    Hostile("empty", "", False),
    Hostile("long", "x" * 300, False),
    Hostile("control", "\x1b[31m\u202eevil\x07", False),
    Hostile("list", [1], False),
    Hostile("dict", {"a": 1}, False),
    Hostile("null", None, False),
    Hostile("true", True, False),
    Hostile("hugeversion", "99999999999999999999.1", False),
)


def dump(doc: Any, fmt: str = "json") -> bytes:
    """JSON or YAML text of `doc`, with each Raw value written as it is."""
    raws: List[Raw] = []

    def swap(node):
        if isinstance(node, Raw):
            raws.append(node)
            return f"@@RAW{len(raws) - 1}@@"
        if isinstance(node, dict):
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    plain = swap(doc)
    if fmt == "json":
        text = json.dumps(plain, indent=1, ensure_ascii=False)
        for i, r in enumerate(raws):
            text = text.replace(f'"@@RAW{i}@@"', r.json)
    else:
        text = yaml.safe_dump(plain, sort_keys=False, allow_unicode=True, width=10_000)
        for i, r in enumerate(raws):
            text = text.replace(f"'@@RAW{i}@@'", r.yaml).replace(f"@@RAW{i}@@", r.yaml)
    return text.encode("utf-8")


def paths(doc: Any, prefix: Tuple = ()) -> Iterator[Tuple]:
    """Every place in a document a value can be swapped: scalars, lists and mappings (not the root)."""
    if prefix:
        yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:2]):
            yield from paths(v, prefix + (i,))


def replaced(doc: Any, where: Tuple, value: Any) -> Any:
    new = copy.deepcopy(doc)
    node = new
    for k in where[:-1]:
        node = node[k]
    node[where[-1]] = value
    return new


def spell(where: Tuple) -> str:
    return ".".join(str(k) for k in where)


# -- files ----------------------------------------------------------------------------------------------------
def write(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)


def load_yaml(path: str) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _fifo(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.mkfifo(path)


def _symlink_zero(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.symlink("/dev/zero", path)


def _directory(path):
    os.makedirs(path)


def _garbage(path):
    write(path, bytes(random.Random(path).getrandbits(8) for _ in range(4096)))


def _huge(path):
    with open(_mk(path), "wb") as fh:   # sparse: 20 MiB of zero bytes, over every document's bound
        fh.truncate(20 << 20)


def _mk(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


# whole-file replacements: every one is refused (exit 2) wherever a document is expected
FILE_FORMS: Tuple[Tuple[str, Callable[[str], None]], ...] = (
    ("fifo", _fifo),
    ("symlink-dev-zero", _symlink_zero),
    ("directory", _directory),
    ("garbage", _garbage),
    ("empty", lambda p: write(p, b"")),
    ("sparse-20MiB", _huge),
    ("deep-json", lambda p: write(p, deep_text().encode())),
    ("deep-mapping", lambda p: write(p, ('{"a":' * DEEP + "1" + "}" * DEEP).encode())),
    ("utf16", lambda p: write(p, "schema: x\n".encode("utf-16"))),
    ("nul-bytes", lambda p: write(p, b"schema: \x00\x00\x00\n")),
    ("missing", lambda p: None),
)


def device_node(path: str) -> None:
    """A character device like /dev/full, made inside the case's directory (root can make one; others get a
    symlink to the real /dev/full, which they cannot replace)."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    except (PermissionError, OSError):
        os.symlink("/dev/full", path)


def socket_file(path: str) -> None:
    import socket
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(path)
    finally:
        s.close()


# -- seeds ----------------------------------------------------------------------------------------------------
def seed_env() -> dict:
    return load_yaml(SEED_ENV)


def seed_policy() -> dict:
    return load_yaml(SEED_POLICY)


def seed_model() -> dict:
    with open(MODEL_CONFIG) as fh:
        return json.load(fh)


def env_validator():
    """A validator for the environment document's JSON Schema, from envcheck itself (None without jsonschema)."""
    try:
        import jsonschema
    except ImportError:
        return None
    sys.path.insert(0, REPO)
    from envcheck.model.environment import environment_schema  # type: ignore
    schema = environment_schema()
    return jsonschema.validators.validator_for(schema)(schema)


def schema_valid(doc: Any, validator) -> Optional[bool]:
    """False where the document breaks its schema in a way a reader must refuse. Two departures are read as the
    loader reads them, not refused: null for a fact (= not known) and a number or boolean where text is expected
    (YAML's `version: 12.4`, kept as the text "12.4")."""
    if validator is None or any(isinstance(v, Raw) for v in _leaves(doc)):
        return None
    return not any(not _lenient(e) for e in validator.iter_errors(doc))


def _lenient(error) -> bool:
    if error.instance is None:
        return True
    return (error.validator == "type" and error.validator_value == "string"
            and isinstance(error.instance, (int, float, bool)))


def _leaves(doc: Any) -> Iterator[Any]:
    if isinstance(doc, dict):
        for v in doc.values():
            yield from _leaves(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from _leaves(v)
    else:
        yield doc


# -- surface: environment documents ---------------------------------------------------------------------------
MSG = "ImportError: libcublasLt.so.13: cannot open shared object file: No such file or directory"
ENV_COMMANDS = (
    ["scan", "--env", "{f}", "--json"],
    ["check", "--env", "{f}"],
    ["recommend", "--target", "tensorrt-llm", "--env", "{f}"],
    ["gate", "--policy", SEED_POLICY, "--env", "{f}"],
    ["labels", "--env", "{f}", "--json"],
    ["explain", MSG, "--env", "{f}"],
    ["fit", os.path.dirname(MODEL_CONFIG), "--env", "{f}"],
)


def _argv(template: Sequence[str], **names) -> List[str]:
    return [a.format(**names) if "{" in a and a.startswith("{") else a for a in template]


def env_cases(rng: random.Random) -> Iterator[Case]:
    doc, schema = seed_env(), env_validator()
    n = 0
    for where in paths(doc):
        for h in HOSTILE:
            new = replaced(doc, where, h.value)
            valid = schema_valid(new, schema)
            fmt = "yaml" if n % 4 == 3 else "json"
            name = f"env.{fmt}"
            data = dump(new, fmt)
            expect = REFUSED if h.invalid or valid is False else ANY
            yield Case("env", f"{spell(where)}={h.name}:{ENV_COMMANDS[n % len(ENV_COMMANDS)][0]}",
                       _argv(ENV_COMMANDS[n % len(ENV_COMMANDS)], f="{d}/" + name),
                       _writer(name, data), expect=expect)
            n += 1
    for form, make in FILE_FORMS:
        for cmd in ENV_COMMANDS:
            yield Case("env", f"file={form}:{cmd[0]}", _argv(cmd, f="{d}/env.json"),
                       _maker("env.json", make), expect=REFUSED, protect=("env.json",) if form != "missing" else ())
    text = dump(doc, "yaml").decode()
    for cmd in ENV_COMMANDS:
        yield Case("env", f"duplicate-schema-key:{cmd[0]}", _argv(cmd, f="{d}/env.yaml"),
                   _writer("env.yaml", ("schema: envcheck.environment/1\n" + text).encode()), expect=REFUSED)
        yield Case("env", f"unknown-key:{cmd[0]}", _argv(cmd, f="{d}/env.json"),
                   _writer("env.json", dump(dict(doc, surprise=1))), expect=REFUSED)
        yield Case("env", f"seed:{cmd[0]}", _argv(cmd, f="{d}/env.json"),
                   _writer("env.json", dump(doc)), expect=ANSWERED)


def _writer(name: str, data: bytes) -> Callable[[str], None]:
    return lambda d: write(os.path.join(d, name), data)


def _maker(name: str, make: Callable[[str], None]) -> Callable[[str], None]:
    return lambda d: make(os.path.join(d, name))


# -- surface: policies ----------------------------------------------------------------------------------------
def policy_cases(rng: random.Random) -> Iterator[Case]:
    doc = seed_policy()
    argv = ["gate", "--policy", "{d}/policy.yaml", "--env", SEED_ENV, "--json"]
    for where in paths(doc):
        for h in HOSTILE:
            yield Case("policy", f"{spell(where)}={h.name}", list(argv),
                       _writer("policy.yaml", dump(replaced(doc, where, h.value), "yaml")),
                       expect=REFUSED if h.invalid else ANY)
    for form, make in FILE_FORMS:
        yield Case("policy", f"file={form}", list(argv), _maker("policy.yaml", make), expect=REFUSED)
    known = [
        ("driver-min-version-huge", {"rule": "driver", "min_version": "99999999999999999999.1"}),
        ("container-seccomp-int", {"rule": "container", "seccomp": 5}),
        ("gpu-memory-negative", {"rule": "gpu", "min_memory_gib": -5}),
        ("disk-free-nan", {"rule": "disk", "path": "/", "min_free_gib": Raw("NaN", ".nan")}),
        ("unknown-rule", {"rule": "no-such-rule"}),
        ("installable-unknown-target", {"rule": "installable", "target": "nonexistent==1"}),
    ]
    for name, rule in known:
        yield Case("policy", name, list(argv),
                   _writer("policy.yaml", dump(dict(doc, rules=[rule]), "yaml")), expect=REFUSED)
    text = dump(doc, "yaml").decode()
    yield Case("policy", "duplicate-key", list(argv),
               _writer("policy.yaml", ("name: twice\n" + text).encode()), expect=REFUSED)


# -- surface: matrix overlays ---------------------------------------------------------------------------------
def _overlay_seed(table: str) -> dict:
    doc = load_yaml(os.path.join(REPO, "matrix", table + ".yaml"))
    return {"schema": doc["schema"], "rows": [doc["rows"][0]]}


OVERLAY_COMMANDS = (
    ["matrix", "validate", "--matrix", "{d}/overlay"],
    ["recommend", "--target", "vllm", "--env", SEED_ENV, "--matrix", "{d}/overlay"],
    ["fit", os.path.dirname(MODEL_CONFIG), "--gpu", "RTX 4090", "--matrix", "{d}/overlay"],
    ["check", "--env", SEED_ENV, "--matrix", "{d}/overlay"],
)


def refused(cmd: Sequence[str]) -> FrozenSet[int]:
    """How a command refuses a bad input: exit 2, or exit 1 with the problems listed for `matrix validate`."""
    return frozenset({1, 2}) if list(cmd[:2]) == ["matrix", "validate"] else REFUSED


def overlay_cases(rng: random.Random) -> Iterator[Case]:
    n = 0
    for table in ("gpus", "vllm", "cuda", "torch", "tensorrt-llm"):
        doc = _overlay_seed(table)
        for where in paths(doc):
            for h in HOSTILE:
                cmd = OVERLAY_COMMANDS[n % len(OVERLAY_COMMANDS)]
                n += 1
                yield Case("overlay", f"{table}:{spell(where)}={h.name}:{cmd[0]}", list(cmd),
                           _writer(f"overlay/{table}.yaml", dump(replaced(doc, where, h.value), "yaml")),
                           expect=refused(cmd) if h.invalid else ANY)
        for form, make in FILE_FORMS[:-1]:
            cmd = OVERLAY_COMMANDS[n % len(OVERLAY_COMMANDS)]
            n += 1
            yield Case("overlay", f"{table}:file={form}:{cmd[0]}", list(cmd),
                       lambda d, t=table, m=make: (os.makedirs(d + "/overlay", exist_ok=True),
                                                   m(f"{d}/overlay/{t}.yaml")),
                       expect=refused(cmd))
    gpu = _overlay_seed("gpus")
    for key, value in (("memory_gib", -5), ("memory_gib", 0), ("compute_capability", "x"), ("version", 1.5),
                       ("sources", 5), ("aliases", "RTX 4090")):
        bad = copy.deepcopy(gpu)
        bad["rows"][0][key] = value
        yield Case("overlay", f"gpus-known:{key}={value!r}", ["matrix", "validate", "--matrix", "{d}/overlay"],
                   _writer("overlay/gpus.yaml", dump(bad, "yaml")), expect=frozenset({1, 2}))


# -- surface: container images --------------------------------------------------------------------------------
sys.path.insert(0, os.path.join(FIX, "images"))
from imagebuild import LAYER_GZ, OCI_CONFIG, OCI_INDEX, OCI_MANIFEST  # noqa: E402  (the tests' image builder)
from imagebuild import sha as sha256  # noqa: E402
from imagebuild import tar_entries as layer_tar  # noqa: E402  (name, file|sym|fifo, bytes or link target)


BASE_LAYER = layer_tar([("etc/os-release", "file", b'PRETTY_NAME="Ubuntu 24.04 LTS"\nID=ubuntu\nVERSION_ID="24.04"\n'),
                        ("usr/local/cuda-13.0/version.json", "file",
                         b'{"cuda": {"name": "CUDA SDK", "version": "13.0.1"}}')])


@dataclass
class ImageDocs:
    """An OCI layout's three documents, mutable before they are written (digests are computed on writing)."""
    layers: List[bytes] = field(default_factory=lambda: [BASE_LAYER])
    config: dict = field(default_factory=lambda: {
        "architecture": "amd64", "os": "linux", "created": "2026-11-01T00:00:00Z",
        "config": {"Env": ["PATH=/usr/bin", "CUDA_VERSION=13.0.1"], "Labels": {"a": "b"}, "User": ""},
        "rootfs": {"type": "layers", "diff_ids": [sha256(BASE_LAYER)]}})
    manifest: Optional[dict] = None
    index: Optional[dict] = None

    def write(self, path: str, config_value=None, manifest_value=None, index_value=None,
              blob_form: Optional[Callable[[str], None]] = None) -> None:
        blobs: Dict[str, bytes] = {}

        def add(data: bytes) -> Tuple[str, int]:
            d = sha256(data)
            blobs[d] = data
            return d, len(data)

        layer_descs = []
        for layer in self.layers:
            d, n = add(gzip.compress(layer, compresslevel=1, mtime=0))
            layer_descs.append({"mediaType": LAYER_GZ, "digest": d, "size": n})
        cfg = config_value if config_value is not None else self.config
        cd, cn = add(dump(cfg))
        man = manifest_value if manifest_value is not None else {
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": cd, "size": cn}, "layers": layer_descs}
        md, mn = add(dump(man))
        top = index_value if index_value is not None else {
            "schemaVersion": 2, "mediaType": OCI_INDEX,
            "manifests": [{"mediaType": OCI_MANIFEST, "digest": md, "size": mn,
                           "platform": {"os": "linux", "architecture": "amd64"}}]}
        for d, data in blobs.items():
            write(os.path.join(path, "blobs", "sha256", d.split(":")[1]), data)
        if blob_form is not None:
            layer = os.path.join(path, "blobs", "sha256", layer_descs[0]["digest"].split(":")[1])
            os.remove(layer)
            blob_form(layer)
        write(os.path.join(path, "oci-layout"), b'{"imageLayoutVersion": "1.0.0"}')
        write(os.path.join(path, "index.json"), dump(top))

    def seed_manifest(self) -> dict:
        return {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": OCI_CONFIG, "digest": "sha256:" + "0" * 64, "size": 1},
                "layers": [{"mediaType": LAYER_GZ, "digest": "sha256:" + "0" * 64, "size": 1}]}


IMAGE_COMMANDS = (
    ["scan", "--image", "{d}/img", "--json"],
    ["check", "--image", "{d}/img"],
    ["recommend", "--target", "vllm", "--image", "{d}/img", "--host", SEED_ENV],
    ["gate", "--policy", SEED_POLICY, "--image", "{d}/img", "--host", SEED_ENV],
)


def _image(**kw) -> Callable[[str], None]:
    return lambda d: ImageDocs().write(os.path.join(d, "img"), **kw)


@functools.lru_cache(maxsize=4)
def _bomb(size: int) -> bytes:
    """A gzip stream of `size` zero bytes (about size/1000 bytes on disk)."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as gz:
        chunk = b"\0" * (1 << 20)
        for _ in range(size >> 20):
            gz.write(chunk)
    return buf.getvalue()


def image_cases(rng: random.Random) -> Iterator[Case]:
    docs = ImageDocs()
    n = 0
    for part, seed in (("config", docs.config), ("manifest", docs.seed_manifest()), ("index", None)):
        if part == "index":
            seed = {"schemaVersion": 2, "mediaType": OCI_INDEX,
                    "manifests": [{"mediaType": OCI_MANIFEST, "digest": "sha256:" + "0" * 64, "size": 1,
                                   "platform": {"os": "linux", "architecture": "amd64"}}]}
        for where in paths(seed):
            for h in HOSTILE:
                cmd = IMAGE_COMMANDS[n % len(IMAGE_COMMANDS)]
                n += 1
                bad = replaced(seed, where, h.value)
                if part == "config":
                    build = _image(config_value=bad)
                elif part == "manifest":
                    build = _manifest_case(bad)
                else:
                    build = _image(index_value=bad)
                yield Case("image", f"{part}:{spell(where)}={h.name}:{cmd[0]}", list(cmd), build,
                           expect=REFUSED if h.invalid else ANY)
    blob_forms = FILE_FORMS[:5] + (
        ("truncated-gzip", lambda p: write(p, gzip.compress(BASE_LAYER)[:40])),
        ("not-gzip", lambda p: write(p, b"plain text, not a layer")),
    )
    for form, make in blob_forms:
        for cmd in IMAGE_COMMANDS[:2]:
            yield Case("image", f"layer-blob={form}:{cmd[0]}", list(cmd), _image(blob_form=make),
                       expect=REFUSED, timeout=60)
    # 1 GiB of zeros is a valid (empty) tar: answered, in bounded time and memory
    yield Case("image", "layer-blob=gzip-zeros-1GiB", list(IMAGE_COMMANDS[0]),
               _image(blob_form=lambda p: write(p, _bomb(1 << 30))), expect=ANY, timeout=120)
    for form, make in FILE_FORMS:
        yield Case("image", f"index.json={form}", list(IMAGE_COMMANDS[0]),
                   lambda d, m=make: (ImageDocs().write(d + "/img"), os.remove(d + "/img/index.json"),
                                      m(d + "/img/index.json")), expect=REFUSED)
    for name, entries in (("dotdot", [("../../escape", "file", b"x")]),
                          ("absolute-symlink", [("etc/os-release", "sym", "/etc/shadow")]),
                          ("fifo-member", [("etc/os-release", "fifo", b"")]),
                          ("deep-path", [("a/" * 2000 + "f", "file", b"x")])):
        yield Case("image", f"layer-member={name}", list(IMAGE_COMMANDS[0]),
                   _layers_case([layer_tar(entries)]), expect=ANY)
    for ref in ("", " ", "\x1b[31m", "no/such/image:tag@sha256:xyz"):
        yield Case("image", f"ref={ref!r}", ["scan", "--image", ref], lambda d: None, expect=REFUSED)


def _manifest_case(manifest: dict) -> Callable[[str], None]:
    return _image(manifest_value=manifest)


def _layers_case(layers: List[bytes]) -> Callable[[str], None]:
    def build(d):
        docs = ImageDocs(layers=layers)
        docs.config["rootfs"]["diff_ids"] = [sha256(l) for l in layers]
        docs.write(os.path.join(d, "img"))
    return build


def image_known_cases() -> Iterator[Case]:
    """The manifest faults a reader must catch even where every digest is right."""
    for name, change in (("layer-size-negative", -1), ("layer-size-2^62", 2 ** 62), ("layers-string", "x")):
        def build(d, change=change):
            docs = ImageDocs()
            out = os.path.join(d, "img")
            docs.write(out)   # the honest one first: learn the real descriptors, then lie in the manifest
            with open(os.path.join(out, "index.json")) as fh:
                md = json.load(fh)["manifests"][0]["digest"]
            with open(os.path.join(out, "blobs", "sha256", md.split(":")[1])) as fh:
                man = json.load(fh)
            if change == "x":
                man["layers"] = "x"
            else:
                man["layers"][0]["size"] = change
            docs.write(out, manifest_value=man)
        yield Case("image", name, ["scan", "--image", "{d}/img", "--json"], build, expect=REFUSED)


# -- surface: models (fit) ------------------------------------------------------------------------------------
DIMENSIONS = ("hidden_size", "num_hidden_layers", "num_key_value_heads", "vocab_size", "intermediate_size",
              "num_attention_heads")
MODEL_COMMANDS = (
    ["fit", "{d}/model", "--gpu", "RTX 4090"],
    ["fit", "{d}/model", "--env", SEED_ENV, "--json"],
    ["recommend", "--target", "vllm", "--env", SEED_ENV, "--model", "{d}/model"],
)


def safetensors(header: Any, payload: int = 16, length: Optional[int] = None) -> bytes:
    text = dump(header)
    n = len(text) if length is None else length
    return n.to_bytes(8, "little") + text + b"\0" * payload


SAFETENSORS_SEED = {"__metadata__": {"format": "pt"},
                    "model.embed_tokens.weight": {"dtype": "BF16", "shape": [2, 4], "data_offsets": [0, 16]}}


def _model(config: Any = None, header: Optional[bytes] = None, config_raw: Optional[bytes] = None):
    def build(d):
        write(os.path.join(d, "model", "config.json"), config_raw if config_raw is not None else dump(config))
        if header is not None:
            write(os.path.join(d, "model", "model.safetensors"), header)
    return build


def model_cases(rng: random.Random) -> Iterator[Case]:
    doc = seed_model()
    n = 0
    for where in paths(doc):
        for h in HOSTILE:
            cmd = MODEL_COMMANDS[n % len(MODEL_COMMANDS)]
            n += 1
            dim = where[0] in DIMENSIONS and h.name in ("neg", "zero", "float", "empty", "list", "dict", "null",
                                                        "true", "control", "long", "hugeversion")
            yield Case("model", f"config:{spell(where)}={h.name}:{cmd[0]}", list(cmd),
                       _model(replaced(doc, where, h.value)), expect=REFUSED if h.invalid or dim else ANY)
    for key in DIMENSIONS:
        for value in (0, 10 ** 30):
            yield Case("model", f"known:{key}={value}", list(MODEL_COMMANDS[0]), _model(dict(doc, **{key: value})),
                       expect=REFUSED)
    for where in paths(SAFETENSORS_SEED):
        for h in HOSTILE:
            cmd = MODEL_COMMANDS[n % len(MODEL_COMMANDS)]
            n += 1
            yield Case("model", f"safetensors:{spell(where)}={h.name}:{cmd[0]}", list(cmd),
                       _model(doc, safetensors(replaced(SAFETENSORS_SEED, where, h.value))),
                       expect=REFUSED if h.invalid else ANY)
    for name, data in (("length-past-end", safetensors(SAFETENSORS_SEED, length=1 << 40)),
                       ("length-2^63", safetensors(SAFETENSORS_SEED, length=(1 << 63) - 1)),
                       ("length-zero", safetensors(SAFETENSORS_SEED, length=0)),
                       ("short", b"\x01\x02"),
                       ("deep-header", len(deep_text()).to_bytes(8, "little") + deep_text().encode())):
        yield Case("model", f"safetensors:{name}", list(MODEL_COMMANDS[0]), _model(doc, data), expect=ANY)
    for form, make in FILE_FORMS:
        cmd = MODEL_COMMANDS[n % len(MODEL_COMMANDS)]
        n += 1
        yield Case("model", f"config.json={form}:{cmd[0]}", list(cmd),
                   lambda d, m=make: (os.makedirs(d + "/model"), m(d + "/model/config.json")), expect=REFUSED)
    yield Case("model", "model_type-control", ["fit", "{d}/model", "--gpu", "RTX 4090"],
               _model(dict(doc, model_type="\x1b]0;title\x07\u202eqwen2")), expect=ANY)


# -- surface: fleets ------------------------------------------------------------------------------------------
FLEET_GOOD = 20


def _scan_doc() -> dict:
    """A node document as `envcheck scan --json` writes it (the seed environment)."""
    return dict(seed_env())


def _fleet(bad_name: str, bad: Callable[[str], None]) -> Callable[[str], None]:
    def build(d):
        good = dump(_scan_doc())
        for i in range(FLEET_GOOD):
            write(os.path.join(d, "fleet", f"node-{i:03d}.json"), good)
        bad(os.path.join(d, "fleet", bad_name))
    return build


def _lists(name: str) -> Callable[[str, str, str], Optional[str]]:
    def check(d, out, err):
        if name not in out + err:
            return f"the bad document {name} is not named in the report"
        return None
    return check


FLEET_COMMANDS = (
    ["fleet", "report", "{d}/fleet"],
    ["fleet", "report", "{d}/fleet", "--json"],
    ["gate", "--policy", SEED_POLICY, "--fleet", "{d}/fleet"],
    ["gate", "--policy", SEED_POLICY, "--fleet", "{d}/fleet", "--json"],
)


def fleet_cases(rng: random.Random) -> Iterator[Case]:
    doc = _scan_doc()
    n = 0
    forms = [(f, m) for f, m in FILE_FORMS if f not in ("missing", "directory")]
    for form, make in forms:
        for cmd in FLEET_COMMANDS:
            yield Case("fleet", f"one-bad={form}:{' '.join(cmd[:2])}", list(cmd), _fleet("bad.json", make),
                       expect=frozenset({0, 1}), check=_lists("bad.json"), protect=("fleet/bad.json",), timeout=60)
    for where in rng.sample(list(paths(doc)), 12):
        for h in HOSTILE:
            cmd = FLEET_COMMANDS[n % len(FLEET_COMMANDS)]
            n += 1
            data = dump(replaced(doc, where, h.value))
            yield Case("fleet", f"one-bad={spell(where)}={h.name}:{' '.join(cmd[:2])}", list(cmd),
                       _fleet("bad.json", lambda p, data=data: write(p, data)), expect=frozenset({0, 1}),
                       timeout=60)
    for name, data in (("deep", deep_text().encode()), ("garbage", b"\xff\xfe{{{"), ("empty", b""),
                       ("good", dump(doc).replace(b"\n", b" "))):
        yield Case("fleet", f"stdin={name}", ["fleet", "report", "-"], lambda d: None, stdin=data + b"\n",
                   expect=frozenset({0, 1, 2}))


# -- surface: logs (explain) ----------------------------------------------------------------------------------
def _names(word: str, or_skipped: bool = False) -> Callable[[str, str, str], Optional[str]]:
    """The answer names the root cause; with `or_skipped`, saying which part of the log was not read will do (the
    cause sits in the part a bounded read leaves out)."""
    def check(d, out, err):
        if word in out or (or_skipped and "skipped" in out):
            return None
        return f"the root cause ({word}) is not in the answer" + (" and no skipped part is named" if or_skipped
                                                                  else "")
    return check


def _log(lines: int, where: str, width: int = 80) -> bytes:
    filler = [f"INFO step {i}: " + "x" * width for i in range(lines)]
    pos = {"start": 0, "middle": lines // 2, "end": lines}[where]
    filler.insert(pos, "Traceback (most recent call last):\n  File \"/w/venv/lib/python3.10/site-packages/"
                       "tensorrt_llm/__init__.py\", line 1\n" + MSG)
    return "\n".join(filler).encode()


def log_cases(rng: random.Random) -> Iterator[Case]:
    for lines in (1_000, 100_000):
        for where in ("start", "middle", "end"):
            data = _log(lines, where)
            check = _names("libcublasLt", or_skipped=where == "middle")
            yield Case("log", f"file-{lines}-lines-cause-at-{where}", ["explain", "--file", "{d}/log.txt"],
                       _writer("log.txt", data), expect=ANSWERED, check=check, timeout=60)
            yield Case("log", f"stdin-{lines}-lines-cause-at-{where}", ["explain", "-"], lambda d: None,
                       stdin=data, expect=ANSWERED, check=check, timeout=60)
    ten_mb = (b"x" * 1023 + b"\n") * (10 << 10)
    yield Case("log", "stdin-10MB", ["explain", "-"], lambda d: None, stdin=ten_mb, expect=ANY, timeout=60)
    yield Case("log", "file-one-line-8MB", ["explain", "--file", "{d}/log.txt"],
               _writer("log.txt", b"y" * (8 << 20)), expect=ANY, timeout=60)
    for name, data in (("control", ("\x1b[2J\x1b]0;pwn\x07\u202e" + MSG).encode()),
                       ("binary", bytes(range(256)) * 64), ("utf16", MSG.encode("utf-16")),
                       ("crlf", (MSG + "\r\n").encode()), ("empty", b""), ("nul", MSG.encode() + b"\0" * 100),
                       ("ansi-colored", ("\x1b[31m" + MSG + "\x1b[0m").encode())):
        yield Case("log", f"file-{name}", ["explain", "--file", "{d}/log.txt"], _writer("log.txt", data),
                   expect=ANY)
        yield Case("log", f"stdin-{name}", ["explain", "-"], lambda d: None, stdin=data, expect=ANY)
        yield Case("log", f"arg-{name}", ["explain", data.decode("utf-8", "replace").replace("\0", "")[:4000]],
                   lambda d: None, expect=ANY)
    for form, make in FILE_FORMS:
        if form in ("empty",):
            continue
        yield Case("log", f"file={form}", ["explain", "--file", "{d}/log.txt"], _maker("log.txt", make),
                   expect=ANY if form in ("garbage", "sparse-20MiB", "deep-json", "deep-mapping", "utf16",
                                          "nul-bytes") else REFUSED, timeout=60)


# -- surface: labels options ----------------------------------------------------------------------------------
def labels_cases(rng: random.Random) -> Iterator[Case]:
    base = ["labels", "--env", SEED_ENV]
    bad_prefix = ("a" * 300, "\x1b[31m\u202e", "UPPER.Example.com/x-", "a..b/x-", "/x-",
                  "example.com/" + "n" * 70, "a/b/c-")
    for p in bad_prefix:
        yield Case("labels", f"prefix={p[:20]!r}", base + ["--prefix", p], lambda d: None, expect=REFUSED)
    for p in ("example.com/envcheck-", "nvidia.com/gpu-"):
        yield Case("labels", f"prefix={p!r}", base + ["--prefix", p], lambda d: None, expect=ANSWERED)
    yield Case("labels", "prefix='envcheck-'", base + ["--prefix", "envcheck-"], lambda d: None, expect=ANY)
    for h in ("nan", "inf", "-inf", "-1", "1e308", "x", "NaN", "Infinity"):
        yield Case("labels", f"expiry={h}", base + ["--expiry-hours", h], lambda d: None, expect=REFUSED)
    for h in ("0.5", "24", "8760"):
        yield Case("labels", f"expiry={h}", base + ["--expiry-hours", h], lambda d: None, expect=ANSWERED)
    for t in ("nonexistent==1", "", "vllm>=abc", "\x1b[31mvllm", "vllm" * 100, "tensorrt-llm==99999999999999"):
        yield Case("labels", f"target={t[:20]!r}", base + ["--target", t], lambda d: None,
                   expect=REFUSED if t != "tensorrt-llm==99999999999999" else ANY)
    for t in ("vllm", "tensorrt-llm>=1.0", "torch"):
        yield Case("labels", f"target={t!r}", base + ["--target", t], lambda d: None, expect=ANSWERED)
    for name in ("\x1b[31mnode\u202e", "n" * 300, "", "node-1"):
        yield Case("labels", f"node-name={name[:10]!r}",
                   base + ["--node-name", name, "--save-scan", "{d}/scan.json"], lambda d: None,
                   outputs=("scan.json",), expect=ANY)
    env = seed_env()
    env["driver"]["source"] = "\x1b]0;pwn\x07nvml\u202e"
    env["gpus"][0]["name"] = "\x1b[2JNVIDIA\u202e GeForce RTX 4090"
    yield Case("labels", "control-in-facts", ["labels", "--env", "{d}/env.json"], _writer("env.json", dump(env)),
               expect=ANY)
    yield Case("labels", "control-in-facts-json", ["labels", "--env", "{d}/env.json", "--json"],
               _writer("env.json", dump(env)), expect=ANY)


# -- surface: matrix bundles (matrix update --from) -----------------------------------------------------------
def _bundle(members: Sequence[Tuple[str, str, bytes]], compress: Callable[[bytes], bytes] = None) -> bytes:
    raw = layer_tar(members)
    return (compress or (lambda b: gzip.compress(b, mtime=0)))(raw)


def _bundle_writer(make: Callable[[], bytes]) -> Callable[[str], None]:
    """Writes the bundle and its sha256, which the command line reads as {read:bundle.sha} (known only then)."""
    def build(d):
        data = make()
        write(os.path.join(d, "bundle.tar.gz"), data)
        write(os.path.join(d, "bundle.sha"), hashlib.sha256(data).hexdigest().encode())
    return build


def _update(data: bytes, sha: Optional[str] = None) -> Tuple[List[str], Callable[[str], None]]:
    digest = sha or hashlib.sha256(data).hexdigest()
    return (["matrix", "update", "--from", "{d}/bundle.tar.gz", "--sha256", digest],
            _writer("bundle.tar.gz", data))


@functools.lru_cache(maxsize=1)
def _bundle_bomb() -> bytes:
    """A tar.gz whose one member, cuda.yaml, claims 4 GiB of zero bytes (about 4 MB on disk)."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as gz:
        ti = tarfile.TarInfo("cuda.yaml")
        ti.size = 4 << 30
        gz.write(ti.tobuf(format=tarfile.GNU_FORMAT))
        chunk = b"\0" * (1 << 22)
        for _ in range(ti.size // len(chunk)):
            gz.write(chunk)
    return buf.getvalue()


def update_cases(rng: random.Random) -> Iterator[Case]:
    cuda = open(os.path.join(REPO, "matrix", "cuda.yaml"), "rb").read()
    index = open(os.path.join(REPO, "matrix", "index.yaml"), "rb").read()
    bundles: Dict[str, Callable[[], bytes]] = {
        "bomb-4GiB": _bundle_bomb,
        "garbage": lambda: b"\x1f\x8b" + b"\xff" * 100,
        "empty": lambda: b"",
        "plain-text": lambda: b"schema: x\n",
        "dotdot-member": lambda: _bundle([("../../evil.yaml", "file", b"x: 1\n")]),
        "symlink-member": lambda: _bundle([("cuda.yaml", "sym", "/etc/passwd")]),
        "fifo-member": lambda: _bundle([("cuda.yaml", "fifo", b"")]),
        "deep-yaml": lambda: _bundle([("index.yaml", "file", index), ("cuda.yaml", "file", deep_text().encode())]),
        "nan-version": lambda: _bundle([("index.yaml", "file", index),
                                        ("cuda.yaml", "file", b"schema: envcheck.matrix.cuda/1\nrows:\n- version: .nan\n")]),
        "control-names": lambda: _bundle([("\x1b[31mcuda.yaml", "file", cuda)]),
    }
    for name, make in bundles.items():
        yield Case("update", name, ["matrix", "update", "--from", "{d}/bundle.tar.gz", "--sha256", "{read:bundle.sha}"],
                   _bundle_writer(make), expect=REFUSED, timeout=120)
    argv, build = _update(_bundle([("cuda.yaml", "file", cuda)]), sha="0" * 64)
    yield Case("update", "wrong-sha", argv, build, expect=REFUSED)
    for form, make in FILE_FORMS:
        yield Case("update", f"file={form}", ["matrix", "update", "--from", "{d}/bundle.tar.gz", "--sha256", "0" * 64],
                   _maker("bundle.tar.gz", make), expect=REFUSED)


# -- surface: output targets ----------------------------------------------------------------------------------
WRITERS = (
    ["labels", "--env", SEED_ENV, "-o", "{d}/{t}"],
    ["labels", "--env", SEED_ENV, "--save-scan", "{d}/{t}"],
    ["gate", "--policy", SEED_POLICY, "--env", SEED_ENV, "--junit", "{d}/{t}"],
    ["gate", "--policy", SEED_POLICY, "--env", SEED_ENV, "--markdown", "{d}/{t}"],
    ["init-policy", "--env", SEED_ENV, "-o", "{d}/{t}", "--force"],
)


def _target_forms() -> Tuple[Tuple[str, Callable[[str], None], FrozenSet[int]], ...]:
    def link_out(p):
        write(os.path.join(os.path.dirname(p), "outside.txt"), b"keep me\n")
        os.symlink("outside.txt", p)

    def dangling(p):
        os.symlink("nowhere/at/all", p)

    def dir_(p):
        os.makedirs(p)

    return (("device", device_node, REFUSED), ("fifo", _fifo, REFUSED), ("socket", socket_file, REFUSED),
            ("symlink", link_out, REFUSED), ("dangling-symlink", dangling, REFUSED), ("directory", dir_, REFUSED),
            ("regular", lambda p: write(p, b"old\n"), frozenset({0, 1})),
            ("missing-parent", lambda p: None, frozenset({0, 1})))     # made, as `mkdir -p` would


def output_cases(rng: random.Random) -> Iterator[Case]:
    for form, make, expect in _target_forms():
        for cmd in WRITERS:
            t = "no/such/dir/out" if form == "missing-parent" else "out"
            argv = [a.replace("{t}", t) for a in cmd]
            protect = ("out", "outside.txt") if form not in ("regular", "missing-parent") else ()
            outputs = {"regular": ("out",), "missing-parent": (t,)}.get(form, ())
            yield Case("output", f"{form}:{cmd[0]}:{cmd[-2]}", argv, _maker("out", make), expect=expect,
                       protect=protect, outputs=outputs)


# -- surface: --root trees ------------------------------------------------------------------------------------
def root_cases(rng: random.Random) -> Iterator[Case]:
    sys.path.insert(0, os.path.join(REPO, "tests"))
    from hostile_tree import SYSTEM_FILES, VENV_FILES, make_tree

    forms = [(f, m) for f, m in FILE_FORMS if f not in ("missing",)]
    for rel in SYSTEM_FILES + VENV_FILES:
        for form, make in forms:
            def build(d, rel=rel, make=make):
                root = make_tree(os.path.join(d, "root"))
                path = os.path.join(root, rel)
                if os.path.lexists(path):
                    os.remove(path)
                make(path)
            yield Case("root", f"{rel}={form}", ["scan", "--root", "{d}/root", "--json"], build,
                       expect=frozenset({0}), timeout=60)


SURFACES: Dict[str, Callable[[random.Random], Iterator[Case]]] = {
    "env": env_cases, "policy": policy_cases, "overlay": overlay_cases, "image": image_cases,
    "model": model_cases, "fleet": fleet_cases, "log": log_cases, "labels": labels_cases, "update": update_cases,
    "output": output_cases, "root": root_cases,
}
# cases each surface contributes to the full run (the rest of its generated cases are sampled out); the named
# cases (known faults, whole-file forms) are always kept
BUDGET = {"env": 700, "policy": 178, "overlay": 420, "image": 360, "model": 300, "fleet": 232, "log": 45,
          "labels": 37, "update": 22, "output": 40, "root": 240}


def all_cases(seed: int = 0, scale: float = 1.0, surfaces: Optional[Sequence[str]] = None) -> List[Case]:
    """Every surface's cases, sampled to its budget times `scale` (1.0: the full run), in a stable order."""
    out: List[Case] = []
    for name, gen in SURFACES.items():
        if surfaces and name not in surfaces:
            continue
        rng = random.Random(f"{seed}:{name}")
        cases = list(gen(rng))
        if name == "image":
            cases += list(image_known_cases())
        keep = max(1, int(BUDGET[name] * scale))
        named = [c for c in cases if _named(c)]
        rest = [c for c in cases if not _named(c)]
        room = max(0, keep - len(named)) if scale < 1 else max(0, BUDGET[name] - len(named))
        pick = named if scale >= 1 else rng.sample(named, min(len(named), keep))
        out += pick + rng.sample(rest, min(len(rest), room))
    return out


def _named(case: Case) -> bool:
    """A case written for a known fault or a whole-file form, not a generated leaf mutation."""
    return not any(f"={h.name}" in case.name for h in HOSTILE) or case.surface in ("log", "labels", "update",
                                                                                      "output")
