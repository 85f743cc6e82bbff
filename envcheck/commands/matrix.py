"""`envcheck matrix show|validate|diff|update|bundle`."""
from __future__ import annotations

import json

import click

from envcheck.errors import EXIT_FAILED, InputError


@click.group()
def matrix():
    """The versioned compatibility matrix (TensorRT-LLM, CUDA, drivers, TensorRT, torch, vLLM, SGLang, GPUs)."""


SHOW_COLUMNS = {
    "tensorrt-llm": ["version", "cuda", "tensorrt", "torch", "python", "sm", "index", "min_driver", "cublas_soname"],
    "cuda": ["version", "min_driver", "min_driver_mvc"],
    "tensorrt": ["version", "cuda", "python"],
    "torch": ["version", "cuda", "default_cuda", "python"],
    "vllm": ["version", "torch", "cuda", "python"],
    "sglang": ["version", "torch", "cuda", "python"],
    "gpus": ["name", "compute_capability", "memory_gib", "memory_bandwidth_gbs", "fp16_tflops", "class"],
    "paths": ["target", "version", "wheel_disk_gib", "apt", "source_cuda", "index_url", "source_build"],
}


def _with_derived(m, subject, r) -> dict:
    """A row's data; a release row whose notes state no minimum driver gets the one its CUDA needs, and says so."""
    data = dict(r.data)
    if subject == "tensorrt-llm" and not data.get("min_driver") and data.get("cuda"):
        from envcheck.matrix.compat import min_driver_for_cuda
        need, row = min_driver_for_cuda(m, data["cuda"])
        if need is not None:
            data["min_driver"] = str(need)
            data["min_driver_from"] = f"derived: CUDA {data['cuda']} needs it ({row.ref()}); the release notes state none"
    return data


def _cell(v):
    if isinstance(v, list):
        return ",".join(str(x) for x in v)
    if isinstance(v, dict):  # nested facts (a source build's requirements): name them, `--json` has the values
        return "{" + ", ".join(sorted(v)) + "}"
    return "" if v is None else str(v)


@matrix.command()
@click.argument("subject", required=False)
@click.option("--json", "as_json", is_flag=True, help='{"version": ..., "rows": [...]}')
@click.option("--matrix", "matrix_dirs", metavar="DIR", multiple=True, help="Overlay your own rows.")
def show(subject, as_json, matrix_dirs):
    """Print the matrix (one SUBJECT, or every subject's row count)."""
    from envcheck.app.inputs import Inputs

    m = Inputs(matrix_dirs=matrix_dirs).matrix()
    if subject and subject not in m.subjects:
        raise InputError(f"no subject {subject!r} in the matrix (subjects: {', '.join(sorted(m.subjects))})")
    if as_json:
        if subject:
            click.echo(json.dumps({"version": m.version, "subject": subject,
                                   "rows": [_with_derived(m, subject, r) for r in m.sorted_rows(subject) or m.rows(subject)]},
                                  indent=2))
        else:
            click.echo(json.dumps({"version": m.version,
                                   "subjects": {s: [r.data for r in m.rows(s)] for s in sorted(m.subjects)}}, indent=2))
        return
    from tabulate import tabulate

    click.echo(f"envcheck matrix {m.version} ({', '.join(m.dirs)})\n")
    if not subject:
        click.echo(tabulate([(s, len(m.rows(s)), m.subjects[s].file) for s in sorted(m.subjects)],
                            headers=["subject", "rows", "file"]))
        click.echo("\nenvcheck matrix show SUBJECT    # one subject's rows")
        return
    cols = SHOW_COLUMNS.get(subject) or sorted({k for r in m.rows(subject) for k in r.data if k not in ("sources", "notes")})
    rows = m.sorted_rows(subject) if subject not in ("gpus", "paths") else m.rows(subject)
    # every cell is text: '12.10' must not print as 12.1, nor '570.195.03' be guessed at
    table, derived = [], False
    for r in rows:
        data = _with_derived(m, subject, r)
        line = [_cell(data.get(c)) for c in cols]
        if "min_driver_from" in data and "min_driver" in cols:  # not stated by the release: marked
            line[cols.index("min_driver")] += "*"
            derived = True
        table.append(line)
    click.echo(tabulate(table, headers=cols, disable_numparse=True))
    if derived:
        click.echo("\n* not stated by the release: the minimum driver of its CUDA version (of its Update, for X.Y.N), "
                   "from cuda.yaml (minor-version compatibility can lower it within a major)")


@matrix.command()
@click.option("--matrix", "matrix_dirs", metavar="DIR", multiple=True,
              help="Validate this directory too, as an overlay on the bundled matrix.")
@click.option("--only", "only", metavar="DIR", help="Validate only this directory, as a complete matrix.")
def validate(matrix_dirs, only):
    """Check every row's schema and the facts across files; print FILE:LINE: message; exit 1 on any."""
    from envcheck.matrix.load import default_base
    from envcheck.matrix.validate import validate_dirs

    dirs = [only] if only else [default_base(), *matrix_dirs]
    problems = validate_dirs(dirs)
    for p in problems:
        click.echo(str(p))
    if problems:
        click.echo(f"{len(problems)} problem(s) in {', '.join(dirs)}", err=True)
        raise click.exceptions.Exit(EXIT_FAILED)
    click.echo(f"ok: {', '.join(dirs)}")


