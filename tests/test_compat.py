"""GPU names as NVML and users spell them, matched to the bundled matrix's rows."""
import pytest

from envcheck.matrix.compat import gpu_row
from envcheck.matrix.load import load_matrix


@pytest.fixture(scope="module")
def matrix():
    return load_matrix(include_user=False)


@pytest.mark.parametrize("name, row", [
    ("NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4090"),
    ("nvidia geforce rtx 4090", "NVIDIA GeForce RTX 4090"),
    ("RTX 4090", "NVIDIA GeForce RTX 4090"),          # --predict as a user types it
    ("4090", "NVIDIA GeForce RTX 4090"),
    ("NVIDIA A100-SXM4-80GB", "NVIDIA A100-SXM4-80GB"),
    ("NVIDIA H100 80GB HBM3", "NVIDIA H100 80GB HBM3"),
    ("NVIDIA H100 PCIe", "NVIDIA H100 PCIe"),
    ("Tesla T4", "Tesla T4"),
])
def test_known_names(matrix, name, row):
    assert gpu_row(matrix, name).get("name") == row


@pytest.mark.parametrize("name", [
    "NVIDIA GeForce RTX 4090 D",           # the China-market 4090 D: fewer SMs, not the 4090's figures
    "NVIDIA GeForce RTX 4090 Laptop GPU",  # a different chip (AD103)
    "NVIDIA H100 NVL",                     # 94 GB, another bandwidth
    "NVIDIA A10G",
    "",
    None,
])
def test_other_products_are_not_guessed(matrix, name):
    assert gpu_row(matrix, name) is None
