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
        from envcheck.compat import min_driver_for_cuda
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
    from envcheck.commands.options import load_matrix_or_fail

    m = load_matrix_or_fail(matrix_dirs)
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
        click.echo("\n* not stated by the release: the minimum driver of its CUDA version, from cuda.yaml "
                   "(minor-version compatibility can lower it within a major)")


@matrix.command()
@click.option("--matrix", "matrix_dirs", metavar="DIR", multiple=True,
              help="Validate this directory too, as an overlay on the bundled matrix.")
@click.option("--only", "only", metavar="DIR", help="Validate only this directory, as a complete matrix.")
def validate(matrix_dirs, only):
    """Check every row's schema and the facts across files; print FILE:LINE: message; exit 1 on any."""
    from envcheck.knowledge import default_base
    from envcheck.matrix_validate import validate_dirs

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
    from envcheck.commands.options import load_matrix_or_fail  # noqa: F401  (errors as exit 2)
    from envcheck.knowledge import MatrixError, load_matrix
    from envcheck.matrix_update import diff as diff_matrices

    try:
        a = load_matrix(include_user=False, base=old)
        b = load_matrix(include_user=False, base=new)
    except MatrixError as exc:
        raise InputError(str(exc)) from None
    lines = diff_matrices(a, b)
    click.echo("\n".join(lines) if lines else "no differences")


@matrix.command()
@click.option("--from", "url", metavar="URL", envvar="ENVCHECK_MATRIX_URL",
              help="Bundle URL (.tar.gz made by `envcheck matrix bundle`); default $ENVCHECK_MATRIX_URL.")
@click.option("--sha256", metavar="HEX", help="Expected checksum (default: read URL.sha256).")
@click.option("--timeout", default=30.0, show_default=True)
def update(url, sha256, timeout):
    """Download a newer matrix, verify its sha256, validate it, and switch to it atomically."""
    from envcheck.matrix_update import update as do_update

    if not url:
        raise InputError("matrix update needs --from URL (or $ENVCHECK_MATRIX_URL): the .tar.gz that "
                         "`envcheck matrix bundle` makes, served beside its .sha256")
    old, new, lines = do_update(url, sha256, timeout)
    click.echo(f"matrix updated: {old} -> {new}")
    for line in lines[:50]:
        click.echo("  " + line)


@matrix.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--matrix", "matrix_dir", metavar="DIR", help="Directory to bundle (default: the bundled matrix).")
def bundle(out, matrix_dir):
    """Write the matrix as OUT (.tar.gz) and OUT.sha256, for `envcheck matrix update --from`."""
    from envcheck.knowledge import bundled_dir
    from envcheck.matrix_update import make_bundle

    digest = make_bundle(matrix_dir or bundled_dir(), out)
    click.echo(f"{out}  sha256 {digest}")
