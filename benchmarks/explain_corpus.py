"""How well `envcheck explain` knows the errors people paste: recognised and right-cause rates on the corpus of real
messages (tests/data/explain/corpus.yaml), for the part the patterns were written from (train) and for the part
collected afterwards and measured before any change (heldout).

    python benchmarks/explain_corpus.py            # the table
    python benchmarks/explain_corpus.py --misses   # and every message not recognised or given the wrong cause
    python benchmarks/explain_corpus.py --json

Recognised: explain finds at least one known error in the text. Right cause: the first explanation (the root
cause) has the code the thread's cause corresponds to.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)
CORPUS = os.path.join(REPO, "tests", "data", "explain", "corpus.yaml")
NOT_ENVIRONMENT = os.path.join(REPO, "tests", "data", "explain", "not_environment.yaml")


def load(path: str = CORPUS):
    import yaml

    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)["entries"]


def judge(entries):
    """Each message through the patterns; for one they do not recognise, the cause of the known report most like it
    (similar.py: what `explain` points to), against the others only (its own thread's reports left out)."""
    from envcheck.explain.patterns import recognise
    from envcheck.explain.similar import closest_reports

    rows = []
    for e in entries:
        found = recognise(e["text"])
        got = found[0].code if found else None
        like = None if found else (closest_reports(e["text"], exclude=e["source"]) or [(None, 0)])[0][0]
        rows.append({"id": e["id"], "source": e["source"], "split": e["split"], "want": e["code"], "got": got,
                     "recognised": bool(found), "right": got == e["code"], "text": e["text"],
                     "resembled": like.code if like else None})
    return rows


def resemblance(rows):
    """For the messages the patterns do not recognise: for how many `explain` points to known reports, and for how
    many of those the closest report has the message's own cause (each message against the others)."""
    sel = [r for r in rows if not r["recognised"]]
    shown = [r for r in sel if r["resembled"]]
    same = sum(r["resembled"] == r["want"] for r in shown)
    return {"unrecognised": len(sel), "reports_shown": len(shown), "closest_has_the_cause": same}


def first_measured(entries):
    """The held-out rounds as measured once, when each was collected and before any pattern change for it."""
    out = {}
    for rnd in sorted({e.get("round") for e in entries if e["split"] == "heldout" and e.get("round")}):
        sel = [e for e in entries if e.get("round") == rnd and e.get("first_measured")]
        if not sel:
            continue
        out[f"heldout round {rnd}, first run"] = _counts(len(sel), sum(e["first_measured"]["recognised"] for e in sel),
                                                        sum(e["first_measured"]["right"] for e in sel))
    sel = [e for e in entries if e["split"] == "heldout" and e.get("first_measured")]
    if sel:
        out["heldout, first runs"] = _counts(len(sel), sum(e["first_measured"]["recognised"] for e in sel),
                                             sum(e["first_measured"]["right"] for e in sel))
    return out


def _counts(n, rec, right):
    return {"n": n, "recognised": rec, "right_cause": right,
            "recognised_pct": round(100.0 * rec / n, 1), "right_cause_pct": round(100.0 * right / n, 1)}


def rates(rows):
    out = {}
    for split in ("train", "heldout", "all"):
        sel = [r for r in rows if split == "all" or r["split"] == split]
        if not sel:
            continue
        n = len(sel)
        rec = sum(r["recognised"] for r in sel)
        right = sum(r["right"] for r in sel)
        out[split] = {"n": n, "recognised": rec, "right_cause": right,
                      "recognised_pct": round(100.0 * rec / n, 1), "right_cause_pct": round(100.0 * right / n, 1)}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=CORPUS)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--misses", action="store_true")
    ap.add_argument("--write-reports", action="store_true",
                    help="write envcheck/explain/known_reports.json.gz from the corpus (the reports explain compares "
                         "an unknown message with)")
    args = ap.parse_args(argv)
    entries = load(args.corpus)
    if args.write_reports:
        import yaml
        from envcheck.explain.similar import INDEX, build
        with open(NOT_ENVIRONMENT, encoding="utf-8") as fh:
            others = yaml.safe_load(fh)["entries"]
        with open(INDEX, "wb") as fh:
            fh.write(build(entries, others))
        print(f"{INDEX}: {len(entries)} reports")
        return 0
    rows = judge(entries)
    r = rates(rows)
    first = first_measured(entries)
    if args.json:
        print(json.dumps({"rates": r, "first_measured": first, "resemblance": resemblance(rows),
                          "misses": [x for x in rows if not x["right"]]},
                         indent=2, ensure_ascii=False))
        return 0
    print(f"{'part':<30} {'messages':>8} {'recognised':>14} {'right cause':>14}")
    for split, v in list(r.items()) + list(first.items()):
        print(f"{split:<30} {v['n']:>8} {v['recognised']:>6} {v['recognised_pct']:>6.1f}% {v['right_cause']:>6} "
              f"{v['right_cause_pct']:>6.1f}%")
    by = defaultdict(Counter)
    for x in rows:
        by[x["want"]]["n"] += 1
        by[x["want"]]["right"] += x["right"]
    print(f"\n{len(by)} causes; {sum(1 for c in by.values() if c['right'] == c['n'])} with every message right")
    res = resemblance(rows)
    print(f"not recognised by the patterns: {res['unrecognised']}; known reports shown (each against the others): "
          f"{res['reports_shown']}, the closest with the message's own cause: {res['closest_has_the_cause']}")
    if args.misses:
        for x in rows:
            if not x["right"]:
                print(f"\n{x['id']} {x['source']} [{x['split']}] want {x['want']} got {x['got']}\n  {x['text'][:300]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
