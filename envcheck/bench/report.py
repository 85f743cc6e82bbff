"""Render bench results: the table, the JSON document, the PNG (matplotlib imported only here, only for --plot)."""
from __future__ import annotations

import json

from envcheck.output import write_text


def _check_cell(chk: dict) -> str:
    if chk.get("reference"):
        return "reference" + (f" (fp32: {chk['fp32_rel_err']:.1e})" if "fp32_rel_err" in chk else "")
    parts = [f"rel err {chk.get('max_rel_err', 0):.1e}"]
    if "eager_fp32_rel_err" in chk:
        parts.append(f"to fp32 {chk['fp32_rel_err']:.1e} vs eager's {chk['eager_fp32_rel_err']:.1e}")
    parts.append(f"argmax {chk.get('argmax_agree', 0):.0%}")
    if "audio_rel_err" in chk:
        parts.append(f"audio {chk['audio_rel_err']:.1e}")
    return f"{'ok' if chk.get('pass') else 'MISMATCH'} ({', '.join(parts)})"


def _f(v, fmt):
    return "-" if v is None else format(v, fmt)


def table(result: dict, verbose: bool = False) -> str:
    from tabulate import tabulate

    rows = []
    for name, e in result["backends"].items():
        if e.get("status") != "ok":
            rows.append([name, "-", "-", "-", "-", "-", f"{e.get('status')}: {e.get('summary') or e.get('reason')}"])
            continue
        check = _check_cell(e.get("check", {}))
        spread = f"{e['ttfa_ms_min']:.1f}-{e['ttfa_ms_max']:.1f}"
        rows.append([name, f"{e['ttfa_ms']:.1f} ({spread})", f"{e['rtf']:.3f}", f"{e['decode_ms_per_token']:.2f}",
                     (_f(e.get("ratio_decode_to_floor"), ".2f") + "x") if e.get("ratio_decode_to_floor") else "-",
                     _f(e.get("peak_memory_gib"), ".1f"), check])
    for label, f in result.get("floors", {}).items():
        rows.append([f"floor ({label}: {f['bandwidth_gbs']:.0f} GB/s, {f['tflops']:.0f} TFLOP/s)", f"{f['ttfa_ms']:.1f}",
                     f"{f['rtf']:.3f}", f"{f['decode_step_ms']:.2f}", "1.00x", "-", "hardware bound, not a measurement"])
    out = tabulate(rows, headers=["backend", "TTFA ms (min-max)", "RTF", "decode ms/token", "ratio to floor",
                                  "peak GiB", "check vs eager"])
    env = result["environment"]
    head = (f"MOSS-Speech stub, preset {result['preset']}, {result['dtype']}, on {env.get('gpu', env['device'])}: "
            f"prompt {result['prompt_tokens']} tokens, {result['gen_tokens']} speech tokens "
            f"({result['audio_s']:.1f} s audio), first chunk after {result['first_chunk_tokens']} tokens; "
            f"median of {result['reps']}, warm-up excluded (at least {result['warmup']}, until two agree within 15 %)")
    if env["device"] == "cpu":
        head += ("; CPU: this process's CPU time with torch on "
                 f"{env.get('threads', '?')} thread(s) (other processes' load does not move it; wall time in --json)")
    lines = [head, out]
    once = [f"{n} {e['prepare_s']:.1f} s + {e['first_request_s']:.1f} s ({e['warmup_runs']} warm-ups)"
            for n, e in result["backends"].items() if e.get("status") == "ok" and "first_request_s" in e]
    if once:
        lines.append("one-time cost, not in the figures above (prepare + first request: compile, graph capture): "
                     + "; ".join(once))
    ref = result.get("reference") or {}
    if ref.get("path"):
        lines.append(f"checked against eager's reference from an earlier run of the same stub and software: {ref['path']} "
                     "(delete it, or add eager to --backend, to compute it again)")
    quant = [f"{n}: decode floor {e['floor_datasheet']['decode_step_ms']:.2f} ms (datasheet)"
             + (f", {e['floor_measured']['decode_step_ms']:.2f} ms (measured)" if e.get("floor_measured") else "")
             for n, e in result["backends"].items() if e.get("floor_weight_bytes")]
    if quant:
        lines.append("ratio of weight-only quantized backends is to their own floor (1 byte per weight read): "
                     + "; ".join(quant))
    stage = [[n] + [f"{r[k]:.2f}x" for k in ("tokenizer", "prefill", "decode_step", "decoder_first", "decoder_all", "ttfa", "rtf")]
             for n, e in result["backends"].items() if (r := e.get("stage_ratio_to_measured_floor"))]
    if stage:
        lines.append("distance to the measured floor, stage by stage (1.00x = at the floor):")
        lines.append(tabulate(stage, headers=["backend", "tokenizer", "prefill", "decode step", "first decoder call",
                                              "all decoder calls", "TTFA", "RTF"]))
    if verbose:
        for n, e in result["backends"].items():
            if e.get("status") != "ok" and e.get("reason"):
                lines.append(f"{n}: {e['status']}: {e['reason']}")
    lines += _predictions(result, tabulate)
    if result.get("floors_error"):
        lines.append(f"no floor: {result['floors_error']}")
    return "\n".join(lines)


