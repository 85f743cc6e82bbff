"""The floor arithmetic against figures computed by hand (no torch needed)."""
from __future__ import annotations

import os

import pytest

from envcheck.bench import floor as FL
from envcheck.bench.spec import FULL, TINY

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "bench", "gpus.yaml")


def test_full_shapes_by_hand():
    b = FULL.backbone
    # q 4096x4096, k and v 4096x1024, o 4096x4096, MLP 3 x 4096x12288, two RMSNorms of 4096, q/k norms of 128
    per_layer = 4096 * 4096 * 2 + 2 * 4096 * 1024 + 3 * 4096 * 12288 + 2 * 4096 + 2 * 128
    assert b.layer_params() == per_layer == 192_946_432
    assert b.kv_layers == 40                       # 32 shared + 4 speech + 4 text
    step = 40 * per_layer + 4096 + 16512 * 4096 + 4096 + 151680 * 4096
    assert b.step_params() == step == 8_406_779_904
    assert b.kv_bytes_per_token(2) == 40 * 2 * 8 * 128 * 2 == 163_840
    assert FULL.prompt_tokens() == 32 + 125        # template + 10 s at 12.5 tokens/s
    assert FULL.first_chunk_tokens() == 5 + 3      # chunk + pre-lookahead


def test_gpu_lookup_by_name_and_alias():
    rows = FL.load_gpus(FIX)
    assert FL.find_gpu("NVIDIA H100 80GB HBM3", rows)["memory_bandwidth_gbs"] == 3350
    assert FL.find_gpu("RTX 4090", rows)["name"] == "NVIDIA GeForce RTX 4090"
    assert FL.find_gpu("nvidia geforce rtx 4090", rows)["memory_gib"] == 24
    assert FL.find_gpu("Tesla K80", rows) is None


def test_decode_and_prefill_floor_by_hand():
    rows = FL.load_gpus(FIX)
    c = FL.datasheet_ceiling(FL.find_gpu("H100 SXM", rows), "bf16")
    assert (c.bandwidth_gbs, c.tflops) == (3350.0, 989.4)
    ctx = 200
    want = (8_406_779_904 * 2 + 163_840 * ctx) / 3.35e12
    assert FL.decode_step_floor_s(FULL, "bf16", ctx, c) == pytest.approx(want)
    assert want * 1e3 == pytest.approx(5.0287, abs=1e-3)           # ms per token
    # prefill of 157 tokens: 2 FLOPs per weight per token dominate; still under the one weight read
    n = 157
    lin = 40 * (192_946_432 - 2 * 4096 - 2 * 128)
    flops = 2 * lin * n + 40 * 4 * 32 * 128 * n * (n + 1) / 2 + 2 * (16512 + 151680) * 4096
    assert FULL.backbone.prefill_flops(n) == pytest.approx(flops)
    assert FL.prefill_floor_s(FULL, "bf16", c) == pytest.approx(max(flops / 989.4e12, (8_406_779_904 * 2 + 163_840 * n) / 3.35e12))


def test_ttfa_and_rtf_floor_compose_the_stages():
    rows = FL.load_gpus(FIX)
    c = FL.datasheet_ceiling(FL.find_gpu("4090", rows), "bf16")
    costs = {"tokenizer": {"flops": 165.2e9, "bytes": 0.0},          # 1 ms on a 4090
             "decoder_first": {"flops": 0.0, "bytes": 1.008e9},       # 1 ms
             "decoder_all": {"flops": 0.0, "bytes": 20 * 1.008e9}}    # 20 ms
    f = FL.floors(FULL, "bf16", c, costs)
    step_first = sum(FL.decode_step_floor_s(FULL, "bf16", 157 + t, c) for t in range(1, 8)) / 7
    pre = FL.prefill_floor_s(FULL, "bf16", c)
    assert f["tokenizer_ms"] == pytest.approx(1.0)
    assert f["ttfa_ms"] == pytest.approx((1e-3 + pre + 7 * step_first + 1e-3) * 1e3)
    step_avg = FL.decode_step_floor_s(FULL, "bf16", 157 + 50, c)
    assert f["rtf"] == pytest.approx((1e-3 + pre + 99 * step_avg + 20e-3) / 8.0)
    assert f["decode_step_ms"] == pytest.approx(16.71, abs=0.01)    # 16.8 GB / 1008 GB/s


