"""Eager's reference kept between runs (envcheck/bench/refcache.py): stored and read back exactly, keyed by what it
depends on, and ignored where the file is damaged or belongs to another key."""
import pytest

torch = pytest.importorskip("torch")

from envcheck.bench import refcache  # noqa: E402
from envcheck.bench.spec import preset  # noqa: E402

FACTS = {"torch": "2.11.0+cu130", "cuda": "13.0", "cudnn": 91300, "gpu": "NVIDIA H200", "capability": [9, 0]}


def reference():
    g = torch.Generator().manual_seed(3)
    return {"tokens": torch.randint(0, 100, (1, 10), generator=g), "ids": torch.randint(0, 50, (1, 6), generator=g),
            "logits": [torch.randn(1, 17, generator=g) for _ in range(10)],
            "audio": [torch.randn(1, 960, generator=g), torch.randn(1, 480, generator=g)],
            "fp32_logits": [torch.randn(1, 17, generator=g) for _ in range(10)], "fp32_rel_err": 0.029}


def test_round_trip_is_exact(tmp_path):
    k = refcache.key(preset("tiny"), "bf16", FACTS)
    ref = reference()
    path = refcache.save(k, ref, torch, str(tmp_path))
    assert path and path.endswith(f"{k}.pt")
    back = refcache.load(k, torch, torch.device("cpu"), str(tmp_path))
    assert torch.equal(back["tokens"], ref["tokens"]) and torch.equal(back["ids"], ref["ids"])
    assert all(torch.equal(a, b) for a, b in zip(back["logits"], ref["logits"]))
    assert all(torch.equal(a, b) for a, b in zip(back["audio"], ref["audio"]))
    assert back["fp32_rel_err"] == 0.029


def test_key_follows_shapes_dtype_software_and_gpu():
    base = refcache.key(preset("tiny"), "bf16", FACTS)
    assert refcache.key(preset("tiny"), "bf16", dict(FACTS)) == base
    assert refcache.key(preset("tiny", gen_tokens=7), "bf16", FACTS) != base
    assert refcache.key(preset("tiny"), "fp16", FACTS) != base
    assert refcache.key(preset("tiny"), "bf16", dict(FACTS, torch="2.11.1+cu130")) != base
    assert refcache.key(preset("tiny"), "bf16", dict(FACTS, gpu="NVIDIA H100 80GB HBM3")) != base


def test_damaged_or_foreign_files_are_ignored(tmp_path):
    k = refcache.key(preset("tiny"), "bf16", FACTS)
    other = refcache.key(preset("tiny"), "fp16", FACTS)
    refcache.save(other, reference(), torch, str(tmp_path))
    (tmp_path / f"{other}.pt").rename(tmp_path / f"{k}.pt")           # right name, another key inside
    assert refcache.load(k, torch, torch.device("cpu"), str(tmp_path)) is None
    (tmp_path / f"{k}.pt").write_bytes(b"PK\x03\x04 truncated")
    assert refcache.load(k, torch, torch.device("cpu"), str(tmp_path)) is None
    assert refcache.load("0" * 24, torch, torch.device("cpu"), str(tmp_path)) is None


def test_nothing_kept_without_the_fp32_reference(tmp_path):
    k = refcache.key(preset("tiny"), "bf16", FACTS)
    assert refcache.save(k, dict(reference(), fp32_logits=None), torch, str(tmp_path)) is None
    assert not list(tmp_path.iterdir())


def test_stage_costs_kept_under_their_key(tmp_path):
    k = refcache.key(preset("tiny"), "bf16", FACTS)
    costs = {"tokenizer": {"flops": 1.5e9, "bytes": 6.8e8}, "decoder_first": {"flops": 2.0e10, "bytes": 2.6e8},
             "decoder_all": {"flops": 4.1e11, "bytes": 5.2e9}}
    assert refcache.load_costs(k, str(tmp_path)) is None
    refcache.save_costs(k, costs, str(tmp_path))
    assert refcache.load_costs(k, str(tmp_path)) == costs
    other = refcache.key(preset("tiny"), "fp16", FACTS)
    assert refcache.load_costs(other, str(tmp_path)) is None
    # a file under the right name written for another key, or not JSON at all, is counted again
    (tmp_path / f"{other}.costs.json").write_text((tmp_path / f"{k}.costs.json").read_text())
    assert refcache.load_costs(other, str(tmp_path)) is None
    (tmp_path / f"{k}.costs.json").write_text("{not json")
    assert refcache.load_costs(k, str(tmp_path)) is None
    broken = {"key": k, "stage_costs": dict(costs, decoder_all={"flops": "many"})}
    (tmp_path / f"{k}.costs.json").write_text(__import__("json").dumps(broken))
    assert refcache.load_costs(k, str(tmp_path)) is None
