"""The pre-commit hook: ``.pre-commit-hooks.yaml`` and ``cfgate check --changed-only``.

Three layers, cheapest first:

- the context plan and the filter, in process, on a copy of ``fixtures/precommit/project``;
- the real ``pre-commit`` tool driving real ``git commit`` runs in a temporary repository, with a
  ``repo: local`` hook that takes every field from our manifest but runs this interpreter's cfgate
  (``language: system``), so no virtualenv is built;
- one ``pre-commit try-repo`` of our manifest as published (``language: python``): pre-commit builds its
  own virtualenv and pip-installs cfgate from a snapshot of this checkout, as a user's machine would.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from clirunner import run_cli
from support import need, need_module

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
PROJECT = ROOT / "fixtures" / "precommit" / "project"
EXPIRED_FLAG = "SKIP_CAPACITY_CHECKS=true\nSKIP_CAPACITY_CHECKS_EXPIRY=2020-01-01\n"


def _hook() -> dict:
    hooks = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and len(hooks) == 1
    return hooks[0]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example project, as the current directory (pre-commit runs hooks from the repo root)."""
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    monkeypatch.chdir(root)
    return root


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --- the manifest --------------------------------------------------------------------------------


def test_manifest_declares_one_serial_python_hook_that_judges_changed_files() -> None:
    hook = _hook()
    assert hook["id"] == "cfgate"
    assert hook["language"] == "python"
    assert shlex.split(hook["entry"]) == ["cfgate", "check", "--changed-only"]
    assert hook["pass_filenames"] is True
    # one process sees every staged file, so context shared by several is read once
    assert hook["require_serial"] is True
    assert hook.get("types", ["file"]) == ["file"]  # no type tag exists for .env files: `files` selects


@pytest.mark.parametrize("name", [
    "main.tf", "infra/main.tf", "terraform.tfvars", "envs/staging.auto.tfvars", "vars.tfvars.json", ".env",
    "app/.env", ".env.staging", ".env.staging.tests", "deploy/prod.env", "app/db.py", "setup.py",
    "main.tf.bak", "tf", "notes.env.md", ".envrc", "environment", "a.tfstate", "x.json", "x.pyc", "x.pyi",
    "dir.tf/readme.md", ".env/config", "README.md", "prod.env.example",
])
def test_manifest_files_pattern_selects_exactly_what_cfgate_reads(name: str) -> None:
    from cfgate.sources import kind_of

    # pre-commit searches the pattern in the repo-relative path, forward slashes
    selected = re.search(_hook()["files"], name) is not None
    assert selected == (kind_of(Path(name)) is not None), name


# --- the context plan ----------------------------------------------------------------------------


def _plan(*changed: str):
    from cfgate.changed import plan
    from cfgate.config import load_settings

    settings, _ = load_settings()
    return plan(changed, tuple(settings.exclude), settings.env_layers)


def test_a_changed_tf_is_read_with_its_module_directory_only(project: Path) -> None:
    change = _plan("infra/main.tf")
    assert change.changed == ("infra/main.tf",)
    assert change.context == ("infra/main.tf", "infra/old-connector.tf", "infra/terraform.tfvars", "infra/variables.tf")


def test_a_changed_module_is_read_with_its_callers(project: Path) -> None:
    _write(project / "stacks/prod/main.tf", 'module "edge" {\n  source = "../../stacks/staging"\n}\n')
    change = _plan("modules/connector/main.tf")
    # the caller, and the caller's caller: the module is evaluated with the arguments a full run gives it
    assert change.context == ("modules/connector/main.tf", "stacks/prod/main.tf", "stacks/staging/main.tf")
    assert "calls the module modules/connector" in change.why["stacks/staging/main.tf"]


def test_a_changed_root_is_read_with_the_local_modules_it_calls(project: Path) -> None:
    change = _plan("stacks/staging/main.tf")
    assert change.context == ("modules/connector/main.tf", "stacks/staging/main.tf")


def test_a_changed_env_file_is_read_with_its_layer_and_the_code_that_uses_it(project: Path) -> None:
    _write(project / "scripts/report.py", "print('no pool here')\n")
    change = _plan(".env.staging")
    assert change.changed == (".env.staging",)
    assert change.context == (".env", ".env.staging", "app/config.py", "app/db.py")
    assert change.why[".env"] == "in the env layer staging"


