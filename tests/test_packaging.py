"""The wheel as a user gets it: one top-level import name, every data file the product reads, no test or
bench file, and no setuptools warnings while building it or the editable install (pip prints those to
the user as BuildBackendWarning lines)."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow

# Repository folder → its name inside the package (pyproject.toml's package-dir).
STAGES = {"fanwen": "fanwen", "crawler": "fanwen/crawler", "pipelines": "fanwen/pipelines",
          "browse": "fanwen/browse", "data": "fanwen/data"}
WARNING_MARKS = ("Warning", "would be ignored", "deprecated")


def _source_copy(target: Path) -> Path:
    """The files a source checkout builds from, copied: setuptools keeps build/ in the tree it builds, and a
    stale build/ could add deleted files to a wheel."""
    target.mkdir(exist_ok=True)
    for name in ("pyproject.toml", "setup.py", "README.md", "scripts", *STAGES):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.db", "*.db-*"))
        else:
            shutil.copy(source, target / name)
    return target


def _pip(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def _warnings(output: str) -> list[str]:
    # The machine's own pip configuration may warn about unreachable index locations: not the build's.
    return [line for line in output.splitlines()
            if any(mark in line for mark in WARNING_MARKS) and "Location '" not in line]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[list[str], dict[str, str], str]:
    """(file names, text of entry_points.txt and top_level-like metadata, pip's output) of a fresh wheel."""
    out = tmp_path_factory.mktemp("wheel")
    source = _source_copy(tmp_path_factory.mktemp("source"))
    built = _pip("wheel", "--no-deps", "-w", str(out), str(source), cwd=out)
    assert built.returncode == 0, built.stderr[-3000:]
    (path,) = out.glob("fanwen_archive-*.whl")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        entry_points = archive.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt")))
    return names, entry_points.decode(), built.stdout + built.stderr


def test_wheel_has_one_top_level_name(wheel):
    names, _, _ = wheel
    tops = {name.split("/")[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"fanwen"}


def test_wheel_ships_every_source_and_data_file_and_nothing_else(wheel):
    names, _, _ = wheel
    shipped = {n for n in names if not n.split("/")[0].endswith(".dist-info")}
    expected = set()
    for folder, package in STAGES.items():
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".db", ".pyc"):
                expected.add(f"{package}/{path.relative_to(ROOT / folder).as_posix()}")
    assert shipped == expected
    assert {"fanwen/pipelines/rules/paywall.toml", "fanwen/crawler/sites/ruiwen.toml",
            "fanwen/browse/templates/row.html", "fanwen/data/metadata.yml", "fanwen/data/demo/robots.txt"} <= shipped


def test_entry_points_name_the_one_package(wheel):
    _, entry_points, _ = wheel
    targets = [line.split("=", 1)[1].strip() for line in entry_points.splitlines() if "=" in line]
    assert targets and all(t.startswith("fanwen.") for t in targets), targets


def test_building_the_wheel_prints_no_setuptools_warning(wheel):
    _, _, output = wheel
    assert _warnings(output) == []


def test_editable_install_prints_no_setuptools_warning(tmp_path):
    # What `pip install -e .` shows a newcomer: pip's isolated build through the project's own backend, into
    # an empty virtual environment (pip uninstalls the distribution from the environment it installs into).
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True)
    source = _source_copy(tmp_path / "source")
    installed = _pip("--python", str(tmp_path / "venv" / "bin" / "python"), "install", "--no-deps", "-e",
                     str(source), cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-3000:]
    assert _warnings(installed.stdout + installed.stderr) == []


def test_every_pipelines_module_imports_on_its_own():
    # A script may import any stage first (fanwen.pipelines.forum, .prose): none may depend on the cleaning
    # package having been imported before it (two cycles through fanwen.pipelines.clean did).
    import fanwen.pipelines

    names = [f"fanwen.pipelines.{m.name}" for m in pkgutil.walk_packages(fanwen.pipelines.__path__)]
    script = ("import subprocess, sys\n"
              "for name in sys.argv[1:]:\n"
              "    r = subprocess.run([sys.executable, '-c', f'import {name}'], capture_output=True, text=True)\n"
              "    print(name, r.returncode, r.stderr.strip().splitlines()[-1:] )\n")
    out = subprocess.run([sys.executable, "-c", script, *names], capture_output=True, text=True, check=True).stdout
    failed = [line for line in out.splitlines() if line.split()[1] != "0"]
    assert len(names) > 20 and failed == []
