"""The tiny preset on the CPU: a real forward pass through tokenizer, backbone and decoder, for two backends."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")

from click.testing import CliRunner  # noqa: E402

from envcheck.bench import runner  # noqa: E402
from envcheck.bench.cli import bench_command  # noqa: E402
from envcheck.bench.spec import TINY  # noqa: E402

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "bench", "gpus.yaml")


@pytest.fixture(scope="module")
def result():
    return runner.run(TINY, "cpu", "fp32", ["eager", "static", "fused", "fused-int8", "tensorrt"], reps=2, warmup=1,
                      progress=lambda m: None, predict_names=[], gpus_path=FIX, threads=1)


def test_shapes_of_a_real_forward_pass():
    stub = runner.Stub(TINY, "cpu", "fp32")
    ids = stub.tokenizer(stub.mel)
    assert ids.shape == (1, stub.mel.shape[-1] // 8)                # conv stride 2, pool 4
    assert int(ids.max()) < TINY.tokenizer.codebook
    text, audio = stub.prompt(ids)
    assert text.shape == audio.shape == (1, TINY.template_tokens + ids.shape[1])
    eng = runner.B.make_engine("eager", stub.backbone, stub.max_len)
    gen, chunks, logits = stub.request(eng, keep_logits=True)
    assert gen.shape == (1, TINY.gen_tokens)
    assert logits[0].shape == (1, TINY.backbone.audio_vocab)
    assert chunks[0].shape[-1] == TINY.decoder.chunk_codes * 1920   # 5 codes of 24 kHz audio
    assert sum(c.shape[-1] for c in chunks) == TINY.gen_tokens * 1920
    assert all(torch.isfinite(c).all() for c in chunks)


def test_timings_positive_and_consistent(result):
    audio_s = TINY.gen_tokens / TINY.token_rate_hz
    for name in ("eager", "static"):
        e = result["backends"][name]
        assert e["status"] == "ok"
        for run in e["runs"]:
            assert 0 < run["tokenizer_ms"] < run["ttfa_ms"] <= run["total_ms"]
            assert run["rtf"] == pytest.approx(run["total_ms"] / 1e3 / audio_s)
            parts = run["tokenizer_ms"] + run["prefill_ms"] + run["decoder_all_ms"] + run["decode_ms_per_token"] * (TINY.gen_tokens - 1)
            assert parts == pytest.approx(run["total_ms"])
            assert run["decode_ms_per_token"] > 0 and run["decoder_first_ms"] > 0
        assert e["ttfa_ms_min"] <= e["ttfa_ms"] <= e["ttfa_ms_max"]
        assert e["audio_samples"] == TINY.gen_tokens * 1920


def test_backends_agree_with_eager(result):
    for name in ("static", "fused"):              # fused: its own step (branches batched), same function in fp32
        chk = result["backends"][name]["check"]
        assert chk["pass"], (name, chk)
        assert chk["argmax_agree"] == 1.0 and chk["max_rel_err"] < 1e-4
    assert result["backends"]["eager"]["check"]["reference"]


def test_weight_only_int8_checked_with_its_own_tolerance(result):
    chk = result["backends"]["fused-int8"]["check"]
    assert chk["tolerance"] == 5e-2
    assert 1e-5 < chk["max_rel_err"] <= chk["tolerance"]  # quantization error is there, and bounded
    assert chk["pass"]


def test_cpu_clock_threads_and_warm_up(result):
    assert result["environment"]["threads"] == 1
    for name in ("eager", "static", "fused"):
        e = result["backends"][name]
        assert e["clock"] == "process CPU time"
        assert e["wall_ttfa_ms"] > 0 and all(r["wall"]["ttfa_ms"] > 0 for r in e["runs"])
        assert 2 <= e["warmup_runs"] <= 1 + 3 and len(e["warmup_s"]) == e["warmup_runs"]
        assert e["first_request_s"] > 0 and e["prepare_s"] >= 0


def test_fused_branch_weights_are_views_not_copies():
    from envcheck.bench.fused import FusedEngine

    stub = runner.Stub(TINY, "cpu", "fp32")
    before = sum(q.numel() for q in stub.backbone.parameters())
    eng = FusedEngine("fused", stub.backbone, stub.max_len)
    m = stub.backbone
    assert eng.branch[0].qkv.untyped_storage().data_ptr() == m.audio_block[0].qkv_proj.weight.untyped_storage().data_ptr()
    assert eng.branch[0].qkv.untyped_storage().data_ptr() == m.text_block[0].qkv_proj.weight.untyped_storage().data_ptr()
    assert sum(q.numel() for q in m.parameters()) == before
    text, audio = stub.prompt(stub.tokenizer(stub.mel))
    ref = runner.B.make_engine("eager", m, stub.max_len)
    with torch.inference_mode():
        _, want = ref.prefill(text, audio)
        _, got = eng.prefill(text, audio)
        torch.testing.assert_close(got, want)
        tok = torch.tensor([[3]])
        for _ in range(3):                         # both caches advance the same way
            _, want = ref.step(tok)
            _, got = eng.step(tok)
            torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)


def test_tensorrt_says_why(result):
    e = result["backends"]["tensorrt"]
    if e["status"] == "unavailable":
        assert "tensorrt" in e["reason"]
        # and envcheck's own reading: what would install here (or that nothing would), from its scan
        assert "envcheck recommend --target tensorrt-llm:" in e["reason"]
        # the table's cell: one readable line, the details under -v
        assert "\n" not in e["summary"] and len(e["summary"]) <= 110 and "(-v: why)" in e["summary"]
        from envcheck.bench.report import table

        assert e["summary"] in table(result) and e["reason"] not in table(result)
        assert e["reason"] in table(result, verbose=True)


def test_cli_default_backends_on_cpu_leave_compile_out(tmp_path):
    out = tmp_path / "out.json"
    r = CliRunner().invoke(bench_command, ["moss-speech", "--preset", "tiny", "--device", "cpu", "--reps", "1",
                                           "--warmup", "0", "--quiet", "--json", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    assert sorted(data["backends"]) == ["eager", "fused", "static", "tensorrt"]
    assert "CPU time" in r.output and "one-time cost" in r.output
    assert "Warning" not in r.output


def test_cli_tiny_json(tmp_path):
    out = tmp_path / "out.json"
    r = CliRunner().invoke(bench_command, ["moss-speech", "--preset", "tiny", "--device", "cpu", "--backend", "eager",
                                           "--reps", "1", "--warmup", "0", "--quiet", "--json", str(out)])
    assert r.exit_code == 0, r.output
    assert "TTFA ms" in r.output and "eager" in r.output
    data = json.loads(out.read_text())
    assert data["backends"]["eager"]["status"] == "ok"
    assert data["environment"]["torch"] == torch.__version__


@pytest.mark.parametrize("args,needle", [
    (["--device", "cpu"], "--device cpu --preset tiny"),                     # full preset without a GPU
    (["--preset", "tiny", "--device", "cpu", "--backend", "warp"], "unknown backend"),
    (["--preset", "tiny", "--device", "cpu", "--reps", "0"], "--reps"),
    (["--preset", "tiny", "--device", "cpu", "--threads", "0"], "--threads"),
])
def test_bad_input_exit_2(args, needle):
    r = CliRunner().invoke(bench_command, ["moss-speech"] + args)
    assert r.exit_code == 2
    assert needle in r.output


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-GPU message")
def test_cuda_without_gpu_hint():
    r = CliRunner().invoke(bench_command, ["moss-speech", "--device", "cuda"])
    assert r.exit_code == 2 and "--device cpu --preset tiny" in r.output


def test_core_cli_and_bench_module_do_not_import_torch():
    code = ("import sys, envcheck.cli, envcheck.bench.cli, envcheck.bench.spec, envcheck.bench.floor; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_fused_audio_checked_against_eager(result):
    for name in ("static", "fused"):              # the flow starts from one fixed noise: the audio is comparable
        chk = result["backends"][name]["check"]
        assert chk["audio_rel_err"] < 1e-4 and chk["audio_first_chunk_rel_err"] < 1e-4, (name, chk)
        assert chk["audio_tolerance"] == 1e-3


def test_fast_cfm_is_the_reference_cfm():
    """flowfast's loop ([B, T, C], convolutions as GEMMs, time projections folded) computes AudioDecoder.cfm."""
    from dataclasses import replace

    from envcheck.bench.flowfast import FastCFM
    from envcheck.bench.model import AudioDecoder, init_random_

    d = replace(TINY.decoder, est_mid_blocks=2, est_tf_per_block=2, cfm_steps=3)
    torch.manual_seed(3)
    dec = init_random_(AudioDecoder(d).eval(), 4)
    with torch.no_grad():
        for m in dec.modules():                   # GroupNorm's affine away from its 1 / 0 start
            if isinstance(m, torch.nn.GroupNorm):
                m.weight.normal_(1.0, 0.1)
                m.bias.normal_(0.0, 0.1)
    g = torch.Generator().manual_seed(9)
    mu, spks, cond = (torch.randn(1, d.mel_bins, 37, generator=g) for _ in range(3))
    with torch.inference_mode():
        want = dec.cfm(mu, spks, cond)
        got = FastCFM(dec, compiled=False)(mu, spks, cond)
    assert torch.isfinite(want).all()
    assert float((got - want).norm() / want.norm()) < 1e-5


