#!/usr/bin/env python3
"""ippo device agent: collects read-only posture evidence and sends it to your ippo server.

Standard library only, Python 3.8 or later, Windows / macOS / Linux.

What it does, and what it never does:
- It runs a FIXED list of read-only commands (COMMANDS below) and reads a fixed list of files (FILES).
  Nothing the server sends can add a command or an argument: the server only receives.
- No shell: every command is an argument list passed to subprocess without shell=True.
- Each command has a timeout, and its output is cut at MAX_OUTPUT bytes; the whole report at MAX_REPORT.
- It sends the raw output; the server reads it and decides pass / fail, so the rules can change without
  installing a new agent.

Usage:
  ippo_agent.py --enrol CODE --server https://ippo.example.jp   # once, as administrator / root
  ippo_agent.py                                                 # each run (scheduled)
  ippo_agent.py --dry-run                                       # print what would be sent
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

AGENT_VERSION = "1.0.0"
MAX_OUTPUT = 8 * 1024  # bytes kept per command or file
MAX_REPORT = 128 * 1024  # bytes per report; the server refuses more
TIMEOUT_SECONDS = 30
HTTP_TIMEOUT_SECONDS = 30

_PS = ["powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command"]
_UTF8 = "[Console]::OutputEncoding=[Text.Encoding]::UTF8; "

# The allowlist. key -> argument list. Every entry only reads.
COMMANDS = {
    "windows": {
        "os": _PS + [_UTF8 + "Get-CimInstance Win32_OperatingSystem | Select-Object Caption,Version,BuildNumber,"
                     "OperatingSystemSKU,ProductType | ConvertTo-Json -Compress"],
        "os_display_version": ["reg", "query", r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion",
                               "/v", "DisplayVersion"],
        "bitlocker": _PS + [_UTF8 + "Get-BitLockerVolume -MountPoint $env:SystemDrive | Select-Object MountPoint,"
                            "VolumeStatus,ProtectionStatus,EncryptionPercentage | ConvertTo-Json -Compress"],
        "manage_bde": ["manage-bde", "-status", "C:"],
        "defender": _PS + [_UTF8 + "Get-MpComputerStatus | Select-Object AMServiceEnabled,AntivirusEnabled,"
                           "RealTimeProtectionEnabled,AntivirusSignatureLastUpdated | ConvertTo-Json -Compress"],
        "av_products": _PS + [_UTF8 + "Get-CimInstance -Namespace root/SecurityCenter2 -ClassName AntiVirusProduct"
                              " | Select-Object displayName,productState | ConvertTo-Json -Compress"],
        "firewall_profiles": _PS + [_UTF8 + "Get-NetFirewallProfile | Select-Object Name,Enabled"
                                    " | ConvertTo-Json -Compress"],
        "firewall_netsh": ["netsh", "advfirewall", "show", "allprofiles", "state"],
        "wu_policy": ["reg", "query", r"HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU"],
        "wu_service": ["sc", "qc", "wuauserv"],
        "lock_policy": ["reg", "query", r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System",
                        "/v", "InactivityTimeoutSecs"],
        "screensaver": ["reg", "query", r"HKCU\Control Panel\Desktop"],
        "screensaver_policy": ["reg", "query", r"HKCU\Software\Policies\Microsoft\Windows\Control Panel\Desktop"],
        "display_off": ["powercfg", "/query", "SCHEME_CURRENT", "SUB_VIDEO", "VIDEOIDLE"],
        "console_lock": ["powercfg", "/query", "SCHEME_CURRENT", "SUB_NONE", "CONSOLELOCK"],
    },
    "macos": {
        "sw_vers": ["sw_vers"],
        "fdesetup": ["fdesetup", "status"],
        "softwareupdate_schedule": ["softwareupdate", "--schedule"],
        "softwareupdate_prefs": ["defaults", "read", "/Library/Preferences/com.apple.SoftwareUpdate"],
        "firewall": ["/usr/libexec/ApplicationFirewall/socketfilterfw", "--getglobalstate"],
        "screen_lock": ["sysadminctl", "-screenLock", "status"],
        "system_extensions": ["systemextensionsctl", "list"],
    },
    "linux": {
        "lsblk": ["lsblk", "-J", "-o", "NAME,TYPE,FSTYPE,MOUNTPOINT"],
        "update_units": ["systemctl", "is-enabled", "unattended-upgrades.service", "apt-daily-upgrade.timer",
                         "dnf-automatic.timer", "dnf-automatic-install.timer"],
        "firewall_units": ["systemctl", "is-active", "ufw.service", "firewalld.service", "nftables.service"],
        "ufw": ["ufw", "status"],
        "firewalld": ["firewall-cmd", "--state"],
        "nft": ["nft", "list", "ruleset"],
        "lock_enabled": ["gsettings", "get", "org.gnome.desktop.screensaver", "lock-enabled"],
        "idle_delay": ["gsettings", "get", "org.gnome.desktop.session", "idle-delay"],
        "services": ["systemctl", "list-units", "--type=service", "--state=running", "--no-legend", "--plain",
                     "--no-pager"],
    },
}

# Files read as text (only their first MAX_OUTPUT bytes) or only tested for existence ("exists:").
FILES = {
    "windows": {},
    "macos": {
        "xprotect": "exists:/Library/Apple/System/Library/CoreServices/XProtect.bundle",
    },
    "linux": {
        "os_release": "/etc/os-release",
        "apt_auto_upgrades": "/etc/apt/apt.conf.d/20auto-upgrades",
        "dnf_automatic": "/etc/dnf/automatic.conf",
        "crypttab": "/etc/crypttab",
    },
}


def platform_name(system: str | None = None) -> str:
    system = (system or platform.system()).lower()
    if system.startswith("win"):
        return "windows"
    if system == "darwin":
        return "macos"
    return "linux"


def _decode(data: bytes) -> str:
    """Command output as text: UTF-8, else the console's code page (cp932 on Japanese Windows)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for encoding in ("oem", "cp932", "mbcs"):
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


