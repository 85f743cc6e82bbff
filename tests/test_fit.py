"""envcheck fit: parameter counts against published totals, KV cache, allowance, per-GPU fit, MOSS-Speech against the
bench's measured peak, the checkpoint reader (real safetensors headers, an HF cache layout) and the CLI.

The config fixtures mirror published config.json files; tests/fixtures/models/SOURCES.md says where each was read
and where the published totals come from.
"""
import json
import os
import struct

import pytest

from envcheck import checkpoint
from envcheck.errors import InputError
from envcheck.fit.against_bench import compare
from envcheck.fit.build import CheckpointFacts, model_from
from envcheck.fit.memory import GIB, fit, max_context, need
from envcheck.fit.moss import decoder_params, tokenizer_params
from envcheck.fit.shape import ShapeError, count_params, kv_bytes, kv_bytes_per_token, shape_from_config

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "fixtures", "models")
ENVS = os.path.join(HERE, "fixtures", "envs")
BENCH = os.path.join(os.path.dirname(HERE), "benchmarks")
RTX4090 = [(0, "NVIDIA GeForce RTX 4090", 24564 * 2 ** 20)]      # NVML memory.total of the seed pod's 4090


def config(name):
    with open(os.path.join(MODELS, name, "config.json"), encoding="utf-8") as fh:
        return json.load(fh)


def model(name):
    return model_from(name, checkpoint.read(os.path.join(MODELS, name)))


# published totals: (fixture, total, relative tolerance, non-embedding or active total or None)
PUBLISHED = [
    ("qwen3-8b", 8.2e9, 0.005),              # model card "Number of Parameters: 8.2B" (rounded to 0.1B)
    ("llama-3.1-8b", 8_030_261_248, 0.0),    # safetensors metadata total, exact
    ("mixtral-8x7b", 46.7e9, 0.001),         # Mistral AI "46.7B total parameters"
    ("qwen3-30b-a3b", 30.5e9, 0.005),        # model card "30.5B in total and 3.3B activated"
    ("qwen2.5-0.5b", 494_032_768, 0.0),      # 494,032,768 params (card: 0.49B), tied embeddings
]


@pytest.mark.parametrize("name,total,tol", PUBLISHED)
def test_parameter_count_matches_the_published_total(name, total, tol):
    n = count_params(shape_from_config(config(name))).total
    assert abs(n - total) <= tol * total, (name, n, total)


def test_exact_counts_where_the_total_is_known_to_the_parameter():
    assert count_params(shape_from_config(config("mixtral-8x7b"))).total == 46_702_792_704
    assert count_params(shape_from_config(config("qwen3-8b"))).total == 8_190_735_360


def test_non_embedding_and_active_counts_match_the_model_cards():
    q8 = count_params(shape_from_config(config("qwen3-8b")))
    assert abs((q8.total - q8.embeddings - q8.lm_head) - 6.95e9) <= 0.005e9      # card: 6.95B non-embedding
    q05 = count_params(shape_from_config(config("qwen2.5-0.5b")))
    assert abs((q05.total - q05.embeddings) - 0.36e9) <= 0.005e9                 # card: 0.36B non-embedding
    moe = count_params(shape_from_config(config("qwen3-30b-a3b")))
    assert abs((moe.total - moe.embeddings - moe.lm_head) - 29.9e9) <= 0.05e9     # card: 29.9B non-embedding
    assert abs(moe.active - 3.3e9) <= 0.06e9                                      # card: 3.3B activated
    mix = count_params(shape_from_config(config("mixtral-8x7b")))
    assert abs(mix.active - 12.9e9) <= 0.03e9                                     # Mistral AI: 12.9B per token


def test_tied_embeddings_count_the_matrix_once():
    cfg = config("qwen2.5-0.5b")
    tied = count_params(shape_from_config(cfg))
    untied = count_params(shape_from_config(dict(cfg, tie_word_embeddings=False)))
    assert tied.lm_head == 0 and untied.lm_head == 151936 * 896
    assert untied.total - tied.total == 151936 * 896


