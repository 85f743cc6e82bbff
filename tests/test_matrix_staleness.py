"""The report footer that says how old the matrix is, and `matrix update` from a local bundle (offline)."""
import os
import re

from conftest import ENVS, FIXTURES

SEED = os.path.join(ENVS, "seed-runpod-4090.yaml")


def _env(tmp_path, scanned_at=None, extra_packages=""):
    text = open(SEED).read()
    if scanned_at:
        text = text.replace("schema: envcheck.environment/1\n",
                            f"schema: envcheck.environment/1\nmeta: {{scanned_at: \"{scanned_at}\"}}\n", 1)
    if extra_packages:
        text = text.replace('packages: {torch: "2.9.1+cu128",', f'packages: {{{extra_packages} torch: "2.9.1+cu128",', 1)
    p = tmp_path / "env.yaml"
    p.write_text(text)
    return str(p)


def test_footer_counts_days_to_the_scan_and_names_newer_releases(run_cli, tmp_path):
    env = _env(tmp_path, "2026-12-20T08:00:00Z", 'vllm: "0.40.1", tensorrt-llm: "1.2.1",')
    rc, out, err = run_cli("scan", "--env", env)
    assert rc == 0, err
    last = out.rstrip().splitlines()[-1]
    assert re.fullmatch(r"matrix \d{4}-\d{2}-\d{2}, \d+ days old; newer releases exist: vllm 0\.40\.1 \(matrix knows "
                        r"up to 0\.33\.0\); envcheck matrix update", last), last
    rc, md, _ = run_cli("scan", "--env", env, "--markdown")
    assert "newer releases exist: vllm 0.40.1" in md
    assert run_cli("scan", "--env", env)[1] == out  # deterministic: the scan's date, not the clock


def test_no_footer_without_a_scan_date_or_anything_newer(run_cli, tmp_path):
    rc, out, _ = run_cli("scan", "--env", SEED)
    assert "days old" not in out and "newer releases" not in out
    rc, out, _ = run_cli("scan", "--env", _env(tmp_path, "2026-11-30T08:00:00Z"))
    assert re.search(r"^matrix \d{4}-\d{2}-\d{2}, \d+ days old$", out.rstrip().splitlines()[-1], re.M)


def test_junk_versions_from_the_environment_are_not_echoed(run_cli, tmp_path):
    env = _env(tmp_path, "2026-12-20T08:00:00Z", 'vllm: "99.0\\u001b]0;x\\u0007",')
    rc, out, _ = run_cli("scan", "--env", env)
    last = out.rstrip().splitlines()[-1]  # the footer (other sections' sanitizing is issue 12's)
    assert "days old" in last and "\x1b" not in last and "newer releases" not in out


def _bundle(run_cli, tmp_path, version="2999-01-01"):
    import shutil
    mini = tmp_path / "mini"
    shutil.copytree(os.path.join(FIXTURES, "matrix-mini"), mini)
    (mini / "index.yaml").write_text(f'schema: envcheck.matrix/1\nversion: "{version}"\n')
    out = tmp_path / "pub" / "matrix.tar.gz"
    out.parent.mkdir()
    rc, _, err = run_cli("matrix", "bundle", str(out), "--matrix", str(mini))
    assert rc == 0, err
    return out


def test_update_installs_a_bundle_from_a_local_path_and_file_url(run_cli, tmp_path):
    b = _bundle(run_cli, tmp_path)
    env = {"ENVCHECK_HOME": str(tmp_path / "home")}
    rc, out, err = run_cli("matrix", "update", "--from", str(b), env=env)
    assert rc == 0 and "-> 2999-01-01" in out, err
    b2 = _bundle(run_cli, tmp_path / "second", "3000-01-01")
    rc, out, err = run_cli("matrix", "update", "--from", b2.as_uri(), env=env)
    assert rc == 0 and "2999-01-01 -> 3000-01-01" in out, err
    (tmp_path / "pub" / "matrix.tar.gz.sha256").write_text("0" * 64 + "\n")
    rc, _, err = run_cli("matrix", "update", "--from", str(b), env=env)
    assert rc == 2 and "checksum mismatch" in err and "unchanged" in err
    rc, _, err = run_cli("matrix", "update", "--from", str(tmp_path / "nothing.tar.gz"), env=env)
    assert rc == 2 and "cannot read" in err


def test_update_takes_the_configured_url_by_default(run_cli, tmp_path):
    b = _bundle(run_cli, tmp_path)
    cfg = tmp_path / "cfg" / "envcheck"
    cfg.mkdir(parents=True)
    (cfg / "config.yaml").write_text(f"matrix_url: {b.as_uri()}\n")
    env = {"ENVCHECK_HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "ENVCHECK_MATRIX_URL": ""}
    rc, out, err = run_cli("matrix", "update", env=env)
    assert rc == 0 and "-> 2999-01-01" in out, err
    rc, _, err = run_cli("matrix", "update", env=dict(env, XDG_CONFIG_HOME=str(tmp_path / "none")))
    assert rc == 2 and "matrix_url" in err
