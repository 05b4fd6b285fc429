"""Interrupted and failed exports: the folder holds the old complete set or the new one."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys

import pytest
from test_tables_fixtures import make_areas, make_matrix, make_sites

from access_app.core import atomic, export
from access_app.core.errors import ExportError
from access_app.core.export import exportset, tabular
from access_app.core.scenarios import Scenario, assign_all, default_scenarios
from access_app.core.tables import build_report

META = {"Attribution": "test"}


@pytest.fixture(scope="module")
def areas():
    return make_areas()


@pytest.fixture(scope="module")
def reports(areas):
    sites = make_sites()
    first = build_report(assign_all(areas, sites, make_matrix(), default_scenarios(sites)), areas, sites)
    second = build_report(
        assign_all(areas, sites, make_matrix(), [Scenario("Only S4", open_sites=("S4",))]), areas, sites
    )
    return first, second


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def old_set(reports, areas, tmp_path):
    out = tmp_path / "out"
    export.write_all(reports[0], out, areas=areas, metadata=META)
    assert export.verify_manifest(out) == []
    return out, _snapshot(out)


def test_manifest_lists_every_file_with_its_hash(old_set):
    out, _ = old_set
    manifest = json.loads((out / "export_manifest.json").read_text(encoding="utf-8"))
    names = [e["name"] for e in manifest["files"]]
    assert sorted(names) == sorted(p.name for p in out.iterdir() if p.name != "export_manifest.json")
    assert len(manifest["run_id"]) == 16 and manifest["software"].startswith("access-app ")
    import hashlib

    for entry in manifest["files"]:
        data = (out / entry["name"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["bytes"] == len(data)


def test_verify_manifest_spots_a_mixed_set(old_set):
    out, _ = old_set
    (out / "summary.csv").write_text("from another run", encoding="utf-8")
    problems = export.verify_manifest(out)
    assert len(problems) == 1 and "summary.csv differs from the manifest" in problems[0]
    (out / "export_manifest.json").unlink()
    assert "missing or unreadable" in export.verify_manifest(out)[0]


def test_new_set_replaces_old_set_whole(old_set, reports, areas):
    out, before = old_set
    export.write_all(reports[1], out, areas=areas, metadata=META)
    after = _snapshot(out)
    assert export.verify_manifest(out) == []
    assert sorted(after) == sorted(before)
    assert after["summary.csv"] != before["summary.csv"]
    assert b"Only S4" in after["summary.csv"]


def _fail_at(monkeypatch, name, exc):
    """Make the writer of ``name`` write half a file, then raise ``exc``."""
    real_csv = tabular.write_csv

    def broken(frame, path):
        if path.name == name:
            path.write_bytes(b"half a fi")
            raise exc
        return real_csv(frame, path)

    monkeypatch.setattr(exportset, "write_csv", broken)


def test_disk_full_part_way_keeps_old_set_whole(old_set, reports, areas, monkeypatch):
    out, before = old_set
    _fail_at(monkeypatch, "area_results.csv", OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(ExportError, match="No space left on device"):
        export.write_all(reports[1], out, areas=areas, metadata=META)
    assert _snapshot(out) == before  # the workbook written before the failure did not land
    assert export.verify_manifest(out) == []


def test_disk_full_inside_the_atomic_writer(old_set, reports, areas, monkeypatch):
    out, before = old_set
    real = atomic.atomic_write

    def enospc_writer(path, write):
        if path.name == "groups.csv":
            def half(tmp):
                tmp.write_bytes(b"x" * 10)
                raise OSError(errno.ENOSPC, "No space left on device")

            return real(path, half)
        return real(path, write)

    monkeypatch.setattr(tabular, "atomic_write", enospc_writer)
    with pytest.raises(ExportError, match="groups.csv.*No space left"):
        export.write_all(reports[1], out, areas=areas, metadata=META)
    assert _snapshot(out) == before


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), SystemExit(143)], ids=["ctrl-c", "sigterm"])
def test_interrupt_while_writing_keeps_old_set(old_set, reports, areas, monkeypatch, exc):
    out, before = old_set
    _fail_at(monkeypatch, "sites.csv", exc)
    with pytest.raises(type(exc)):
        export.write_all(reports[1], out, areas=areas, metadata=META)
    assert _snapshot(out) == before


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), PermissionError(13, "file is open in Excel")])
def test_failure_during_the_swap_rolls_back(old_set, reports, areas, monkeypatch, exc):
    out, before = old_set
    real_replace = os.replace
    moved = []

    def replace(src, dst):
        moved.append(os.fspath(dst))
        # Let the old manifest and two files go aside and one new file in, then fail.
        if len(moved) == 5:
            raise exc
        return real_replace(src, dst)

    real_swap = exportset._swap

    def swap(staging, out_, names):
        with monkeypatch.context() as m:
            m.setattr(os, "replace", replace)
            return real_swap(staging, out_, names)

    monkeypatch.setattr(exportset, "_swap", swap)
    with pytest.raises(ExportError if isinstance(exc, OSError) else KeyboardInterrupt):
        export.write_all(reports[1], out, areas=areas, metadata=META)
    monkeypatch.undo()
    assert _snapshot(out) == before
    assert export.verify_manifest(out) == []


def test_atomic_writer_cleans_up_on_keyboard_interrupt(tmp_path):
    target = tmp_path / "a.csv"
    target.write_text("old", encoding="utf-8")

    def interrupted(tmp):
        tmp.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic.atomic_write(target, interrupted)
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]
    assert target.read_text(encoding="utf-8") == "old"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temp_files_of_dead_processes_are_swept(old_set, reports, areas):
    out, before = old_set
    dead = _dead_pid()
    stale = out / f".summary.{dead}.0123abcd.tmp.csv"
    stale.write_text("left by SIGKILL")
    journal = out / f".area_results.{dead}.89abcdef.tmp.gpkg-journal"
    journal.write_text("left by GDAL")
    live = out / f".sites.{os.getpid()}.0123abcd.tmp.csv"  # being written by a live process
    live.write_text("in progress")
    other = out / ".keep-me.tmp"
    other.write_text("not ours")
    export.write_all(reports[1], out, areas=areas, metadata=META)
    assert not stale.exists() and not journal.exists()
    assert live.exists() and other.exists()


def test_killed_before_the_swap_leaves_old_set_and_is_swept(old_set):
    out, before = old_set
    dead = _dead_pid()
    staging = out / f".access-app-staging.{dead}.00112233aabbccdd"
    staging.mkdir()
    (staging / "equity_report.xlsx").write_bytes(b"new but unfinished")
    removed = export.recover_folder(out)
    assert staging in removed and not staging.exists()
    assert _snapshot(out) == before


def _kill_mid_swap(out, new_dir_names, dead):
    """Fake what a process killed during its swap leaves: old files aside, some new ones in."""
    staging = out / f".access-app-staging.{dead}.aaaabbbbccccdddd"
    old = staging / ".old"
    old.mkdir(parents=True)
    names = new_dir_names
    manifest = {"run_id": "aaaabbbbccccdddd", "files": [{"name": n, "sha256": "0"} for n in names]}
    (staging / "export_manifest.json").write_text(json.dumps(manifest))
    os.replace(out / "export_manifest.json", old / "export_manifest.json")
    done = names[:3]
    for n in names:
        if n in done:
            os.replace(out / n, old / n)
            (out / n).write_bytes(b"new " + n.encode())
        else:
            (staging / n).write_bytes(b"new " + n.encode())
    # the fourth file: old moved aside, new not yet in
    os.replace(out / names[3], old / names[3])
    (out / "brand_new.csv").write_bytes(b"new file without an old one")
    manifest["files"].append({"name": "brand_new.csv", "sha256": "0"})
    (staging / "export_manifest.json").write_text(json.dumps(manifest))
    return staging


def test_killed_during_the_swap_is_rolled_back(old_set):
    out, before = old_set
    names = sorted(n for n in before if n != "export_manifest.json")
    staging = _kill_mid_swap(out, names, _dead_pid())
    assert export.verify_manifest(out) != []  # a reader can tell the folder is mid-swap
    export.recover_folder(out)
    assert not staging.exists()
    assert _snapshot(out) == before
    assert export.verify_manifest(out) == []


def test_killed_after_the_commit_keeps_new_set(old_set, reports, areas):
    out, _ = old_set
    export.write_all(reports[1], out, areas=areas, metadata=META)
    new = _snapshot(out)
    run_id = json.loads(new["export_manifest.json"])["run_id"]
    staging = out / f".access-app-staging.{_dead_pid()}.{run_id}"
    (staging / ".old").mkdir(parents=True)
    (staging / ".old" / "summary.csv").write_bytes(b"old summary")
    export.recover_folder(out)
    assert not staging.exists() and _snapshot(out) == new


def test_live_staging_folders_are_left_alone(old_set):
    out, _ = old_set
    staging = out / f".access-app-staging.{os.getpid()}.0000000000000000"
    staging.mkdir()
    export.recover_folder(out)
    assert staging.exists()


def test_temp_names_carry_the_pid(tmp_path):
    name = atomic.temp_path_for(tmp_path / "area_results.gpkg").name
    assert atomic.temp_owner(name) == os.getpid() and name.endswith(".gpkg")
    assert atomic.temp_owner(name + "-wal") == os.getpid()
    assert atomic.temp_owner("area_results.gpkg") is None
    assert not atomic.pid_alive(_dead_pid()) and atomic.pid_alive(os.getpid())


def test_two_exports_into_one_folder_leave_one_whole_set(reports, areas, tmp_path):
    import threading

    out = tmp_path / "shared"
    errors = []

    def export_one(rep):
        try:
            export.write_all(rep, out, areas=areas, metadata=META)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=export_one, args=(r,)) for r in reports]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert export.verify_manifest(out) == []
    summary = (out / "summary.csv").read_bytes()
    assert (b"Only S4" in summary) != (b"Networked" in summary)  # one run's set, not a mix
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