def test_prediction_scales_each_stage_by_its_ratio_to_the_floor():
    here = {"decode_step_ms": 5.0, "prefill_ms": 10.0, "tokenizer_ms": 1.0, "decoder_first_ms": 2.0, "decoder_all_ms": 20.0}
    there = {"decode_step_ms": 15.0, "prefill_ms": 40.0, "tokenizer_ms": 3.0, "decoder_first_ms": 4.0, "decoder_all_ms": 60.0}
    meas = {"decode_ms_per_token": 7.5, "prefill_ms": 20.0, "tokenizer_ms": 2.0, "decoder_first_ms": 4.0,
            "decoder_all_ms": 40.0, "first_chunk_tokens": 8, "gen_tokens": 100, "audio_s": 8.0}
    p = FL.predict(meas, here, there)
    assert p["kind"] == "prediction"
    assert p["decode_ms_per_token"] == pytest.approx(22.5)          # 1.5x the 15 ms floor
    assert p["ttfa_ms"] == pytest.approx(6.0 + 80.0 + 7 * 22.5 + 8.0)
    assert p["rtf"] == pytest.approx((6.0 + 80.0 + 99 * 22.5 + 120.0) / 1e3 / 8.0)


def test_tiny_keeps_the_structure():
    b = TINY.backbone
    assert b.kv_layers == b.shared_layers + 2 * b.modality_layers
    assert TINY.decoder.mel_per_code * 480 == 1920                  # 24 kHz / 12.5 codes per second


def test_weight_only_floor_reads_one_byte_per_weight():
    rows = FL.load_gpus(FIX)
    c = FL.datasheet_ceiling(FL.find_gpu("H100 SXM", rows), "bf16")
    ctx = 200
    want = (8_406_779_904 * 1 + 163_840 * ctx) / 3.35e12          # int8/fp8 weights, bf16 KV cache
    assert FL.decode_step_floor_s(FULL, "bf16", ctx, c, weight_bytes=1) == pytest.approx(want)
    costs = {"tokenizer": {"flops": 0.0, "bytes": 0.0}, "decoder_first": {"flops": 0.0, "bytes": 0.0},
             "decoder_all": {"flops": 0.0, "bytes": 0.0}}
    full, narrow = FL.floors(FULL, "bf16", c, costs), FL.floors(FULL, "bf16", c, costs, weight_bytes=1)
    assert narrow["decode_step_ms"] < 0.51 * full["decode_step_ms"]
    assert narrow["prefill_ms"] == full["prefill_ms"]             # prefill keeps the run's dtype


def test_profile_render_by_hand():
    from envcheck.bench.profiling import render

    prof = {"tool": "torch.profiler", "stages": [
        {"stage": "decode step", "calls": 2, "span_ms": 7.0, "busy_ms": 6.5, "gap_ms": 0.5, "kernels": 685,
         "top": [{"kernel": "gemv", "count": 32, "ms": 1.7, "share": 0.26}]},
        {"stage": "prefill", "error": "no kernel events recorded"}]}
    out = render(prof)
    assert "decode step: span 7.000 ms = kernels 6.500 ms + gaps 0.500 ms; 685 kernels" in out
    assert "1.700 ms  26.0% x32    gemv" in out and "prefill: no kernel events recorded" in out


def test_prediction_by_kernel_class_scales_only_the_matrix_share():
    here = {"decode_step_ms": 5.0, "prefill_ms": 10.0, "tokenizer_ms": 1.0, "decoder_first_ms": 2.0, "decoder_all_ms": 20.0}
    there = {"decode_step_ms": 15.0, "prefill_ms": 40.0, "tokenizer_ms": 3.0, "decoder_first_ms": 4.0, "decoder_all_ms": 60.0}
    meas = {"decode_ms_per_token": 7.5, "prefill_ms": 20.0, "tokenizer_ms": 2.0, "decoder_first_ms": 4.0,
            "decoder_all_ms": 40.0, "first_chunk_tokens": 8, "gen_tokens": 100, "audio_s": 8.0}
    shares = {"decode_step": 0.8, "prefill": 0.5, "decoder_first": 0.25}       # no tokenizer share: scales whole
    p = FL.predict(meas, here, there, shares)
    assert p["model"] == "by kernel class"
    step = 7.5 * (0.8 * 3 + 0.2)                                                # 19.5, not 22.5
    pre = 20.0 * (0.5 * 4 + 0.5)
    d1 = 4.0 * (0.25 * 2 + 0.75)
    dall = 40.0 * (0.25 * 3 + 0.75)                                             # the later calls: the first's mix
    assert p["decode_ms_per_token"] == pytest.approx(step)
    assert p["ttfa_ms"] == pytest.approx(6.0 + pre + 7 * step + d1)
    assert p["rtf"] == pytest.approx((6.0 + pre + 99 * step + dall) / 1e3 / 8.0)
    assert p["stage_ratio"]["ttfa_ms"] == pytest.approx(6.0 + 80.0 + 7 * 22.5 + 8.0)
    assert p["stages_ms"]["decode_steps_before_audio"] == pytest.approx(7 * step)
    assert FL.predict(meas, here, there, {})["model"] == "stage ratio"


