"""``cfgate run -- <command>``: check, probe, then the command, in real processes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from clirunner import run_cli
from stages.kit import FAST_POLICY, cfgate

LOOPBACK = "127.0.0.1"
FAST = ["--policy", str(FAST_POLICY)]
EXIT_3 = [sys.executable, "-c", "import sys; print('command ran'); sys.exit(3)"]
TOUCH = [sys.executable, "-c", "open('ran.marker', 'w').close()"]


def test_after_a_passing_gate_cfgate_exits_with_the_commands_code(project: Callable[..., Path], http_port: int) -> None:
    root = project({".env": f"API_URL=http://{LOOPBACK}:{http_port}/health\n"})
    done = cfgate(["run", *FAST, "--", *EXIT_3], root)
    assert done.returncode == 3, done.stderr
    assert done.stdout.startswith("command ran\n")  # the command's output streams through untouched
    assert "probes   passed" in done.stderr and "command  exit 3" in done.stderr
    assert "exit code 3 (the command's)" in done.stderr


def test_a_failing_probe_keeps_the_command_from_running(project: Callable[..., Path], closed_port: int) -> None:
    root = project({".env": f"REDIS_URL=redis://{LOOPBACK}:{closed_port}/0\n"})
    done = cfgate(["run", *FAST, "--", *TOUCH], root)
    assert done.returncode == 1
    assert not (root / "ran.marker").exists()
    assert "CFG901" in done.stdout and "command  skipped" in done.stderr and "(the gate's)" in done.stderr


def test_a_failing_static_check_skips_the_probes_and_the_command(project: Callable[..., Path], closed_port: int) -> None:
    root = project({".env": f"REDIS_URL=redis://{LOOPBACK}:{closed_port}/0\nREDIS_TIMEOUT=600\n"})
    result = run_cli(["run", *FAST, "--format", "json", "--", *TOUCH])
    assert result.code == 1 and not (root / "ran.marker").exists()
    doc = json.loads(result.stdout)
    assert [f["rule"] for f in doc["findings"]] == ["CFG220"]
    stages = {s["stage"]: s for s in doc["run"]["stages"]}
    assert stages["check"]["verdict"] == "failed"
    assert (stages["probes"]["verdict"], stages["probes"]["note"]) == ("skipped", "the static check failed")
    assert stages["command"]["verdict"] == "skipped" and doc["run"]["exit_code"] == 1


def test_a_valid_bypass_lets_the_command_run(project: Callable[..., Path], closed_port: int) -> None:
    root = project({".env": (f"REDIS_URL=redis://{LOOPBACK}:{closed_port}/0\n"
                             "EMERGENCY_DEVELOPMENT_MODE=true  # expires: 2025-09-18\n")})
    result = run_cli(["run", *FAST, "--as-of", "2025-09-16", "--format", "json", "--", *TOUCH])
    assert result.code == 0 and (root / "ran.marker").exists()
    doc = json.loads(result.stdout)
    assert doc["run"]["stages"][1]["verdict"] == "bypassed"
    assert doc["findings"][0]["severity"] == "warning"
    (root / "ran.marker").unlink()
    expired = run_cli(["run", *FAST, "--as-of", "2025-09-19", "--", *TOUCH])
    assert expired.code == 1 and not (root / "ran.marker").exists()


def test_the_command_sees_the_env_layer(project: Callable[..., Path]) -> None:
    root = project({
        "cfgate.toml": 'env_layers = {staging = [".env", ".env.staging"]}\n',
        ".env": "APP_MODE=base\nSHARED=${APP_MODE}-x\n",
        ".env.staging": "APP_MODE=staging\n",
    })
    show = [sys.executable, "-c", "import os; print(os.environ['APP_MODE'], os.environ['SHARED'], os.environ['FROM_PROCESS'])"]
    done = cfgate(["run", *FAST, "--", *show], root, env={"APP_MODE": "from-process", "FROM_PROCESS": "kept"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("staging base-x kept\n")  # the layer wins over the process environment
    assert "with env layer staging" in done.stderr


def test_skip_probes_is_recorded_in_the_summary(project: Callable[..., Path], closed_port: int) -> None:
    root = project({".env": f"REDIS_URL=redis://{LOOPBACK}:{closed_port}/0\n"})
    result = run_cli(["run", *FAST, "--skip-probes", "--output", "report.json", "--format", "json", "--", *TOUCH])
    assert result.code == 0 and (root / "ran.marker").exists()
    run = json.loads((root / "report.json").read_text())["run"]
    assert run["skip_probes"] is True
    assert [(s["stage"], s["verdict"]) for s in run["stages"]] == [("check", "passed"), ("probes", "skipped"), ("command", "passed")]
    assert run["stages"][1]["note"] == "--skip-probes" and run["stages"][2]["exit_code"] == 0
    assert all(s["duration_s"] >= 0 for s in run["stages"])


def test_a_missing_command_is_127_and_no_command_is_a_usage_error(project: Callable[..., Path]) -> None:
    project({".env": "A=1\n"})
    missing = run_cli(["run", *FAST, "--skip-probes", "--", "cfgate-no-such-program-xyz"])
    assert missing.code == 127 and "command not found" in missing.stderr
    assert run_cli(["run", *FAST]).code == 2


def test_the_layer_cannot_swap_the_program(project: Callable[..., Path]) -> None:
    root = project({".env": "PATH=./bin\n", "bin/python3": "#!/bin/sh\necho from-the-repo\n"})
    (root / "bin" / "python3").chmod(0o755)
    done = cfgate(["run", *FAST, "--skip-probes", "--", "python3", "-c", "print('real python')"], root)
    assert done.returncode == 0 and done.stdout.startswith("real python\n")
