"""scripts/setup's look at the machine: what it finds installed, and the names it installs by.

These run the real script with stand-ins for a few commands in front of PATH; nothing is
installed and no database is needed.
"""

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETUP = ROOT / "scripts" / "setup"
FILLER = "x" * 99 + "\n"


def stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(0o755)


def run_setup(script: Path, *args: str, path_prefix: Path | None = None):
    env = dict(os.environ)
    if path_prefix is not None:
        env["PATH"] = f"{path_prefix}:{env['PATH']}"
    return subprocess.run(
        ["bash", str(script), *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_what_is_installed_is_found_when_the_listing_is_longer_than_a_pipe_holds(tmp_path):
    # ldconfig -p and fc-list go on writing after the line setup looks for. Behind
    # `| grep -q` under pipefail that made the check fail at random (the writer dies of SIGPIPE
    # once grep has its match) and `make run` ran apt-get again; with 1 MB more it always would.
    real_ldconfig = shutil.which("ldconfig", path=f"{os.environ['PATH']}:/usr/sbin:/sbin")
    real_fc_list = shutil.which("fc-list")
    assert real_ldconfig and real_fc_list, "make setup installs fontconfig; ldconfig is libc's"
    baseline = run_setup(SETUP, "--print-missing")
    assert baseline.returncode == 0, baseline.stderr

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    used = tmp_path / "used"
    for name, real in (("ldconfig", real_ldconfig), ("fc-list", real_fc_list)):
        stub(
            bin_dir,
            name,
            f'echo {name} >>"{used}"\n"{real}" "$@" || exit\n'
            f"for _ in $(seq 10000); do printf '{FILLER.strip()}\\n'; done\n",
        )
    long_listing = run_setup(SETUP, "--print-missing", path_prefix=bin_dir)

    assert long_listing.returncode == 0, long_listing.stderr
    assert sorted(used.read_text().split()) == ["fc-list", "ldconfig"]
    assert long_listing.stdout.split() == baseline.stdout.split()


def test_libraries_are_installed_by_the_names_this_release_has(tmp_path):
    # Debian 13 and Ubuntu 24.04 call GEOS's C library libgeos-c1t64 (libgeos-c1v5 is only a
    # virtual name there); Ubuntu has no chromium package (a snap): setup warns and goes on.
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(SETUP, checkout / "scripts" / "setup")
    for name in ("pyproject.toml", "constraints.txt"):
        (checkout / name).write_text("")
    venv_bin = checkout / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    stub(venv_bin, "python", "exit 0\n")
    (checkout / ".venv" / ".installed").touch()
    os.utime(checkout / ".venv" / ".installed", (2**31, 2**31))  # newer than both: no pip

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    installed = tmp_path / "installed"
    stub(bin_dir, "ldconfig", "exit 0\n")  # no library at all
    stub(bin_dir, "sudo", 'exec "$@"\n')
    stub(
        bin_dir,
        "apt-cache",
        'case "$2" in libgeos-c1v5|chromium) c="(none)";; *) c="1.0-1";; esac\n'
        'printf \'%s:\\n  Installed: (none)\\n  Candidate: %s\\n\' "$2" "$c"\n',
    )
    stub(bin_dir, "apt-get", f'[ "$1" = update ] || echo "$@" >>"{installed}"\n')
    # the chromium the map test drives is looked for at /usr/bin/chromium, which a stub cannot
    # hide: the ? case is checked only where it is really missing.
    result = run_setup(checkout / "scripts" / "setup", path_prefix=bin_dir)

    assert result.returncode == 0, result.stderr
    packages = installed.read_text().split()
    assert "libgeos-c1t64" in packages and "libgeos-c1v5" not in packages
    assert {"gdal-bin", "proj-bin", "libharfbuzz-subset0", "libpangoft2-1.0-0"} <= set(packages)
    if not Path("/usr/bin/chromium").exists():
        assert "chromium" not in packages
        assert "no package chromium; skipped" in result.stderr