def _bounded_read(stream, limit: int, sink: list) -> None:
    """Read at most `limit` + 1 bytes (the extra byte tells us it was cut), then drain and discard."""
    kept = 0
    while True:
        chunk = stream.read(4096)
        if not chunk:
            break
        if kept <= limit:
            sink.append(chunk[: limit + 1 - kept])
            kept += len(sink[-1])


def run_command(os_key: str, key: str, *, timeout: float = TIMEOUT_SECONDS, limit: int = MAX_OUTPUT,
                runner=None) -> dict:
    """Run one allowlisted command by its key. Unknown keys raise KeyError: there is no other way in."""
    argv = list(COMMANDS[os_key][key])
    result = {"kind": "command", "cmd": " ".join(argv)[:300],
              "rc": None, "output": "", "truncated": False, "error": ""}
    extra = {"creationflags": 0x08000000} if os.name == "nt" and runner is None else {}  # CREATE_NO_WINDOW
    try:
        proc = (runner or subprocess.Popen)(
            argv, shell=False, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **extra
        )
    except FileNotFoundError:
        result["error"] = "not_found"
        return result
    except OSError as exc:
        result["error"] = f"oserror:{exc.errno}"
        return result
    chunks: list = []
    reader = threading.Thread(target=_bounded_read, args=(proc.stdout, limit, chunks), daemon=True)
    reader.start()
    reader.join(timeout)
    if reader.is_alive():
        proc.kill()
        reader.join(5)
        result["error"] = "timeout"
    try:
        result["rc"] = proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
    data = b"".join(chunks)
    if len(data) > limit:
        data, result["truncated"] = data[:limit], True
    result["output"] = _decode(data)
    return result


