"""Ship the top-level matrix/ inside the wheel as envcheck/matrix/data (the rest lives in pyproject.toml)."""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["envcheck", "envcheck.*"]) + ["envcheck.matrix.data"],
    package_dir={"envcheck.matrix.data": "matrix"},
    package_data={"envcheck.matrix.data": ["*.yaml", "*.md"], "envcheck.explain": ["known_reports.json.gz"]},
)