def test_qwen2_has_qkv_bias_and_qwen3_has_qk_norm():
    q2 = shape_from_config(config("qwen2.5-0.5b"))
    q3 = shape_from_config(config("qwen3-8b"))
    ll = shape_from_config(config("llama-3.1-8b"))
    assert (q2.qkv_bias, q2.o_bias, q2.qk_norm) == (True, False, False)
    assert (q3.qkv_bias, q3.qk_norm) == (False, True)
    assert (ll.qkv_bias, ll.qk_norm) == (False, False)


def test_gqa_kv_cache_is_layers_x_2_x_kv_heads_x_head_dim_x_bytes():
    s = shape_from_config(config("llama-3.1-8b"))
    assert kv_bytes_per_token(s, 2) == 32 * 2 * 8 * 128 * 2 == 131072
    mha = shape_from_config({k: v for k, v in config("llama-3.1-8b").items() if k != "num_key_value_heads"})
    assert kv_bytes_per_token(mha, 2) == 4 * kv_bytes_per_token(s, 2)
    assert kv_bytes(s, 1000, 2) == 1000 * 131072


def test_sliding_window_caps_the_cache_of_windowed_layers():
    cfg = dict(config("llama-3.1-8b"), model_type="mistral", sliding_window=4096)
    s = shape_from_config(cfg)
    assert s.sliding_layers == 32
    assert kv_bytes(s, 32768, 2) == kv_bytes(s, 4096, 2)
    gemma_like = dict(config("llama-3.1-8b"), sliding_window=1024,
                      layer_types=["sliding_attention", "full_attention"] * 16)
    g = shape_from_config(gemma_like)
    assert g.sliding_layers == 16
    per_layer = 2 * 8 * 128 * 2
    assert kv_bytes(g, 8192, 2) == per_layer * (16 * 8192 + 16 * 1024)
    # Qwen3 carries sliding_window but does not use it
    assert shape_from_config(dict(config("qwen3-8b"), sliding_window=4096)).sliding_layers == 0


def test_moe_shared_experts_and_dense_layers():
    base = dict(config("qwen3-30b-a3b"), model_type="qwen2_moe", shared_expert_intermediate_size=5632,
                mlp_only_layers=[0])
    s = shape_from_config(base)
    assert s.moe_layers == 47 and s.shared_expert_gate
    c = count_params(s)
    assert c.mlp == 3 * 2048 * 6144                   # the one dense layer
    assert c.router == 47 * (2048 * 128 + 2048)       # router + shared-expert gate per MoE layer


def test_mla_is_not_counted_from_the_architecture_but_its_cache_is():
    cfg = dict(config("llama-3.1-8b"), kv_lora_rank=512, qk_rope_head_dim=64)
    s = shape_from_config(cfg)
    assert kv_bytes_per_token(s, 2) == 32 * 576 * 2
    with pytest.raises(ShapeError, match="latent"):
        count_params(s)
    with pytest.raises(ShapeError):
        model_from("m", CheckpointFacts(where="x", config=cfg))
    m = model_from("m", CheckpointFacts(where="x", config=cfg, index_total_bytes=2_000_000))
    assert m.params == 1_000_000 and "index" in m.params_source


def test_bad_config_names_the_key():
    with pytest.raises(ShapeError, match="hidden_size"):
        shape_from_config({"num_attention_heads": 8})
    with pytest.raises(ShapeError, match="vocab_size"):
        shape_from_config({"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 1, "intermediate_size": 4,
                           "vocab_size": "big"})


# ---------------------------------------------------------------------------------------------- memory arithmetic
def test_weights_at_each_dtype():
    m = model("llama-3.1-8b")
    assert need(m, "bf16", 1).weights == 8_030_261_248 * 2
    assert need(m, "fp32", 1).weights == 8_030_261_248 * 4
    c = m.count
    assert need(m, "fp8", 1).weights == c.linear + (c.total - c.linear) * 2   # embeddings, head, norms 16-bit
    assert need(m, "fp8", 1000).kv == kv_bytes(m.shape, 1000, 2)               # KV stays bf16