def read_file(os_key: str, key: str, *, limit: int = MAX_OUTPUT) -> dict:
    spec = FILES[os_key][key]
    if spec.startswith("exists:"):
        path = spec[len("exists:"):]
        return {"kind": "exists", "path": path, "exists": os.path.exists(path)}
    result = {"kind": "file", "path": spec, "exists": False, "output": "", "truncated": False, "error": ""}
    try:
        with open(spec, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        return result
    except OSError as exc:
        result["error"] = f"oserror:{exc.errno}"
        return result
    result["exists"] = True
    if len(data) > limit:
        data, result["truncated"] = data[:limit], True
    result["output"] = _decode(data)
    return result


def collect(os_key: str | None = None, *, runner=None) -> dict:
    """Everything for one report: the platform, the host name and each allowlisted item's raw output."""
    os_key = os_key or platform_name()
    evidence = {}
    for key in COMMANDS[os_key]:
        evidence[key] = run_command(os_key, key, runner=runner)
    for key in FILES[os_key]:
        evidence[key] = read_file(os_key, key)
    return {
        "agent_version": AGENT_VERSION,
        "platform": os_key,
        "hostname": socket.gethostname()[:200],
        "collected_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),  # noqa: UP017
        "evidence": evidence,
    }


def bound_report(report: dict, limit: int = MAX_REPORT) -> bytes:
    """The report as JSON, with the longest outputs shortened until it fits in `limit` bytes."""
    body = json.dumps(report, ensure_ascii=False).encode("utf-8")
    while len(body) > limit:
        items = [v for v in report["evidence"].values() if v.get("output")]
        if not items:
            raise ValueError("report too large")
        longest = max(items, key=lambda v: len(v["output"]))
        longest["output"] = longest["output"][: len(longest["output"]) // 2]
        longest["truncated"] = True
        body = json.dumps(report, ensure_ascii=False).encode("utf-8")
    return body


# --- Talking to the server ------------------------------------------------------------------------------------


def default_state_dir(os_key: str | None = None) -> str:
    os_key = os_key or platform_name()
    if os_key == "windows":
        return os.path.join(os.environ.get("ProgramData", r"C:\ProgramData"), "ippo-agent")
    if os_key == "macos":
        return "/Library/Application Support/ippo-agent"
    return "/var/lib/ippo-agent"


def check_server_url(url: str) -> str:
    """HTTPS only, except plain HTTP to this machine (for trying the agent out against a local server)."""
    parts = urllib.parse.urlsplit(url.strip())
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise ValueError("the server address must start with https://")
    if not parts.hostname:
        raise ValueError("the server address has no host name")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def write_state(state_dir: str, state: dict) -> str:
    """Save the server address and the device token, readable by the owner only (0600)."""
    os.makedirs(state_dir, mode=0o700, exist_ok=True)
    path = os.path.join(state_dir, "agent.json")
    tmp = path + ".tmp"
    if os.path.exists(tmp):
        os.remove(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(state, fh)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def read_state(state_dir: str) -> dict:
    with open(os.path.join(state_dir, "agent.json"), encoding="utf-8") as fh:
        return json.load(fh)


def _post(url: str, body: bytes, token: str = "") -> dict:
    headers = {"Content-Type": "application/json", "User-Agent": f"ippo-agent/{AGENT_VERSION}"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    # The URL was checked by check_server_url: https, or http to this machine only.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
        return json.loads(response.read(64 * 1024).decode("utf-8") or "{}")


def enrol(*, server: str, code: str, state_dir: str, os_key: str | None = None) -> dict:
    server = check_server_url(server)
    os_key = os_key or platform_name()
    body = json.dumps({"code": code.strip(), "hostname": socket.gethostname()[:200], "platform": os_key,
                       "agent_version": AGENT_VERSION}).encode("utf-8")
    answer = _post(f"{server}/agent/enrol", body)
    state = {"server": server, "device_id": answer["device_id"], "token": answer["token"]}
    write_state(state_dir, state)
    return state


def send(*, state_dir: str, report: dict) -> dict:
    state = read_state(state_dir)
    server = check_server_url(state["server"])
    return _post(f"{server}/agent/report", bound_report(report), token=state["token"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="ippo device agent (read-only posture checks)")
    parser.add_argument("--enrol", metavar="CODE", help="the one-time enrolment code from the Devices page")
    parser.add_argument("--server", metavar="URL", help="your ippo address, e.g. https://ippo.example.jp")
    parser.add_argument("--state-dir", default=None, help="where the device token is kept")
    parser.add_argument("--dry-run", action="store_true", help="print the report instead of sending it")
    args = parser.parse_args(argv)
    state_dir = args.state_dir or default_state_dir()
    try:
        if args.enrol:
            if not args.server:
                parser.error("--enrol needs --server")
            state = enrol(server=args.server, code=args.enrol, state_dir=state_dir)
            print(f"enrolled as device {state['device_id']}; token saved in {state_dir}")
        report = collect()
        if args.dry_run:
            print(bound_report(report).decode("utf-8"))
            return 0
        answer = send(state_dir=state_dir, report=report)
        print(answer.get("message", "sent"))
        return 0
    except urllib.error.HTTPError as exc:
        hints = {
            401: "this device's key is no longer accepted: enrol it again with a new code",
            404: "the code is unknown, already used or expired: make a new one on the Devices page",
            413: "the report was too large",
            429: "too many attempts: try again in a minute",
        }
        print(f"the server answered {exc.code}: {hints.get(exc.code, 'see the server log')}", file=sys.stderr)
        return 2
    except (urllib.error.URLError, OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
