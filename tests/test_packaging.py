"""The wheel: it carries the templates, the migrations and the library data, and installed
into a clean virtual environment (no system packages) `eagov db upgrade` and `eagov --help`
work from any folder.

Building needs setuptools>=69 from the package index (pip's build isolation) and installing
needs the dependencies from it: without an index the test skips and says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 600


def source_tree(target: Path) -> Path:
    """A copy of the checkout's files (tracked and new, not ignored): the build writes its
    build/ and egg-info folders there, not into the working tree."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        pytest.skip("git cannot list the source files")
    for name in filter(None, listed.stdout.decode().split("\0")):
        src = ROOT / name
        if src.is_file() and not name.startswith(("tests/", "docs/", "bench/")):
            dest = target / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
    return target


def pip(python: Path | str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=TIMEOUT,
        check=False,
    )


def skip_if_offline(done: subprocess.CompletedProcess, what: str) -> None:
    text = done.stdout + done.stderr
    offline = ("No matching distribution", "Could not find a version", "Network is unreachable")
    if done.returncode != 0 and any(marker in text for marker in offline):
        pytest.skip(f"{what} needs the package index, which is not reachable: {text[-300:]}")
    assert done.returncode == 0, f"{what} failed:\n{text[-3000:]}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("packaging")
    src = source_tree(work / "src")
    out = work / "dist"
    skip_if_offline(
        pip(sys.executable, "wheel", "--no-deps", "-q", "-w", str(out), str(src)),
        "building the wheel",
    )
    (built,) = out.glob("eagov-*.whl")
    return built


def test_the_wheel_carries_templates_migrations_and_library_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {
        p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*.*")
    }
    migrations = {p.name for p in (ROOT / "migrations" / "versions").glob("*.py")}
    missing = sorted(f"templates/{t}" for t in templates if f"eagov/templates/{t}" not in names)
    missing += sorted(
        f"migrations/versions/{m}"
        for m in migrations
        if f"eagov/migrations/versions/{m}" not in names
    )
    missing += [
        f for f in ("eagov/migrations/env.py", "eagov/migrations/script.py.mako") if f not in names
    ]
    assert not missing, (
        f"{len(missing)} files are not in the wheel, e.g. {missing[:5]}: the templates/ and "
        "migrations/ folders must be mapped into the package (see setup.py)"
    )
    library = {
        p.relative_to(ROOT / "eagov").as_posix()
        for p in (ROOT / "eagov" / "library").rglob("*.yaml")
    }
    assert library and {f"eagov/{y}" for y in library} <= names
    assert any(
        n.startswith("eagov/translations/zh_Hans/LC_MESSAGES/") and n.endswith(".mo") for n in names
    )
    assert any(n.startswith("eagov/static/") for n in names)
    assert "eagov/services/accounts.py" in names  # a folder without __init__.py is a package too


def test_the_installed_wheel_migrates_a_database_and_answers_help(
    wheel: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    skip_if_offline(pip(python, "install", "-q", str(wheel)), "installing the wheel")

    # Run from an empty folder: nothing may come from the checkout.
    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()
    db = run_dir / "eagov.db"
    env = {
        "PATH": f"{env_dir / 'bin'}:/usr/bin:/bin",
        "HOME": str(run_dir),
        "EAGOV_DATABASE_URL": f"sqlite:///{db}",
        "EAGOV_SECRET_KEY": "packaging-test-" + os.urandom(8).hex(),
    }
    eagov = str(env_dir / "bin" / "eagov")

    helped = subprocess.run(
        [eagov, "--help"], cwd=run_dir, env=env, capture_output=True, text=True, timeout=120
    )
    assert helped.returncode == 0, helped.stderr
    for group in ("db", "user", "backup", "scheduler"):
        assert f"\n  {group} " in helped.stdout, group

    upgraded = subprocess.run(
        [eagov, "db", "upgrade"], cwd=run_dir, env=env, capture_output=True, text=True, timeout=120
    )
    assert upgraded.returncode == 0, upgraded.stderr
    assert "Database at head." in upgraded.stdout
    current = subprocess.run(
        [eagov, "db", "current"], cwd=run_dir, env=env, capture_output=True, text=True, timeout=60
    )
    assert current.returncode == 0 and "(head)" in current.stdout, current.stdout + current.stderr
    # The templates came from the installed package: a page renders.
    page = subprocess.run(
        [
            str(python),
            "-c",
            "from eagov import create_app; app = create_app();"
            "print(app.test_client().get('/login').status_code)",
        ],
        cwd=run_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert page.stdout.strip() == "200", page.stderr