def test_bf16_checked_against_an_fp32_reference_on_eagers_inputs():
    # bf16 rounds differently in every fused kernel: the backend's logits are measured against eager's request
    # rerun with the backbone widened to fp32 (torch's fp64_ref rule: at most 2x eager's error + tol/10), on
    # eager's tokens and tokenizer codes
    r = runner.run(TINY, "cpu", "bf16", ["eager", "fused"], reps=1, warmup=1, progress=lambda m: None,
                   predict_names=[], gpus_path=FIX, threads=1)
    ref, chk = r["backends"]["eager"]["check"], r["backends"]["fused"]["check"]
    assert ref["reference"] and 0 < ref["fp32_rel_err"] < 5e-2
    assert chk["eager_fp32_rel_err"] == ref["fp32_rel_err"] and 0 < chk["fp32_rel_err"] < 5e-2
    assert chk["tokenizer_ids_agree"] == 1.0 and chk["pass"]
    from envcheck.bench.report import table
    assert "to fp32" in table(r) and "reference (fp32:" in table(r)


def test_fp32_reference_narrows_the_weights_back_bit_for_bit():
    stub = runner.Stub(TINY, "cpu", "bf16")
    before = [q.clone() for q in stub.backbone.parameters()]
    eng = runner.B.make_engine("eager", stub.backbone, stub.max_len)
    gen, chunks, logits = stub.request(eng, keep_logits=True)
    s = runner._Session(p=TINY, torch=torch, dev=torch.device("cpu"), stub=stub, dtype="bf16", reps=1, warmup=1,
                        progress=lambda m: None, profile_path=None, result={}, started=0.0,
                        ref={"tokens": gen, "ids": stub.last_ids.clone()})
    wide = runner._fp32_reference(s)
    assert len(wide) == len(logits) and runner.compare(wide, logits)["max_rel_err"] > 0
    after = list(stub.backbone.parameters())
    assert all(a.dtype == torch.bfloat16 and torch.equal(a, b) for a, b in zip(after, before))