@pytest.mark.parametrize("name, matrix", [
    ("nvjet_sm90_tst_192x8_64x8_2x1_v_bz_TNT", True),
    ("cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_7_64x128x64_4x1x1_cga1x1x", True),
    ("void cutlass::Kernel2<cutlass_75_wmma_tensorop_bf16_s161616gemm_bf16_32x32_32x1_nn_align1>", True),
    ("void cublasLt::splitKreduce_kernel<32, 16, int, float, __nv_bfloat16, float, __nv_bfloat16", True),
    ("sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64", True),
    ("triton_tem_fused_addmm_gelu_0", True),
    ("triton_poi_fused_gelu_view_6", False),
    ("triton_poi_fused__to_copy_add_convert_element_type_mul_0", False),
    ("void cudnn::cnn::implicit_convolve_sgemm<float, float, 128, 5, 5, 3, 3, 3, 1>", True),
    ("triton_red_fused__fused_rms_norm_3", False),
    ("Memset (Unknown)", False),
    ("void cudnn::engines_precompiled::nchwToNhwcKernel<__nv_bfloat16, __nv_bfloat16, float, fal", False),
    ("void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<float>", False),
])
def test_matrix_kernels_by_name(name, matrix):
    from envcheck.bench.profiling import is_matrix_kernel

    assert is_matrix_kernel(name) is matrix


def test_matrix_shares_from_a_profile():
    from envcheck.bench.profiling import _summary, matrix_shares

    ks = [("nvjet_sm90_tst_64x16", 0.0, 3.0), ("triton_poi_fused_gelu", 4.0, 1.0), ("Memset (Unknown)", 6.0, 1.0),
          ("cudnn_generated_fort_native_sdpa_sm90_flash", 8.0, 2.0)]          # span 10 us, matrix 5 us
    r = dict(_summary("first decoder call", ks, 1), key="decoder_first")
    assert r["matrix_ms"] == pytest.approx(5e-3) and r["matrix_share"] == pytest.approx(0.5)
    assert matrix_shares({"tool": "t", "stages": [r, {"stage": "prefill", "error": "none"}]}) == {"decoder_first": 0.5}
    assert matrix_shares(None) == {} and matrix_shares({"error": "x"}) == {}


def test_prediction_table_says_which_model_and_shows_the_other():
    from tabulate import tabulate

    from envcheck.bench.report import _predictions

    floor = {"ttfa_ms": 139.7, "rtf": 0.233, "decode_step_ms": 16.71}
    result = {"predictions": {"RTX 4090": {"gpu": "NVIDIA GeForce RTX 4090", "fits": True, "memory_gib": 24,
                                           "floor": floor, "backends": {
        "eager": {"ttfa_ms": 1609.0, "rtf": 3.5, "decode_ms_per_token": 59.3, "model": "stage ratio"},
        "fused": {"ttfa_ms": 271.2, "rtf": 0.533, "decode_ms_per_token": 23.4, "model": "by kernel class",
                  "stage_ratio": {"ttfa_ms": 414.2, "rtf": 0.836, "decode_ms_per_token": 31.9}}}},
        "H100": {"error": "no row for 'H100' in matrix/gpus.yaml"}}}
    out = "\n".join(_predictions(result, tabulate))
    assert "PREDICTION (not a measurement) for NVIDIA GeForce RTX 4090" in out
    row = next(ln for ln in out.splitlines() if ln.startswith("fused"))
    assert "by kernel class" in row and "271" in row and "414 / 0.836" in row and " yes " in row
    assert "only the matrix kernels' share" in out
    assert "PREDICTION for H100: no row" in out
