"""`envcheck init-policy`: a commented starter policy from what a machine has now (pure: env + matrix -> text)."""
from __future__ import annotations

import datetime as _dt
import json
import math
import shlex
from typing import List

from envcheck.report.safe import sanitized


def _q(s) -> str:
    return json.dumps(str(s))


@sanitized
def starter_policy(env, matrix, source: str, target: str = "tensorrt-llm", today=None,
                   path: str = "envcheck-policy.yaml") -> str:
    """`path`: where the policy is written (-o), named in its own `# Run:` line."""
    today = today or _dt.datetime.now(_dt.timezone.utc).date()
    L: List[str] = [
        "# envcheck gate policy (docs/gate.md). Written by `envcheck init-policy` on "
        f"{today.isoformat()} ({source}).",
        f"# Run:  envcheck gate --policy {shlex.quote(path)} [--env scan.json] [--junit report.xml] [--github]",
        "# Exit: 0 pass, 1 a rule failed (or a waiver expired), 2 bad policy/input (file:line), 3 envcheck's own bug.",
        "# Every rule fails the gate unless it holds. Per rule: `severity: warn` reports without failing,",
        "# `optional: true` skips it when a fact it needs is unknown (otherwise an unknown fact FAILS the rule),",
        "# `id:` names it in reports and waivers.",
        "schema: envcheck.policy/1",
        "name: my-deploy",
        "rules:",
        "  # The knowledge the verdict used. `version:` pins it exactly; `min_version:` accepts newer.",
        "  - rule: matrix",
        f"    min_version: {_q(str(matrix.version).split('+')[0])}",
        "",
        "  # The stack you deploy: installable here by the same logic as `envcheck recommend` (wheel/image/source).",
        "  # A range such as \"tensorrt-llm>=0.19,<1.1\" or \"torch==2.7.*\"; or_loadable_in: ENV accepts one already",
        "  # installed there.",
        "  - rule: installable",
        f"    target: {_q(target)}",
        "    # allow_risky: false",
        "    # kinds: [wheel, image, source]",
    ]
    pys = [p for p in (env.pythons or ()) if p.packages and "torch" in {k.lower() for k in p.packages}]
    if pys:
        p = pys[0]
        tv = str(dict((k.lower(), v) for k, v in p.packages.items())["torch"]).split("+")[0]
        mm = ".".join(tv.split(".")[:2])
        L += ["",
              "  # A package that must already load in a named environment (prefix or interpreter path).",
              "  - rule: loadable",
              f"    target: {_q('torch==' + mm + '.*')}",
              f"    environment: {_q(p.prefix or p.path)}",
              "    check_native: " + ("true" if p.native is not None else "false   # this scan has no native facts")]
    drv = env.driver
    L += [""]
    if drv is not None and drv.version is not None:
        cuda = f"{drv.cuda.major}.{drv.cuda.minor}" if drv.cuda is not None else None
        L += [f"  # The NVIDIA driver (here: {drv.version}" + (f", CUDA <= {drv.cuda}" if drv.cuda else "") + ").",
              "  - rule: driver",
              f"    min_version: {_q(drv.version)}"]
        if cuda:
            L.append(f"    min_cuda: {_q(cuda)}")
    else:
        L += ["  # The NVIDIA driver: this scan has none, so the rule is left for you to fill in.",
              "  # - rule: driver", "  #   min_version: \"570\"", "  #   min_cuda: \"12.8\""]
    gpus = [g for g in (env.gpus or ()) if g.compute_capability is not None]
    L += [""]
    if gpus:
        cc = min(gpus, key=lambda g: g.compute_capability).compute_capability
        mems = [g.memory_mib for g in gpus if g.memory_mib]
        L += [f"  # GPUs (here: {len(env.gpus)} x {gpus[0].name}).",
              "  - rule: gpu",
              f"    min_compute_capability: {_q(cc)}"]
        if mems:
            L.append(f"    min_memory_gib: {int(math.floor(min(mems) / 1024.0))}")
        L.append(f"    min_count: {len(gpus)}")
    else:
        L += ["  # GPUs: this scan shows none with a compute capability.",
              "  # - rule: gpu", "  #   min_compute_capability: \"8.0\"", "  #   min_memory_gib: 24"]
    L += [""]
    # /dev/shm (role shm) is memory, not install disk: no starter rule for it (a 64 MiB tmpfs would get min 1 GiB)
    disks = [d for d in (env.disk or ()) if d.free_gib is not None
             and "shm" not in [r.strip() for r in (d.role or "").split(",")]]
    if disks:
        for d in disks[:3]:
            L += [f"  # Free disk where packages and models land (here {d.free_gib:g} GiB free at {d.path}).",
                  "  - rule: disk", f"    path: {_q(d.path)}", f"    min_free_gib: {max(1, int(d.free_gib * 0.8))}"]
    else:
        L += ["  # - rule: disk", "  #   path: /", "  #   min_free_gib: 40"]
    L += ["",
          "  # No broken native libraries (a .so that would not load) in these environments, or `all`."]
    native_known = env.pythons is not None and all(p.native is not None for p in env.pythons)
    L += ["  - rule: native-libs", "    environments: all"]
    if not native_known:
        L.append("    optional: true    # this scan has no native facts for every environment")
    c = env.container
    L += ["", "  # Container facts. privileged: false = the stack must work without a privileged container."]
    if c is not None and c.privileged is not None:
        L += ["  - rule: container", f"    privileged: {'true' if c.privileged else 'false'}"]
        if c.docker_socket is not None:
            L.append(f"    docker_socket: {'true' if c.docker_socket else 'false'}")
    else:
        L += ["  # - rule: container", "  #   privileged: false"]
    L += ["",
          "  # Every finding of `envcheck check` at fail (or warn) severity, unless waived below.",
          "  - rule: findings", "    fail_on: fail",
          "",
          "# Waivers: accept a known finding by its code (`envcheck codes`) until a date; an expired waiver fails.",
          "waivers: []",
          "#  - code: dind-impossible",
          "#    reason: \"we deploy with the pod template, not docker run inside the pod\"",
          f"#    expires: {(today + _dt.timedelta(days=90)).isoformat()}",
          ""]
    return "\n".join(L)
