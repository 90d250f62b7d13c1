"""The stdlib agent (agent/ippo_agent.py): fixed allowlist, no shell, bounded output, 0600 token file,
and a full enrol → report round trip against the real endpoints on a loopback live server."""

from __future__ import annotations

import ast
import importlib.util
import io
import json
import os
import stat
import sys
from pathlib import Path

import pytest

AGENT_PATH = Path(__file__).resolve().parents[3] / "agent" / "ippo_agent.py"


@pytest.fixture(scope="module")
def agent():
    spec = importlib.util.spec_from_file_location("ippo_agent", AGENT_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeProcess:
    def __init__(self, output: bytes):
        self.stdout = io.BytesIO(output)

    def wait(self, timeout=None):
        return 0

    def kill(self):
        pass


def test_the_agent_imports_only_the_standard_library():
    tree = ast.parse(AGENT_PATH.read_text(encoding="utf-8"))
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert names - {"__future__"} <= set(sys.stdlib_module_names)


def test_the_agent_never_uses_a_shell():
    tree = ast.parse(AGENT_PATH.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "shell":
            assert isinstance(node.value, ast.Constant) and node.value.value is False
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            assert (node.value.id, node.attr) not in {
                ("os", "system"),
                ("os", "popen"),
                ("subprocess", "getoutput"),
                ("subprocess", "getstatusoutput"),
            }, node.attr


def test_every_allowlisted_command_is_a_fixed_argument_list(agent):
    for platform, commands in agent.COMMANDS.items():
        for key, argv in commands.items():
            assert isinstance(argv, list) and all(isinstance(a, str) for a in argv), (platform, key)
            assert not any(
                word in " ".join(argv)
                for word in ("Set-", "Remove-", "Enable-", "Disable-", " add ", " delete ")
            ), key


def test_unknown_commands_are_refused(agent):
    with pytest.raises(KeyError):
        agent.run_command("linux", "rm")
    with pytest.raises(KeyError):
        agent.run_command("windows", "format")


def test_commands_run_without_a_shell_and_with_their_fixed_arguments(agent):
    calls = []

    def runner(argv, **kwargs):
        calls.append((argv, kwargs))
        return FakeProcess(b"FileVault is On.\n")

    result = agent.run_command("macos", "fdesetup", runner=runner)
    assert result["output"] == "FileVault is On.\n" and result["rc"] == 0
    argv, kwargs = calls[0]
    assert argv == ["fdesetup", "status"] and kwargs["shell"] is False


def test_output_is_cut_at_the_limit(agent):
    result = agent.run_command(
        "linux", "lsblk", limit=1000, runner=lambda argv, **kw: FakeProcess(b"x" * 50_000)
    )
    assert len(result["output"]) == 1000 and result["truncated"] is True


def test_a_real_command_is_bounded_and_timed_out(agent, monkeypatch):
    monkeypatch.setitem(agent.COMMANDS["linux"], "test_flood", [sys.executable, "-c", "print('y' * 200000)"])
    monkeypatch.setitem(
        agent.COMMANDS["linux"], "test_slow", [sys.executable, "-c", "import time; time.sleep(30)"]
    )
    flood = agent.run_command("linux", "test_flood", limit=4096)
    assert len(flood["output"]) == 4096 and flood["truncated"]
    slow = agent.run_command("linux", "test_slow", timeout=0.5)
    assert slow["error"] == "timeout"


def test_a_missing_program_is_recorded_not_raised(agent, monkeypatch):
    monkeypatch.setitem(agent.COMMANDS["linux"], "test_missing", ["ippo-no-such-program-xyz"])
    assert agent.run_command("linux", "test_missing")["error"] == "not_found"


def test_japanese_console_output_is_decoded(agent):
    cp932 = "保護状態: 保護はオンです".encode("cp932")
    assert agent._decode(cp932) == "保護状態: 保護はオンです"


def test_the_report_is_shrunk_to_fit(agent):
    report = {"evidence": {"a": {"output": "a" * 200_000}, "b": {"output": "short"}}}
    body = agent.bound_report(report, limit=50_000)
    assert len(body) <= 50_000
    assert json.loads(body)["evidence"]["b"]["output"] == "short"
    assert json.loads(body)["evidence"]["a"]["truncated"] is True


def test_only_https_or_this_machine(agent):
    assert agent.check_server_url("https://ippo.example.jp/") == "https://ippo.example.jp"
    assert agent.check_server_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    for bad in ("http://ippo.example.jp", "ftp://x", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            agent.check_server_url(bad)


def test_the_token_file_is_private(agent, tmp_path):
    path = agent.write_state(str(tmp_path / "state"), {"token": "t"})
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    agent.write_state(str(tmp_path / "state"), {"token": "t2"})
    assert agent.read_state(str(tmp_path / "state"))["token"] == "t2"


def test_collect_reads_files_and_runs_each_allowlisted_command_once(agent):
    seen = []

    def runner(argv, **kwargs):
        seen.append(argv)
        return FakeProcess(b"")

    report = agent.collect("linux", runner=runner)
    assert len(seen) == len(agent.COMMANDS["linux"])
    assert set(report["evidence"]) == set(agent.COMMANDS["linux"]) | set(agent.FILES["linux"])
    assert report["platform"] == "linux" and report["agent_version"] == agent.AGENT_VERSION


@pytest.mark.django_db(transaction=True)
def test_enrol_and_report_round_trip(agent, live_server, personas, tmp_path, unscoped):
    from ippo.devices import samples, services
    from ippo.devices.models import Device

    with unscoped():
        _row, code = services.enrolment_code_create(org=personas.org, actor=personas.manager, label="PC-1")
    wrong = agent.main(["--enrol", "not-the-code", "--server", live_server.url, "--state-dir", str(tmp_path)])
    assert wrong == 2 and not (tmp_path / "agent.json").exists()
    state = agent.enrol(server=live_server.url, code=code, state_dir=str(tmp_path), os_key="windows")
    report = {
        "agent_version": agent.AGENT_VERSION,
        "platform": "windows",
        "hostname": "pc-1",
        "collected_at": "2026-11-26T09:00:00+00:00",
        "evidence": samples.load("windows11_pro_en"),
    }
    answer = agent.send(state_dir=str(tmp_path), report=report)
    assert answer["results"]["disk_encryption"] == "pass"
    with unscoped():
        device = Device.objects.get(pk=state["device_id"])
    assert device.organization == personas.org and device.name == "PC-1" and device.last_seen_at
    assert device.token_hash == services.token_hash(state["token"])