def test_a_changed_module_is_read_with_its_package_its_imports_and_the_env_files(project: Path) -> None:
    _write(project / "shared/dbconf.py", "POOL_TIMEOUT = 30\n")  # outside the package, imported
    _write(project / "app/db.py", (project / "app/db.py").read_text() + "from shared.dbconf import POOL_TIMEOUT\n")
    _write(project / "tools/other.py", "x = 1\n")  # neither in the package nor imported
    change = _plan("app/db.py")
    assert change.context == (".env", ".env.staging", "app/__init__.py", "app/config.py", "app/db.py", "shared/dbconf.py")


def test_a_directory_counts_as_all_its_files_and_other_files_are_skipped(project: Path) -> None:
    _write(project / "README.md", "# not configuration\n")
    change = _plan("README.md", "stacks")
    assert change.changed == ("stacks/staging/main.tf",)


def test_a_missing_changed_file_is_a_usage_error(project: Path) -> None:
    result = run_cli(["check", "--changed-only", "infra/gone.tf"])
    assert result.code == 2
    assert "infra/gone.tf: no such file" in result.stderr


def test_an_excluded_changed_file_is_not_judged(project: Path) -> None:
    _write(project / "infra/terraform.tfvars", "connector_max = 100\n")
    result = run_cli(["check", "--changed-only", "--exclude", "infra/*", "infra/main.tf"])
    assert result.code == 0, result.stdout


# --- verdicts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["terraform.tfvars", "variables.tf default"])
@pytest.mark.parametrize(("value", "code"), [(100, 1), (8, 0)])
def test_a_changed_tf_is_judged_with_the_variable_from_an_untouched_sibling(project: Path, where: str, value: int,
                                                                             code: int) -> None:
    if where == "terraform.tfvars":
        _write(project / "infra/terraform.tfvars", f"connector_max = {value}\n")
        origin = "var.connector_max set at infra/terraform.tfvars:1"
    else:
        (project / "infra/terraform.tfvars").unlink()
        _write(project / "infra/variables.tf", f'variable "connector_max" {{\n  type    = number\n  default = {value}\n}}\n')
        origin = "the default of var.connector_max at infra/variables.tf:3"
    result = run_cli(["check", "--changed-only", "--show-passed", "infra/main.tf"])
    assert result.code == code, result.stdout + result.stderr
    assert "0 unknown" in result.stdout  # resolved, not unknown
    if code:
        assert f"infra/main.tf:8:3: error CFG113 max_instances = 100 is outside the allowed range 3..10 (from {origin})" in result.stdout
    else:
        assert "infra/main.tf:8:3: pass CFG113 google_vpc_access_connector.connector.max_instances = 8 is within 3..10" in result.stdout
    # the sibling was read for context; its own finding is not the commit's business
    assert "old-connector.tf" not in result.stdout
    # for contrast: the file alone leaves the variable unknown (what a file-by-file hook sees)
    alone = run_cli(["check", "infra/main.tf"])
    assert "2 unknown" in alone.stdout


def test_a_value_set_in_a_changed_file_fails_where_it_is_used(project: Path) -> None:
    _write(project / "infra/terraform.tfvars", "connector_max = 100\n")
    result = run_cli(["check", "--changed-only", "infra/terraform.tfvars"])
    assert result.code == 1
    assert "infra/main.tf:8:3: error CFG113 max_instances = 100" in result.stdout
    assert "set at infra/terraform.tfvars:1" in result.stdout
    assert "old-connector.tf" not in result.stdout


def test_a_finding_only_in_an_unchanged_file_does_not_fail(project: Path) -> None:
    full = run_cli(["check", "."])
    assert full.code == 1 and "infra/old-connector.tf:8:3: error CFG113" in full.stdout
    result = run_cli(["check", "--changed-only", "infra/main.tf", "infra/variables.tf", ".env", "app/db.py"])
    assert result.code == 0, result.stdout
    assert "0 errors" in result.stdout and "in 4 files" in result.stdout