@matrix.command()
@click.argument("old", type=click.Path(exists=True, file_okay=False))
@click.argument("new", type=click.Path(exists=True, file_okay=False))
def diff(old, new):
    """What changed between two matrix directories (+ added, - removed, ~ changed)."""
    from envcheck.matrix.load import MatrixError, load_matrix
    from envcheck.matrix.update import diff as diff_matrices

    try:
        a = load_matrix(include_user=False, base=old)
        b = load_matrix(include_user=False, base=new)
    except MatrixError as exc:
        raise InputError(str(exc)) from None
    lines = diff_matrices(a, b)
    click.echo("\n".join(lines) if lines else "no differences")


@matrix.command()
@click.option("--from", "url", metavar="URL|PATH",
              help="Bundle (.tar.gz made by `envcheck matrix bundle`): http(s)://, file:// or a local path. "
                   "Default: $ENVCHECK_MATRIX_URL, else `matrix_url:` in ~/.config/envcheck/config.yaml.")
@click.option("--sha256", metavar="HEX", help="Expected checksum (default: read URL.sha256).")
@click.option("--timeout", default=30.0, show_default=True)
def update(url, sha256, timeout):
    """Fetch the newest matrix bundle, verify its sha256, validate it, and switch to it atomically."""
    from envcheck.matrix.update import configured_url, update as do_update

    url = url or configured_url()
    if not url:
        raise InputError("matrix update needs a bundle: --from URL|PATH, $ENVCHECK_MATRIX_URL, or `matrix_url: URL` "
                         "in ~/.config/envcheck/config.yaml (the .tar.gz that `envcheck matrix bundle` makes, "
                         "beside its .sha256)")
    old, new, lines = do_update(url, sha256, timeout)
    click.echo(f"matrix updated: {old} -> {new}")
    for line in lines[:50]:
        click.echo("  " + line)


@matrix.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--matrix", "matrix_dir", metavar="DIR", help="Directory to bundle (default: the bundled matrix).")
def bundle(out, matrix_dir):
    """Write the matrix as OUT (.tar.gz) and OUT.sha256, for `envcheck matrix update --from`."""
    from envcheck.matrix.load import bundled_dir
    from envcheck.matrix.update import make_bundle

    digest = make_bundle(matrix_dir or bundled_dir(), out)
    click.echo(f"{out}  sha256 {digest}")


@matrix.command()
@click.argument("subjects", nargs=-1)
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Write the matrix with the candidate rows here (plus refresh-report.json).")
@click.option("--since", metavar="DATE", help="Only versions uploaded on or after DATE (YYYY-MM-DD).")
@click.option("--index-url", default="https://pypi.org/simple/", show_default=True, envvar="PIP_INDEX_URL",
              help="A PEP 503/691 simple index (as pip's --index-url).")
@click.option("--existing", is_flag=True, help="Also derive the versions the matrix holds and report the agreement.")
@click.option("--version", "versions", metavar="V", multiple=True, help="Only these versions.")
@click.option("--full-cap", type=int, default=64 << 20, show_default=True,
              help="Largest file (bytes) downloaded whole from a server that ignores HTTP ranges.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def refresh(subjects, out_dir, since, index_url, existing, versions, full_cap, as_json):
    """Derive candidate rows for new releases from the package index (maintainers; network to the index only)."""
    from envcheck.matrix.load import bundled_dir
    from envcheck.matrix.refresh.derive import SUBJECTS
    from envcheck.matrix.refresh.run import refresh as do_refresh, report, today_utc, write

    bad = [s for s in subjects if s not in SUBJECTS]
    if bad:
        raise InputError(f"matrix refresh: unknown subject(s) {', '.join(bad)} (choose from {', '.join(SUBJECTS)})")
    if since and not __import__("re").fullmatch(r"\d{4}-\d{2}-\d{2}", since):
        raise InputError(f"matrix refresh: --since {since!r} is not a YYYY-MM-DD date")
    from envcheck.matrix.refresh.http import FetchError
    from envcheck.matrix.refresh.remotezip import ZipError

    try:
        res = do_refresh(list(subjects or SUBJECTS), index_url, since=since, existing=existing,
                         only_versions=list(versions) or None, full_cap=full_cap,
                         progress=lambda s: click.echo(f"  reading {s}", err=True))
    except (FetchError, ZipError) as exc:
        raise InputError(f"matrix refresh: {exc}; nothing was written") from None
    files = write(res, bundled_dir(), out_dir, today_utc())
    rep = report(res)
    if as_json:
        click.echo(json.dumps(rep, indent=2, sort_keys=True))
        return
    for c in rep["new"]:
        status = f"error: {c['error']}" if c["error"] else ", ".join(f"{k}={v}" for k, v in sorted(c["row"].items())
                                                                      if k != "pypi")
        click.echo(f"+ {c['subject']} {c['version']}: {status}")
    a = rep["agreement"]
    if a["facts"]:
        click.echo(f"agreement with the matrix: {a['agree']}/{a['facts']} facts ({100 * a['rate']:.1f}%)")
        for dis in rep["disagreements"]:
            click.echo(f"  ~ {dis['subject']} {dis['version']} {dis['key']}: matrix {dis['hand']!r}, "
                       f"derived {dis['derived']!r} ({dis['row']})")
    click.echo(f"{rep['bytes_total']} bytes in {rep['requests']} requests, {rep['seconds']} s; "
               + ("servers without HTTP ranges (downloaded whole, capped): " + ", ".join(rep["servers_without_ranges"])
                  if rep["servers_without_ranges"] else "all range requests honoured"))
    click.echo(f"wrote {', '.join(files)}")
    click.echo(f"review: envcheck matrix diff {bundled_dir()} {out_dir}")