def test_max_context_is_the_boundary():
    m = model("llama-3.1-8b")
    mem = RTX4090[0][2]
    n = max_context(m, "bf16", mem)
    assert 0 < n < 131072
    assert need(m, "bf16", n).total <= mem < need(m, "bf16", n + 1).total
    assert max_context(m, "fp32", mem) == 0                       # 32 GB of weights
    assert max_context(model("qwen2.5-0.5b"), "bf16", mem) == 32768   # capped at the model's limit


def test_fit_per_gpu_and_tensor_parallel():
    m = model("mixtral-8x7b")
    h100 = (0, "NVIDIA H100 80GB HBM3", 81559 * 2 ** 20)
    rep = fit(m, "bf16", 4096, 1, [h100, (1,) + h100[1:]])
    assert not rep.fits_single and rep.tensor_parallel.fits and rep.fits and rep.how == "tensor-parallel-2"
    assert all(g.headroom_gib < 0 and g.max_context == 0 for g in rep.gpus)
    three = fit(m, "bf16", 4096, 1, [h100, (1,) + h100[1:], (2,) + h100[1:]])
    assert not three.tensor_parallel.fits and "32 attention heads" in three.tensor_parallel.why_not
    d = rep.to_dict()
    for key in ("model", "dtype", "params", "weights_gib", "kv_gib_per_1k_tokens", "gpus", "fits"):
        assert key in d
    assert set(d["gpus"][0]) == {"index", "name", "memory_gib", "fits", "headroom_gib", "max_context"}


def test_batch_scales_kv_and_activations():
    m = model("qwen3-8b")
    one, four = need(m, "bf16", 2048, batch=1), need(m, "bf16", 2048, batch=4)
    assert four.kv == 4 * one.kv and four.activations == 4 * one.activations and four.weights == one.weights


# ---------------------------------------------------------------------------------------------- MOSS-Speech
def _bench(name):
    with open(os.path.join(BENCH, name), encoding="utf-8") as fh:
        return json.load(fh)


def test_moss_speech_counts_equal_the_bench_stub():
    doc = _bench("bench_moss_speech_h200_backends.json")
    m = model("moss-speech")
    assert m.count.total == doc["params"]["backbone"] == 9_095_694_336
    assert tokenizer_params() == doc["params"]["tokenizer"] and decoder_params() == doc["params"]["decoder"]
    assert m.params == sum(doc["params"][k] for k in ("tokenizer", "backbone", "decoder"))
    assert m.shape.kv_layers == 40 and m.shape.layers == 40


def test_moss_speech_on_a_4090_as_shipped_and_at_bf16():
    m = model("moss-speech")
    shipped = fit(m, "fp32", 4096, 1, RTX4090)           # the published checkpoint is FP32
    assert not shipped.fits and shipped.gpus[0].max_context == 0
    assert shipped.need.weights / GIB > 35
    bf16 = fit(m, "bf16", 4096, 1, RTX4090)
    assert bf16.fits and 3 < bf16.gpus[0].headroom_gib < 5
    assert bf16.gpus[0].max_context > 20000


ERROR_BOUND = 0.08      # stated in docs/fit.md: the allocator-visible estimate within 8 % of the measured peak


@pytest.mark.parametrize("name", ["bench_moss_speech_h200_backends.json", "bench_moss_speech_h100_backends.json"])
def test_estimate_is_within_the_stated_error_of_the_measured_peak(name):
    rows = compare(model("moss-speech"), _bench(name))
    assert {r.backend for r in rows} == {"eager", "static", "compile"}
    for r in rows:
        assert abs(r.error) <= ERROR_BOUND, r.to_dict()
        assert r.measured_params == r.estimated_params