def test_a_changed_module_is_judged_with_its_callers_arguments(project: Path) -> None:
    # the module's default is 100, but its only caller passes 8: a full run says 8, and so does the hook
    result = run_cli(["check", "--changed-only", "--show-passed", "modules/connector/main.tf"])
    assert result.code == 0, result.stdout
    assert "module.connector.google_vpc_access_connector.this.max_instances = 8 is within 3..10" in result.stdout
    alone = run_cli(["check", "modules/connector/main.tf"])
    assert alone.code == 1 and "max_instances = 100" in alone.stdout  # the false alarm we avoid


def test_python_settings_are_linked_across_the_package(project: Path) -> None:
    result = run_cli(["check", "--changed-only", "--show-passed", "app/db.py"])
    assert result.code == 0, result.stdout
    assert "0 unknown" in result.stdout
    assert "app/db.py:7:47: pass CFG405 DB_POOL_TIMEOUT is set in staging" in result.stdout
    alone = run_cli(["check", "app/db.py"])
    assert "1 unknown" in alone.stdout and "not among the scanned files" in alone.stdout


def test_an_env_value_fails_where_the_code_uses_it(project: Path) -> None:
    _write(project / ".env.staging", "DB_POOL_TIMEOUT=600\n")
    result = run_cli(["check", "--changed-only", ".env.staging"])
    assert result.code == 1
    # judged at the settings field the pool reads, because the value came from the changed env file
    assert "app/config.py:8:5: error CFG301 pool_timeout = 600 s exceeds the request timeout of 300 s (from DB_POOL_TIMEOUT at .env.staging:1" in result.stdout
    assert ".env.staging:1:1: error CFG220" in result.stdout


def test_a_module_call_alone_does_not_make_a_finding_the_callers(project: Path) -> None:
    _write(project / "modules/connector/main.tf",
           (project / "modules/connector/main.tf").read_text().replace("max_instances = var.max_instances", "max_instances = 40"))
    # the caller changed, the module did not: the module's own finding is not the caller's
    result = run_cli(["check", "--changed-only", "stacks/staging/main.tf"])
    assert result.code == 0, result.stdout


def test_an_argument_changed_in_the_caller_fails_in_the_module(project: Path) -> None:
    caller = project / "stacks/staging/main.tf"
    caller.write_text(caller.read_text().replace("max_instances = 8", "max_instances = 100"))
    result = run_cli(["check", "--changed-only", "stacks/staging/main.tf"])
    assert result.code == 1
    assert ("modules/connector/main.tf:13:3: error CFG113 module.connector.google_vpc_access_connector.this: max_instances = 100 "
            "is outside the allowed range 3..10 (from module.connector argument max_instances at stacks/staging/main.tf:3") in result.stdout


def test_a_changed_var_file_of_its_own_directory_is_judged_on_every_root_module(project: Path) -> None:
    _write(project / "envs/prod.tfvars", "connector_max = 100\n")
    result = run_cli(["check", "--changed-only", "--var-file", "envs/prod.tfvars", "envs/prod.tfvars"])
    assert result.code == 1
    assert "infra/main.tf:8:3: error CFG113 max_instances = 100" in result.stdout and "set at envs/prod.tfvars:1" in result.stdout


def _rules_and_options(as_of: str = "2025-09-19"):
    import datetime as dt

    from cfgate.config import load_settings
    from cfgate.engine import RunOptions
    from cfgate.rules.registry import build_catalog

    settings, _ = load_settings()
    options = RunOptions(paths=(".",), as_of=dt.date.fromisoformat(as_of), env_layers=settings.env_layers)
    return build_catalog(None).active((), ()), options


def test_the_hook_agrees_with_a_full_run_on_every_changed_file(project: Path) -> None:
    """For each file, the hook's evaluations are exactly the full run's evaluations that concern it."""
    from dataclasses import replace

    from cfgate.changed import restrict, run_changed
    from cfgate.engine import run

    _write(project / "infra/terraform.tfvars", "connector_max = 100\n")
    _write(project / ".env.staging", "DB_POOL_TIMEOUT=600\n" + EXPIRED_FLAG)
    rules, options = _rules_and_options()
    full = run(options, rules)
    files = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file() and p.name != "cfgate.toml")
    assert len(files) == 11
    for file in files:
        expected = restrict(full, [file])
        actual = run_changed(replace(options, paths=(file,)), rules)
        assert actual.evaluations == expected.evaluations, file
        assert actual.files == (file,)


