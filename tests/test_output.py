"""The one door out: the safe writer refuses links, pipes, sockets, devices and folders, and writes atomically."""
import os
import socket

import pytest

from envcheck.errors import EXIT_USAGE, InputError
from envcheck.output import append_text, clean, write_bytes, write_text


def test_normal_write_is_atomic_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    write_text(str(target), "one\n", "-o")
    write_text(str(target), "two\n", "-o")
    assert target.read_text() == "two\n"
    assert os.listdir(str(target.parent)) == ["out.txt"]


def test_write_bytes_and_append(tmp_path):
    target = tmp_path / "b.bin"
    write_bytes(str(target), b"\x00\x01", "bundle")
    assert target.read_bytes() == b"\x00\x01"
    summary = tmp_path / "summary.md"
    append_text(str(summary), "a\n")
    append_text(str(summary), "b\n")
    assert summary.read_text() == "a\nb\n"


def _refused(path, writer=write_text):
    with pytest.raises(InputError) as info:
        writer(str(path), "x", "--junit")
    assert info.value.exit_code == EXIT_USAGE
    assert str(info.value).startswith(f"--junit {path}: refusing to write: it is ")
    return str(info.value)


@pytest.mark.parametrize("writer", [write_text, append_text])
def test_symlink_is_refused_and_its_target_untouched(tmp_path, writer):
    real = tmp_path / "real.txt"
    real.write_text("keep")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    assert "symbolic link" in _refused(link, writer)
    assert real.read_text() == "keep" and link.is_symlink()


@pytest.mark.parametrize("writer", [write_text, append_text])
def test_fifo_is_refused_without_blocking(tmp_path, writer):
    fifo = tmp_path / "pipe"
    os.mkfifo(str(fifo))
    assert "a FIFO" in _refused(fifo, writer)


def test_socket_is_refused(tmp_path):
    path = tmp_path / "s.sock"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(path))
        assert "a socket" in _refused(path)
    finally:
        sock.close()


def test_directory_is_refused(tmp_path):
    assert "a directory" in _refused(tmp_path)


@pytest.mark.parametrize("writer", [write_text, append_text])
def test_device_is_refused(writer):
    assert "character device" in _refused("/dev/null", writer)


def test_unwritable_folder_is_an_input_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(InputError, match="cannot write"):
        write_text(str(blocker / "out.txt"), "x", "-o")


def test_clean_shows_controls_as_escapes():
    assert clean("a\x1b[2Jb\u202ec\n\t") == "a\\x1b[2Jb\\u202ec\n\t"


def test_switch_link_replaces_a_link_and_refuses_anything_else(tmp_path):
    from envcheck.output import switch_link

    link = str(tmp_path / "current")
    switch_link(link, "a")
    switch_link(link, "b")
    assert os.readlink(link) == "b" and sorted(os.listdir(str(tmp_path))) == ["current"]
    os.unlink(link)
    os.mkfifo(link)
    with pytest.raises(InputError, match="refusing to replace it: it is not a symbolic link"):
        switch_link(link, "c")
    assert not os.path.islink(link) and sorted(os.listdir(str(tmp_path))) == ["current"]