# ---------------------------------------------------------------------------------------------- checkpoint reader
def write_safetensors(path, tensors, header_len=None):
    """A real safetensors file: u64 header length, JSON header, the (zero) data."""
    header, off = {}, 0
    for name, (dtype, shape) in sorted(tensors.items()):
        n = 1
        for d in shape:
            n *= d
        size = n * {"F32": 4, "BF16": 2, "F16": 2}[dtype]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + size]}
        off += size
    raw = json.dumps(header).encode()
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(raw) if header_len is None else header_len))
        fh.write(raw)
        fh.write(b"\0" * off)


TINY = {"model_type": "llama", "hidden_size": 8, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 4,
        "intermediate_size": 16, "vocab_size": 32, "num_hidden_layers": 1, "tie_word_embeddings": False,
        "torch_dtype": "bfloat16", "max_position_embeddings": 64}
TINY_TENSORS = {
    "model.embed_tokens.weight": ("F32", [32, 8]), "lm_head.weight": ("F32", [32, 8]),
    "model.norm.weight": ("F32", [8]),
    "model.layers.0.self_attn.q_proj.weight": ("F32", [8, 8]), "model.layers.0.self_attn.k_proj.weight": ("F32", [4, 8]),
    "model.layers.0.self_attn.v_proj.weight": ("F32", [4, 8]), "model.layers.0.self_attn.o_proj.weight": ("F32", [8, 8]),
    "model.layers.0.mlp.gate_proj.weight": ("F32", [16, 8]), "model.layers.0.mlp.up_proj.weight": ("F32", [16, 8]),
    "model.layers.0.mlp.down_proj.weight": ("F32", [8, 16]),
    "model.layers.0.input_layernorm.weight": ("F32", [8]), "model.layers.0.post_attention_layernorm.weight": ("F32", [8]),
}


def tiny_dir(tmp_path, shards=2, index=True, drop=None):
    d = tmp_path / "tiny"
    d.mkdir()
    (d / "config.json").write_text(json.dumps(TINY))
    names = sorted(TINY_TENSORS)
    files = [f"model-{i + 1:05d}-of-{shards:05d}.safetensors" for i in range(shards)]
    weight_map = {n: files[i % shards] for i, n in enumerate(names)}
    for f in files:
        if f != drop:
            write_safetensors(d / f, {n: TINY_TENSORS[n] for n in names if weight_map[n] == f})
    if index:
        total = sum(4 * (s[0] * (s[1] if len(s) > 1 else 1)) for _, s in TINY_TENSORS.values())
        (d / "model.safetensors.index.json").write_text(json.dumps({"metadata": {"total_size": total},
                                                                    "weight_map": weight_map}))
    return d


def test_safetensors_headers_give_the_count_and_the_stored_dtype(tmp_path):
    d = tiny_dir(tmp_path)
    facts = checkpoint.read(str(d))
    arch = count_params(shape_from_config(TINY)).total
    assert facts.header_params == arch == 1112 and facts.shards_read == 2
    assert facts.stored_dtype() == "fp32"                  # the headers win over config.json's bfloat16
    m = model_from("tiny", facts)
    assert m.params_source.startswith("safetensors headers")


def test_a_missing_shard_falls_back_to_the_index_total(tmp_path):
    d = tiny_dir(tmp_path, drop="model-00002-of-00002.safetensors")
    facts = checkpoint.read(str(d))
    assert facts.shards_missing == 1
    m = model_from("tiny", facts)
    assert "index" in m.params_source and m.params == 1112  # 4448 bytes / 4 (fp32, from the header read)


def test_hostile_files_are_refused(tmp_path):
    d = tiny_dir(tmp_path, shards=1, index=False)
    write_safetensors(d / "model.safetensors", TINY_TENSORS, header_len=1 << 40)
    with pytest.raises(InputError, match="not plausible"):
        checkpoint.read(str(d))
    e = tmp_path / "escape"
    e.mkdir()
    (e / "config.json").write_text(json.dumps(TINY))
    (e / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {"x": "../other.safetensors"}}))
    with pytest.raises(InputError, match="outside"):
        checkpoint.read(str(e))