def test_the_hook_never_touches_the_network(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the pre-commit hook opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    _write(project / ".env", "DATABASE_URL=postgresql://db.internal/app\nREDIS_URL=redis://cache.internal:6379/0\n")
    result = run_cli(["check", "--changed-only", ".env", ".env.staging", "app/db.py", "infra/main.tf", "stacks/staging/main.tf"])
    assert result.code == 0, result.stdout + result.stderr


# --- the real pre-commit tool --------------------------------------------------------------------


def _isolated_env(home: Path) -> dict[str, str]:
    """This process's environment without git or pre-commit state leaking in (a test run from a hook)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, PRE_COMMIT_HOME=str(home / "pre-commit-home"),
               GIT_AUTHOR_NAME="cfgate test", GIT_COMMITTER_NAME="cfgate test",
               GIT_AUTHOR_EMAIL="test@cfgate.invalid", GIT_COMMITTER_EMAIL="test@cfgate.invalid")
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout, check=False)


def _git_repo(path: Path, env: dict[str, str]) -> None:
    """``path`` as a git repository with everything in it committed (hooks skipped)."""
    for args in (["init", "-q", "-b", "main"], ["config", "user.name", "cfgate test"], ["config", "user.email", "test@cfgate.invalid"],
                 ["config", "commit.gpgsign", "false"], ["add", "-A"], ["commit", "-q", "--no-verify", "-m", "baseline"]):
        done = _run(["git", *args], path, env)
        assert done.returncode == 0, done.stdout


def _local_hook_config() -> str:
    """A ``repo: local`` config with our manifest's hook, run by this interpreter's cfgate (no virtualenv)."""
    hook = dict(_hook())
    words = shlex.split(hook["entry"])
    assert words[0] == "cfgate"
    hook["entry"] = " ".join([shlex.quote(sys.executable), "-m", "cfgate", *map(shlex.quote, words[1:])])
    hook["language"] = "system"
    hook.pop("minimum_pre_commit_version", None)
    return json.dumps({"repos": [{"repo": "local", "hooks": [hook]}]}, indent=2)  # JSON is YAML


class HookedRepo:
    """The project as a git repository with our hook installed by the real pre-commit."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root, self.env = root, env

    def init(self) -> None:
        """Commit the project as it is now (the baseline, hooks skipped), then install the hook."""
        _write(self.root / ".pre-commit-config.yaml", _local_hook_config())
        _git_repo(self.root, self.env)
        installed = _run([sys.executable, "-m", "pre_commit", "install"], self.root, self.env)
        assert installed.returncode == 0, installed.stdout

    def commit(self, *paths: str) -> tuple[int, str]:
        """Stage ``paths`` and ``git commit``: the exit code and everything printed, the hook's report included."""
        added = _run(["git", "add", "--", *paths], self.root, self.env)
        assert added.returncode == 0, added.stdout
        done = _run(["git", "commit", "-m", "change"], self.root, self.env)
        return done.returncode, done.stdout

    def head(self) -> str:
        return _run(["git", "log", "-1", "--format=%s"], self.root, self.env).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, project: Path) -> HookedRepo:
    need("git", "the pre-commit tests make a git repository")
    need_module("pre_commit", "'.[test]'")
    return HookedRepo(project, _isolated_env(tmp_path))


def test_committing_an_expired_bypass_flag_is_blocked(repo: HookedRepo) -> None:
    repo.init()
    _write(repo.root / ".env.staging", "DB_POOL_TIMEOUT=20\n" + EXPIRED_FLAG)
    code, output = repo.commit(".env.staging")
    assert code != 0, output
    assert "cfgate" in output and "Failed" in output
    assert ".env.staging:2:1: error CFG210 bypass flag SKIP_CAPACITY_CHECKS=true expired on 2020-01-01" in output
    assert repo.head() == "baseline"


def test_committing_a_600_second_timeout_is_blocked(repo: HookedRepo) -> None:
    repo.init()
    _write(repo.root / ".env", "DATABASE_URL=postgresql://db.internal/app\nDATABASE_TIMEOUT=600\n")
    code, output = repo.commit(".env")
    assert code != 0, output
    assert ".env:2:1: error CFG220 DATABASE_TIMEOUT = 600 s exceeds the request timeout of 300 s" in output
    assert repo.head() == "baseline"