def test_timeline_says_where_the_time_went(result):
    steps = result["timeline"]
    seconds = [t for t, _ in steps]
    assert seconds == sorted(seconds) and seconds[0] >= 0
    names = [msg for _, msg in steps]
    assert names[0] == "building the stub (random weights)"
    assert any(m.startswith("fused: measuring from") for m in names)
    # nothing was compiled on the CPU: no compile breakdown is claimed
    assert all("compile_s" not in b for b in result["backends"].values())


def _graphs():
    from torch._dynamo.utils import counters

    return int(counters["stats"]["unique_graphs"])


def test_prefill_and_tokenizer_compile_one_layer_for_all(monkeypatch):
    """The fused backend compiles the backbone and the tokenizer layer by layer: every layer is the same code with
    other weights, so Dynamo traces one layer once (what a second run pays again), and the result is the model's:
    the same logits, and the same K/V in every cache slot, the branches' included."""
    from envcheck.bench import fused

    stub = runner.Stub(TINY, "cpu", "fp32")
    eng = fused.FusedEngine("fused", stub.backbone, stub.max_len, tokenizer=stub.tokenizer, decoder=stub.decoder)
    torch._dynamo.reset()
    layer = torch.compile(fused._prefill_layer, backend="eager", dynamic=False)
    monkeypatch.setattr(fused, "prefill_layer", lambda: layer)       # Inductor's C++ build takes minutes here
    enc = torch.compile(fused.run_encoder_layer, backend="eager", dynamic=False)
    with torch.no_grad():
        ids = stub.tokenizer(stub.mel)
        n0 = _graphs()
        assert torch.equal(stub.tokenizer(stub.mel, enc), ids)
        assert _graphs() - n0 == 1 and len(stub.tokenizer.layers) > 1
        text, audio = stub.prompt(ids)
        want = eng._prefill_eager(text, audio)[1]
        caches = [t.clone() for t in (eng.kc, eng.vc, eng.kb, eng.vb)]
        for t in (eng.kc, eng.vc, eng.kb, eng.vb):
            t.zero_()
        n0 = _graphs()
        got = eng._prefill_compiled(text, audio)[1]
        assert _graphs() - n0 == 1 and len(stub.backbone.layers()) == 4
    assert torch.allclose(got, want, atol=1e-5)
    for before, now in zip(caches, (eng.kc, eng.vc, eng.kb, eng.vb)):
        assert now.abs().sum() > 0 and torch.allclose(now, before, atol=1e-5)


def test_fast_cfm_compiles_once_per_block_shape():
    """Sixteen estimator blocks in the real decoder, three shapes (the first down block, the rest of the way down and
    the middle, the way up): Dynamo traces each shape once, then once more with the length dynamic, whatever the
    number of blocks or of chunk lengths."""
    from dataclasses import replace

    from envcheck.bench.flowfast import FastCFM
    from envcheck.bench.model import AudioDecoder, init_random_

    d = replace(TINY.decoder, est_mid_blocks=3, cfm_steps=2)
    dec = init_random_(AudioDecoder(d).eval(), 4)
    cfm = FastCFM(dec, compiled=False)
    torch._dynamo.reset()
    for part in cfm.blocks:
        for blk in part:
            blk.compile(backend="eager")
    g = torch.Generator().manual_seed(9)
    n0 = _graphs()
    with torch.no_grad():
        for frames in (20, 31, 44, 57):
            mu, spks, cond = (torch.randn(1, d.mel_bins, frames, generator=g) for _ in range(3))
            got = cfm(mu, spks, cond)
            assert float((got - dec.cfm(mu, spks, cond)).norm() / got.norm()) < 1e-5
    assert sum(len(p) for p in cfm.blocks) == 7
    assert _graphs() - n0 == 6
