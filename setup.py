"""Ship the top-level matrix/ inside the wheel as envcheck/matrix (the rest lives in pyproject.toml)."""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["envcheck", "envcheck.*"]) + ["envcheck.matrix"],
    package_dir={"envcheck.matrix": "matrix"},
    package_data={"envcheck.matrix": ["*.yaml", "*.md"]},
)
