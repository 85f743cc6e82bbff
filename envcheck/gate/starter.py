"""`envcheck init-policy`: a commented starter policy from what a machine has now (pure: env + matrix -> text)."""
from __future__ import annotations

import datetime as _dt
import json
import math
import shlex
import textwrap
from typing import List, Tuple

from envcheck.output import sanitized


def _q(s) -> str:
    return json.dumps(str(s))


@sanitized
def starter_policy(env, matrix, source: str, target: str = "tensorrt-llm", today=None,
                   path: str = "envcheck-policy.yaml", findings=None) -> str:
    """`path`: where the policy is written (-o), named in its own `# Run:` line. The policy passes on the machine
    it is written from (see _settle); `findings`: that machine's `envcheck check` findings (computed if None)."""
    today = today or _dt.datetime.now(_dt.timezone.utc).date()
    draft = _draft(env, matrix, source, target, today, path)
    return _settle(draft, env, matrix, source, today, path, findings)


def _draft(env, matrix, source: str, target: str, today, path: str) -> str:
    """The starter policy before _settle: one commented block per rule, filled from what this machine has."""
    lines = _head(matrix, source, target, today, path)
    for block in (_loadable_rule(env), _driver_rule(env), _gpu_rule(env), _disk_rules(env), _native_rule(env),
                  _container_rule(env)):
        lines += block
    return "\n".join(lines + _tail(today))


