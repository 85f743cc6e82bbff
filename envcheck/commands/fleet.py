"""`envcheck labels` (one node's NFD feature file), `envcheck fleet scan --ray` and `envcheck fleet report`."""
from __future__ import annotations

import json
import os
import sys

import click

from envcheck.app.fleet_report import fleet_report as fleet_report_of
from envcheck.app.inputs import Inputs
from envcheck.app.labels import node_labels
from envcheck.commands.options import environment_options
from envcheck.errors import EXIT_FAILED, InputError
from envcheck.output import write_text


@click.command()
@environment_options
@click.option("--target", "targets", metavar="SPEC", multiple=True,
              help="A target to give a verdict label for (repeatable): tensorrt-llm==1.1.0, vllm, 'torch>=2.6'.")
@click.option("-o", "--output", "output", metavar="FILE", default="-", show_default=True,
              help="Where to write the feature file, e.g. /etc/kubernetes/node-feature-discovery/features.d/envcheck.")
@click.option("--prefix", default="feature.node.kubernetes.io/envcheck-", show_default=True,
              help="Label key prefix (DNS subdomain, '/', then the start of the name).")
@click.option("--expiry-hours", type=float, default=None,
              help="Write NFD's '# +expiry-time' directive: the labels lapse unless rewritten within this many hours.")
@click.option("--save-scan", "save_scan", metavar="FILE", help="Also write the scan document (JSON) here, for "
                                                               "`envcheck fleet report`.")
@click.option("--node-name", "node_name", metavar="NAME", help="Record NAME as host.hostname in the saved scan (in "
              "Kubernetes a pod's hostname is the pod's name: pass spec.nodeName from the downward API).")
@click.option("--json", "as_json", is_flag=True, help='Print {"labels": {...}, "verdicts": [...]} (the feature file '
              'still goes to -o FILE when one is given).')
@click.pass_context
def labels(ctx, env_file, root, search, exec_pythons, matrix_dirs, targets, output, prefix, expiry_hours, save_scan,
           node_name, as_json):
    """This node's facts and per-target verdicts as a node-feature-discovery local feature file.

    \b
      envcheck labels --target tensorrt-llm==1.1.0 --target vllm
      envcheck labels --target tensorrt-llm==1.1.0 -o /etc/kubernetes/node-feature-discovery/features.d/envcheck

    A verdict (ok, risky, blocked) says whether the target runs on the node as it stands (a wheel into a venv, or
    an image); what a driver change would take is a separate `.needs` label. Exit 0 whatever the verdicts.
    """
    inputs = Inputs(env_file, root, search, exec_pythons, matrix_dirs, (ctx.obj or {}).get("debug", False))
    result = node_labels(inputs, targets, prefix, node_name, expiry_hours)
    if save_scan:
        write_text(save_scan, result.environment.to_json() + "\n", "--save-scan")
    text = result.feature_file
    if output != "-":
        write_text(output, text, "-o")   # a dot file renamed over it: NFD never reads half a feature file
    if as_json:
        click.echo(json.dumps(result.document(), indent=2))
    elif output == "-":
        click.echo(text, nl=False)


@click.group()
def fleet():
    """envcheck across a cluster: collect one scan per node (Ray; Slurm and ssh in docs/fleet.md), then report."""


@fleet.command("scan")
@click.option("--ray", "ray_address", is_flag=False, flag_value="auto", default=None, metavar="[ADDRESS]",
              help="Scan every alive node of this Ray cluster (default address: auto, i.e. RAY_ADDRESS or the "
                   "local cluster).")
@click.option("-o", "--output", "out_dir", metavar="DIR", required=True, help="One JSON document per node here.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=120.0, show_default=True,
              help="Seconds to wait for each node's document (the nodes scan in parallel).")
@click.option("--search", "search", metavar="DIR", multiple=True, help="Another place to look for Python "
                                                                       "environments on each node (repeatable).")
@click.option("--no-ship", is_flag=True, help="Do not send envcheck with the tasks (the nodes have it installed).")
def fleet_scan(ray_address, out_dir, timeout, search, no_ship):
    """One scan per node, in parallel, written as DIR/<hostname>.json.

    \b
      envcheck fleet scan --ray -o scans/                # the Ray cluster this machine belongs to
      envcheck fleet scan --ray 10.0.0.5:6379 -o scans/
      envcheck fleet report scans/ --target tensorrt-llm==1.1.0

    A node that fails or times out is listed (and in DIR/.envcheck-fleet-scan.json); exit 1 when any did.
    """
    if ray_address is None:
        raise InputError("fleet scan needs an engine: --ray [ADDRESS] (for Slurm and ssh see docs/fleet.md)")
    try:
        import ray  # noqa: F401
    except ImportError:
        raise InputError("fleet scan --ray needs Ray: pip install 'envcheck[fleet]' (or pip install ray)") from None
    from envcheck.app.environment import acquire
    from envcheck.fleet.ray_scan import SUMMARY, scan_ray

    def progress(done, total):
        click.echo(f"\r  {done}/{total} nodes", err=True, nl=False)
    address = None if ray_address == "auto" else ray_address
    try:
        results = scan_ray(address, out_dir, timeout, search, ship=not no_ship,
                           progress=progress if sys.stderr.isatty() else None, acquire=acquire)
    except ConnectionError as exc:     # no cluster at that address: Ray's own words
        raise InputError(f"--ray {address or '(auto: RAY_ADDRESS or a local cluster)'}: {exc}") from None
    ok = [r for r in results if r.status == "ok"]
    click.echo(f"envcheck fleet scan: {len(ok)} of {len(results)} node(s) scanned into {out_dir}/")
    for r in results:
        if r.status != "ok":
            click.echo(f"  {r.status}: node {r.ip} ({r.node_id[:12]}): {r.error}")
    if not results:
        raise InputError("the Ray cluster has no alive node")
    if len(ok) < len(results):
        click.echo(f"  (details in {os.path.join(out_dir, SUMMARY)})")
        sys.exit(EXIT_FAILED)


@fleet.command("report")
@click.argument("source", metavar="DIR|-")
@click.option("--target", "targets", metavar="SPEC", multiple=True, help="Count ok/risky/blocked nodes for it "
                                                                         "(repeatable).")
@click.option("--matrix", "matrix_dirs", metavar="DIR", multiple=True, help="Overlay your own matrix rows.")
@click.option("--json", "as_json", is_flag=True, help='Print {"nodes", "groups", "drift", "verdicts", ...}.')
@click.option("--ascii", "ascii_only", is_flag=True, help="Plain ASCII.")
def fleet_report(source, targets, matrix_dirs, as_json, ascii_only):
    """Group nodes by identical stack, show each node's drift from the largest group, and count per target the
    nodes where it runs as they stand.

    \b
      envcheck fleet report scans/ --target tensorrt-llm==1.1.0 --target vllm
      cat scans/*.json | jq -c . | envcheck fleet report - --json      # JSON lines on stdin

    DIR holds one scan a *.json file (or JSON lines in *.jsonl files, or a YAML environment document a *.yaml / *.yml file). Exit 0; 2 when there is no document.
    """
    from envcheck.fleet.report import render_text

    rep = fleet_report_of(source, targets, Inputs(matrix_dirs=matrix_dirs))
    if as_json:
        # json.dump encodes in chunks: the text of 10,000 nodes' drift is never one string in memory
        json.dump(rep.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        from envcheck.marks import can_unicode
        click.echo(render_text(rep, unicode=can_unicode() and not ascii_only), nl=False)