def _predictions(result: dict, tabulate) -> list:
    """Each --predict GPU: its figures per backend (by kernel class, the whole-stage ratio beside), its floor."""
    lines = []
    for other, pred in result.get("predictions", {}).items():
        if "error" in pred:
            lines.append(f"PREDICTION for {other}: {pred['error']}")
            continue
        lines.append(f"PREDICTION (not a measurement) for {pred['gpu']}: this GPU's stage times scaled by the ratio of "
                     f"that GPU's datasheet floor to this one's; weights fit in {pred.get('memory_gib')} GiB: "
                     f"{'yes' if pred['fits'] else 'NO'}")
        prow = []
        for name, v in pred["backends"].items():
            if v:
                alt = v.get("stage_ratio")
                prow.append([name, v.get("model", "stage ratio"), f"{v['ttfa_ms']:.0f}", f"{v['rtf']:.3f}",
                             f"{v['decode_ms_per_token']:.2f}", "yes" if v["ttfa_ms"] < 300 else "no",
                             "yes" if v["rtf"] < 1 else "no",
                             f"{alt['ttfa_ms']:.0f} / {alt['rtf']:.3f}" if alt else ""])
        fl = pred["floor"]
        prow.append(["floor (datasheet)", "", f"{fl['ttfa_ms']:.0f}", f"{fl['rtf']:.3f}", f"{fl['decode_step_ms']:.2f}",
                     "yes" if fl["ttfa_ms"] < 300 else "no", "yes" if fl["rtf"] < 1 else "no", ""])
        lines.append(tabulate(prow, headers=["backend", "model", "TTFA ms (pred.)", "RTF (pred.)",
                                             "decode ms/token (pred.)", "TTFA < 300 ms", "RTF < 1",
                                             "whole-stage ratio: TTFA / RTF"]))
        if any(v and v.get("model") == "by kernel class" for v in pred["backends"].values()):
            lines.append("by kernel class: only the matrix kernels' share of each stage (GEMM, GEMV, attention, "
                         "convolution; from the profile) scales with the floor; small kernels and the gaps between "
                         "kernels stay as measured here. Whole-stage ratio: everything scales (pessimistic where a "
                         "stage is launch-bound).")
    return lines


def write_json(result: dict, path: str) -> None:
    write_text(path, json.dumps(result, indent=2, default=str), "bench")


def plot(result: dict, path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = {n: e for n, e in result["backends"].items() if e.get("status") == "ok"}
    names = list(ok) + [f"floor\n({k})" for k in result.get("floors", {})]
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2))
    metrics = [("ttfa_ms", "ttfa_ms", "TTFA (ms)", 300.0), ("decode_ms_per_token", "decode_step_ms", "decode ms / token", None),
               ("rtf", "rtf", "RTF (generation time / audio time)", 1.0)]
    for ax, (key, fkey, title, target) in zip(axes, metrics):
        vals = [ok[n][key] for n in ok] + [f[fkey] for f in result.get("floors", {}).values()]
        colors = ["tab:blue"] * len(ok) + ["tab:gray"] * len(result.get("floors", {}))
        bars = ax.bar(range(len(vals)), vals, color=colors)
        for i, n in enumerate(ok):
            lo, hi = ok[n][key + "_min"], ok[n][key + "_max"]
            ax.errorbar(i, ok[n][key], yerr=[[ok[n][key] - lo], [hi - ok[n][key]]], color="black", capsize=3)
        for b, v in zip(bars, vals):
            ax.annotate(f"{v:.3g}", (b.get_x() + b.get_width() / 2, v), ha="center", va="bottom", fontsize=8)
        if target:
            ax.axhline(target, color="tab:red", linestyle="--", linewidth=1, label=f"target {target:g}")
            ax.legend(fontsize=8)
        ax.set_xticks(range(len(vals)))
        ax.set_xticklabels(names, fontsize=8)
        ax.set_title(title, fontsize=10)
    env = result["environment"]
    fig.suptitle(f"MOSS-Speech stub ({result['preset']}, {result['dtype']}) on {env.get('gpu', env['device'])}: "
                 f"backends (blue, median, min-max) vs hardware floor (gray)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