def _head(matrix, source: str, target: str, today, path: str) -> List[str]:
    return [
        "# envcheck gate policy (docs/gate.md). Written by `envcheck init-policy` on "
        f"{today.isoformat()} ({source}).",
        f"# Run:  envcheck gate --policy {shlex.quote(path)} [--env scan.json] [--junit report.xml] [--github]",
        "# Exit: 0 pass, 1 a rule failed (or a waiver expired), 2 bad policy/input (file:line), 3 envcheck's own bug.",
        "# Every rule fails the gate unless it holds. Per rule: `severity: warn` reports without failing,",
        "# `optional: true` skips it when a fact it needs is unknown (otherwise an unknown fact FAILS the rule),",
        "# `id:` names it in reports and waivers. It passes on the machine it was written from: a rule that fails",
        "# there now is written commented out, saying why; a finding there now is waived (below) until a date.",
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


def _loadable_rule(env) -> List[str]:
    """torch in the first environment that has it, pinned to its major.minor; nothing when none has it."""
    pys = [p for p in (env.pythons or ()) if p.packages and "torch" in {k.lower() for k in p.packages}]
    if not pys:
        return []
    p = pys[0]
    tv = str(dict((k.lower(), v) for k, v in p.packages.items())["torch"]).split("+")[0]
    mm = ".".join(tv.split(".")[:2])
    return ["",
            "  # A package that must already load in a named environment (prefix or interpreter path).",
            "  - rule: loadable",
            f"    target: {_q('torch==' + mm + '.*')}",
            f"    environment: {_q(p.prefix or p.path)}",
            "    check_native: " + ("true" if p.native is not None else "false   # this scan has no native facts")]


def _driver_rule(env) -> List[str]:
    drv = env.driver
    if drv is None or drv.version is None:
        return ["", "  # The NVIDIA driver: this scan has none, so the rule is left for you to fill in.",
                "  # - rule: driver", "  #   min_version: \"570\"", "  #   min_cuda: \"12.8\""]
    cuda = f"{drv.cuda.major}.{drv.cuda.minor}" if drv.cuda is not None else None
    lines = ["", f"  # The NVIDIA driver (here: {drv.version}" + (f", CUDA <= {drv.cuda}" if drv.cuda else "") + ").",
         "  - rule: driver",
         f"    min_version: {_q(drv.version)}"]
    if cuda:
        lines.append(f"    min_cuda: {_q(cuda)}")
    return lines


def _gpu_rule(env) -> List[str]:
    gpus = [g for g in (env.gpus or ()) if g.compute_capability is not None]
    if not gpus:
        return ["", "  # GPUs: this scan shows none with a compute capability.",
                "  # - rule: gpu", "  #   min_compute_capability: \"8.0\"", "  #   min_memory_gib: 24"]
    cc = min(gpus, key=lambda g: g.compute_capability).compute_capability
    mems = [g.memory_mib for g in gpus if g.memory_mib]
    lines = ["", f"  # GPUs (here: {len(env.gpus)} x {gpus[0].name}).",
         "  - rule: gpu",
         f"    min_compute_capability: {_q(cc)}"]
    if mems:
        lines.append(f"    min_memory_gib: {int(math.floor(min(mems) / 1024.0))}")
    lines.append(f"    min_count: {len(gpus)}")
    return lines


def _disk_rules(env) -> List[str]:
    # /dev/shm (role shm) is memory, not install disk: no starter rule for it (a 64 MiB tmpfs would get min 1 GiB)
    disks = [d for d in (env.disk or ()) if d.free_gib is not None
             and "shm" not in [r.strip() for r in (d.role or "").split(",")]]
    if not disks:
        return ["", "  # - rule: disk", "  #   path: /", "  #   min_free_gib: 40"]
    lines = [""]
    for d in disks[:3]:
        lines += [f"  # Free disk where packages and models land (here {d.free_gib:g} GiB free at {d.path}).",
              "  - rule: disk", f"    path: {_q(d.path)}", f"    min_free_gib: {max(1, int(d.free_gib * 0.8))}"]
    return lines


def _native_rule(env) -> List[str]:
    lines = ["",
         "  # No broken native libraries (a .so that would not load) in these environments, or `all`.",
         "  - rule: native-libs", "    environments: all"]
    native_known = env.pythons is not None and all(p.native is not None for p in env.pythons)
    if not native_known:
        lines.append("    optional: true    # this scan has no native facts for every environment")
    return lines


def _container_rule(env) -> List[str]:
    c = env.container
    lines = ["", "  # Container facts. privileged: false = the stack must work without a privileged container."]
    if c is None or c.privileged is None:
        return lines + ["  # - rule: container", "  #   privileged: false"]
    lines += ["  - rule: container", f"    privileged: {'true' if c.privileged else 'false'}"]
    if c.docker_socket is not None:
        lines.append(f"    docker_socket: {'true' if c.docker_socket else 'false'}")
    return lines


def _tail(today) -> List[str]:
    return ["",
            "  # Every finding of `envcheck check` at fail (or warn) severity, unless waived below.",
            "  - rule: findings", "    fail_on: fail",
            "",
            "# Waivers: accept a known finding by its code (`envcheck codes`) until a date; an expired waiver fails.",
            "waivers: []",
            "#  - code: dind-impossible",
            "#    reason: \"we deploy with the pod template, not docker run inside the pod\"",
            f"#    expires: {(today + _dt.timedelta(days=90)).isoformat()}",
            ""]


WAIVABLE_RULES = ("findings", "native-libs")    # rules whose problems are `envcheck check` findings, by code
WAIVER_DAYS = 90


def _settle(text: str, env, matrix, source: str, today, path: str, findings=None) -> str:
    """Make the draft pass where it was written: evaluate it against the same facts; a rule whose problems are
    findings (findings, native-libs) gets one waiver per finding code, with a reason naming what was found and an
    expiry WAIVER_DAYS away; any other rule that fails is commented out, with what failed. Pure."""
    from envcheck.checks import run_checks
    from envcheck.errors import InputError
    from envcheck.gate.policy import known_codes, parse_policy
    from envcheck.gate.records import PolicyError
    from envcheck.gate.verdict import evaluate

    if findings is None:
        findings = run_checks(env, matrix)
    codes = known_codes()
    for _ in range(3):      # one pass settles it; the loop only guards a rule that fails differently once waived
        try:
            verdict = evaluate(parse_policy(text.encode("utf-8"), path, codes), env, matrix, findings, source, today)
        except PolicyError as exc:      # e.g. --target names a release the matrix does not know: say so, not a line
            raise InputError(f"init-policy: {exc.message}") from None
        failing = [o for o in verdict.outcomes if o.status == "fail"]
        if not failing:
            return text
        waive: List[Tuple[str, str, str]] = []
        drop: List[Tuple[int, str]] = []
        for o in failing:
            probs = o.open_problems
            if o.rule.kind in WAIVABLE_RULES and probs and not any(p.code.startswith("gate-") for p in probs):
                for p in probs:
                    if all((p.code, o.rule.id) != (c, r) for c, r, _ in waive):
                        waive.append((p.code, o.rule.id, p.message))
            else:
                drop.append((o.rule.line, o.summary))
        text = _waive(_comment_out(text, drop), waive, today, source)
    return text


def _plain(text, limit: int) -> str:
    """One printable line for a YAML comment (a control character there would make the file unreadable)."""
    text = " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _comment_out(text: str, drop: List[Tuple[int, str]]) -> str:
    """Comment out each rule block (from its `- rule:` line to the next blank line) with a note saying why."""
    lines = text.split("\n")
    for line, why in sorted(drop, reverse=True):
        i = line - 1
        end = i
        while end < len(lines) and lines[end].strip():
            end += 1
        block = ["  # " + (x[2:] if x.startswith("  ") else x) for x in lines[i:end]]
        note = textwrap.wrap("Not active: this rule fails on the machine this policy was written from "
                             f"({_plain(why, 400)}). "
                             "Uncomment it once that is fixed.", width=112, initial_indent="  # ",
                             subsequent_indent="  #   ", break_long_words=False, break_on_hyphens=False)
        lines[i:end] = note + block
    return "\n".join(lines)


def _waive(text: str, waive: List[Tuple[str, str, str]], today, source: str) -> str:
    if not waive:
        return text
    expires = (today + _dt.timedelta(days=WAIVER_DAYS)).isoformat()
    head = ["waivers:",
            f"  # Found on the machine this policy was written from ({_plain(source, 200)}); waived so that the policy",
            "  # passes there.",
            f"  # Fix them, or renew each waiver with a reason, before {expires}: from the next day on it fails the gate."]
    out: List[str] = []
    for code, rule, message in sorted(waive):
        out += textwrap.wrap(f"{code} ({rule} rule): {_plain(message, 300)}", width=112, initial_indent="  # ",
                             subsequent_indent="  #   ", break_long_words=False, break_on_hyphens=False)
        out += [f"  - code: {code}", f"    rule: {rule}",
                f"    reason: {_q(f'found on the machine this policy was written from, on {today.isoformat()}')}",
                f"    expires: {expires}"]
    lines = text.split("\n")
    if "waivers: []" in lines:
        i = lines.index("waivers: []")
        lines[i:i + 1] = head + out
    else:       # a second pass: add to the list written by the first
        i = lines.index("waivers:") + 1
        while i < len(lines) and lines[i].startswith("  "):
            i += 1
        lines[i:i] = out
    return "\n".join(lines)