def test_hf_cache_layout_resolves_through_refs_main(tmp_path):
    repo = tmp_path / "hf" / "hub" / "models--Org--Tiny"
    blobs, snap = repo / "blobs", repo / "snapshots" / "abc123"
    blobs.mkdir(parents=True)
    snap.mkdir(parents=True)
    (repo / "snapshots" / "000old").mkdir()
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123")
    (blobs / "cfgblob").write_text(json.dumps(TINY))
    os.symlink("../../blobs/cfgblob", snap / "config.json")
    write_safetensors(blobs / "stblob", TINY_TENSORS)
    os.symlink("../../blobs/stblob", snap / "model.safetensors")
    env = {"HF_HOME": str(tmp_path / "hf"), "HOME": str(tmp_path)}
    where, allowed, how = checkpoint.resolve("Org/Tiny", env)
    assert where == str(snap) and "cache" in how
    assert checkpoint.read(where, allowed).header_params == 1112
    # a snapshot file that links out of the repo folder is refused
    outside = tmp_path / "elsewhere.json"
    outside.write_text(json.dumps(TINY))
    os.remove(snap / "config.json")
    os.symlink(str(outside), snap / "config.json")
    with pytest.raises(InputError, match="outside"):
        checkpoint.read(where, allowed)
    with pytest.raises(InputError, match="not in the Hugging Face cache"):
        checkpoint.resolve("Org/Absent", dict(env, HF_HUB_OFFLINE="1"))


# ---------------------------------------------------------------------------------------------- CLI
def test_cli_json_and_exit_codes(run_cli):
    rc, out, err = run_cli("fit", os.path.join(MODELS, "qwen3-8b"), "--gpu", "RTX 4090", "--json")
    assert rc == 0, err
    d = json.loads(out)
    assert d["params"] == 8_190_735_360 and d["dtype"] == "bf16" and d["fits"] is True
    assert d["gpus"][0]["name"] == "NVIDIA GeForce RTX 4090" and d["gpus"][0]["max_context"] == 40960
    rc, out, _ = run_cli("fit", os.path.join(MODELS, "moss-speech"), "--env", os.path.join(ENVS, "seed-runpod-4090.yaml"))
    assert rc == 1 and "fp32 (config.json torch_dtype)" in out and "bf16 19." in out and "does not fit" in out
    rc, out, _ = run_cli("fit", os.path.join(MODELS, "moss-speech"), "--env", os.path.join(ENVS, "seed-runpod-4090.yaml"),
                         "--dtype", "bf16")
    assert rc == 0 and "fits on one GPU" in out
    rc, _, err = run_cli("fit", os.path.join(MODELS, "qwen3-8b"), "--gpu", "Quantum 9000")
    assert rc == 2 and "not in matrix/gpus.yaml" in err and "Traceback" not in err
    rc, _, err = run_cli("fit", os.path.join(HERE, "fixtures"), "--gpu", "RTX 4090")
    assert rc == 2 and "no config.json" in err


def test_recommend_with_a_model_adds_the_fit(run_cli):
    env = os.path.join(ENVS, "seed-runpod-4090.yaml")
    rc, out, _ = run_cli("recommend", "--target", "tensorrt-llm", "--env", env,
                         "--model", os.path.join(MODELS, "moss-speech"), "--json")
    d = json.loads(out)
    assert rc == 1 and d["fit"]["fits"] is False
    assert all(p["status"] == "blocked" and any("model does not fit" in b for b in p["blockers"]) for p in d["paths"])
    rc, out, _ = run_cli("recommend", "--target", "tensorrt-llm", "--env", env,
                         "--model", os.path.join(MODELS, "moss-speech"), "--dtype", "bf16")
    assert rc == 0 and "model: " in out and "fits GPU 0" in out