@pytest.mark.parametrize(("value", "blocked"), [(100, True), (8, False)])
def test_committing_a_tf_is_judged_with_the_untouched_siblings_value(repo: HookedRepo, value: int, blocked: bool) -> None:
    # the sibling's value is in the baseline; the commit touches main.tf only. The sibling old-connector.tf
    # holds a finding from before, read for context, never the commit's business.
    _write(repo.root / "infra/terraform.tfvars", f"connector_max = {value}\n")
    repo.init()
    main = repo.root / "infra/main.tf"
    main.write_text(main.read_text().replace('"staging-connector"', '"staging-connector-2"'))
    code, output = repo.commit("infra/main.tf")
    assert "old-connector.tf" not in output
    if blocked:
        assert code != 0, output
        assert "infra/main.tf:8:3: error CFG113 max_instances = 100 is outside the allowed range 3..10 " \
               "(from var.connector_max set at infra/terraform.tfvars:1)" in output
        assert repo.head() == "baseline"
    else:
        assert code == 0, output
        assert "Passed" in output
        assert repo.head() == "change"


_NOT_SOURCE = shutil.ignore_patterns(".git", "__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".venv",
                                     "venv", "build", "dist", "*.egg-info", ".benchmarks", ".cfgate-cache")


def _snapshot(dest: Path, env: dict[str, str]) -> Path:
    """This checkout as it is now, committed or not, as a fresh git repository: what a user's ``rev`` names."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    if listed.returncode == 0:
        for name in filter(None, listed.stdout.decode("utf-8", "surrogateescape").split("\0")):
            if (ROOT / name).is_file():  # a tracked file deleted in the work tree is not part of it
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, dest / name)
    else:  # not a git checkout (an unpacked sdist): everything but caches and build output
        shutil.copytree(ROOT, dest, ignore=_NOT_SOURCE)
    _git_repo(dest, env)
    return dest


def test_try_repo_runs_our_manifest_as_published(tmp_path: Path, project: Path) -> None:
    """``pre-commit try-repo`` builds the hook's virtualenv from our manifest and pip-installs cfgate into it."""
    need("git", "the pre-commit tests make a git repository")
    need_module("pre_commit", "'.[test]'")
    env = _isolated_env(tmp_path)
    source = _snapshot(tmp_path / "cfgate-src", env)
    _write(project / "infra/terraform.tfvars", "connector_max = 100\n")  # the untouched sibling
    _git_repo(project, env)
    # the change: a bad env file, and a .tf whose variable lives in the untouched terraform.tfvars
    _write(project / ".env.staging", "DB_POOL_TIMEOUT=600\n" + EXPIRED_FLAG)
    main = project / "infra/main.tf"
    main.write_text(main.read_text().replace('"staging-connector"', '"staging-connector-2"'))
    _write(project / "notes.md", "not configuration: the manifest's `files` keeps it from the hook\n")
    done = _run([sys.executable, "-m", "pre_commit", "try-repo", str(source), "cfgate", "--verbose",
                 "--files", ".env.staging", "infra/main.tf", "notes.md"], project, env, timeout=600)
    output = done.stdout
    assert done.returncode == 1, output
    assert "- hook id: cfgate" in output and "- exit code: 1" in output
    assert ".env.staging:1:1: error CFG220 DB_POOL_TIMEOUT = 600 s exceeds the request timeout of 300 s" in output
    assert ".env.staging:2:1: error CFG210 bypass flag SKIP_CAPACITY_CHECKS=true expired on 2020-01-01" in output
    # the env value judged where the code reads it (read for context, reported because the value is the change's)
    assert "app/config.py:8:5: error CFG301 pool_timeout = 600 s" in output
    assert ("infra/main.tf:8:3: error CFG113 max_instances = 100 is outside the allowed range 3..10 "
            "(from var.connector_max set at infra/terraform.tfvars:1)") in output
    assert "old-connector.tf" not in output  # a sibling's finding from before is not the change's
    assert re.search(r"\d+ errors, 0 warnings, 0 unknown, \d+ passed in 2 files", output), output
