"""The truth table: environments x fault classes, prediction beside reality, from trials.jsonl."""
from __future__ import annotations

import json
import sys
from collections import OrderedDict
from typing import Dict, List

OUTCOMES = ("silent", "predicted", "false-alarm", "miss")


def load(path: str) -> List[dict]:
    rows = []
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    # a rerun appends: the last trial of each (env, fault) counts
    last: "OrderedDict[tuple, dict]" = OrderedDict()
    for r in rows:
        last[(r.get("env"), r.get("fault"))] = r
    return list(last.values())


def table(rows: List[dict]) -> str:
    trials = [r for r in rows if "outcome" in r]
    envs = list(dict.fromkeys(r["env"] for r in trials))
    classes = list(dict.fromkeys(r["class"] for r in trials))
    lines = ["| environment | " + " | ".join(classes) + " |", "|---|" + "---|" * len(classes)]
    for e in envs:
        cells = []
        for c in classes:
            rs = [r for r in trials if r["env"] == e and r["class"] == c]
            if not rs:
                cells.append("")
                continue
            broke = sum(not r["reality_ok"] for r in rs)
            fa = sum(r["outcome"] == "false-alarm" for r in rs)
            miss = sum(r["outcome"] == "miss" for r in rs)
            cell = f"{len(rs)}: {broke} broke"
            if fa or miss:
                cell += f", **{fa} FA, {miss} miss**"
            cells.append(cell)
        lines.append(f"| {e} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def confusion(rows: List[dict]) -> str:
    trials = [r for r in rows if "outcome" in r]
    by: Dict[str, Dict[str, int]] = OrderedDict()
    exact: Dict[str, List[int]] = {}
    for r in trials:
        by.setdefault(r["class"], {o: 0 for o in OUTCOMES})[r["outcome"]] += 1
        if r["outcome"] == "predicted":
            exact.setdefault(r["class"], [0, 0])
            exact[r["class"]][0] += bool(r.get("names_cause"))
            exact[r["class"]][1] += 1
    lines = ["| fault class | trials | reality broke | predicted (fail) | names the cause | missed | healthy, silent | false alarms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    tot = {o: 0 for o in OUTCOMES}
    for c, d in by.items():
        n = sum(d.values())
        for o in OUTCOMES:
            tot[o] += d[o]
        ex = exact.get(c, [0, 0])
        lines.append(f"| {c} | {n} | {d['predicted'] + d['miss']} | {d['predicted']} | {ex[0]}/{ex[1]} | {d['miss']} | "
                     f"{d['silent']} | {d['false-alarm']} |")
    n = sum(tot.values())
    ex_all = [sum(v[0] for v in exact.values()), sum(v[1] for v in exact.values())]
    lines.append(f"| **all** | {n} | {tot['predicted'] + tot['miss']} | {tot['predicted']} | {ex_all[0]}/{ex_all[1]} | "
                 f"**{tot['miss']}** | {tot['silent']} | **{tot['false-alarm']}** |")
    return "\n".join(lines)


def wrong(rows: List[dict]) -> str:
    out = []
    for r in rows:
        if r.get("outcome") in ("false-alarm", "miss"):
            said = "; ".join(f"{f['severity']} {f['code']}: {f['title'][:160]}" for f in r["findings"]
                             if f["severity"] in ("warn", "fail")) or "nothing"
            out.append(f"- **{r['outcome']}** {r['env']} / {r['fault']}: reality "
                       f"{'ok' if r['reality_ok'] else r['reality'][:200]}; envcheck said {said}")
    unbuilt = [r for r in rows if r.get("built") is False]
    for r in unbuilt:
        out.append(f"- {r['env']}: not built ({r['error'][-200:]})")
    return "\n".join(out) or "none"


def write(trials_path: str, out_path: str) -> None:
    rows = load(trials_path)
    envs = OrderedDict((r["env"], r.get("what", "")) for r in rows if "outcome" in r)
    text = ["# envcheck truth suite", "",
            "Environments: " + "; ".join(f"**{k}** ({v})" for k, v in envs.items()), "",
            "## Confusion matrix per fault class", "", confusion(rows), "",
            "## Environments x fault classes (trials: how many broke for real; false alarms and misses)", "",
            table(rows), "", "## Every disagreement", "", wrong(rows), ""]
    with open(out_path, "w") as fh:
        fh.write("\n".join(text))


if __name__ == "__main__":
    write(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "report.md")
    print(open(sys.argv[2] if len(sys.argv) > 2 else "report.md").read())
