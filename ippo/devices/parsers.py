"""Raw agent output → facts. Pure functions: no database, no clock, no I/O.

Each parser takes the `evidence` dict the agent sent (key → {"output", "rc", "error", ...}) and returns a
small facts dict. Windows output may be localised (Japanese Windows prints 「保護はオンです」, 「オン」 …), so
structured sources (PowerShell ConvertTo-Json) are read first and text is matched in English and Japanese.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

MAX_RAW_PER_ITEM = 8 * 1024


def text(evidence: dict, key: str) -> str:
    item = evidence.get(key) or {}
    value = item.get("output") if isinstance(item, dict) else None
    return value[:MAX_RAW_PER_ITEM] if isinstance(value, str) else ""


def failed(evidence: dict, key: str) -> bool:
    """The command did not run, or ran and printed an error ('not recognized' / '認識されません')."""
    item = evidence.get(key) or {}
    if not isinstance(item, dict) or item.get("error"):
        return True
    out = text(evidence, key)
    return bool(re.search(r"is not recognized|not recognised|認識されません|CommandNotFoundException", out))


def _json(evidence: dict, key: str):
    raw = text(evidence, key).strip().lstrip("\ufeff")
    if not raw or raw[0] not in "[{":
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _truthy(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value == 1
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("true", "1", "on", "yes", "オン", "有効"):
            return True
        if v in ("false", "0", "off", "no", "オフ", "無効"):
            return False
    return None


def ps_datetime(value) -> datetime | None:
    """PowerShell 5.1 writes dates as "/Date(1732600000000)/"; PowerShell 7 as ISO 8601."""
    if not isinstance(value, str):
        return None
    m = re.search(r"/Date\((-?\d+)", value)
    if m:
        return datetime.fromtimestamp(int(m.group(1)) / 1000, tz=UTC)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def reg_values(output: str) -> dict[str, str]:
    """`reg query` lines ("    Name    REG_DWORD    0x1") → {"Name": "0x1"}."""
    values = {}
    for line in output.splitlines():
        m = re.match(r"^\s+(\S+)\s+REG_\w+\s+(.*?)\s*$", line)
        if m:
            values[m.group(1)] = m.group(2)
    return values


def reg_int(values: dict, name: str) -> int | None:
    raw = values.get(name)
    if raw is None:
        return None
    try:
        return int(raw, 16) if raw.lower().startswith("0x") else int(raw)
    except ValueError:
        return None


# --- Windows ------------------------------------------------------------------------------------------------

HOME_SKUS = {98, 99, 100, 101}  # Windows 10/11 Home (Core) editions
ENTERPRISE_SKUS = {4, 27, 28, 70, 72, 121, 122, 125, 126}  # Enterprise, Education, LTSC: longer support


def windows_os(evidence: dict) -> dict:
    data = _json(evidence, "os") or {}
    if isinstance(data, list):
        data = data[0] if data else {}
    caption = str(data.get("Caption") or "").strip()
    build = None
    for source in (str(data.get("BuildNumber") or ""), str(data.get("Version") or "").rsplit(".", 1)[-1]):
        if source.isdigit():
            build = int(source)
            break
    sku = data.get("OperatingSystemSKU")
    sku = sku if isinstance(sku, int) else None
    display = reg_values(text(evidence, "os_display_version")).get("DisplayVersion", "")
    return {
        "caption": caption,
        "build": build,
        "sku": sku,
        "display_version": display,
        "is_home": sku in HOME_SKUS or bool(re.search(r"\bHome\b|ホーム", caption)),
        "is_enterprise": sku in ENTERPRISE_SKUS or bool(re.search(r"Enterprise|Education", caption)),
        "is_server": data.get("ProductType") not in (None, 1) or "Server" in caption,
    }


_BDE_ON = re.compile(r"Protection On|保護はオンです|保護\s*オン")
_BDE_OFF = re.compile(r"Protection Off|保護はオフです|保護\s*オフ")
_BDE_DENIED = re.compile(r"access a required resource was denied|アクセスが拒否|管理者")
_BDE_PERCENT = re.compile(r"(?:Percentage Encrypted|暗号化された割合)\s*:\s*([\d.]+)")
_BDE_FULLY_DECRYPTED = re.compile(r"Fully Decrypted|完全に復号")


def windows_disk(evidence: dict) -> dict:
    """{"state": on|off|suspended|in_progress|denied|unavailable|unknown, "percent", "method"}"""
    data = _json(evidence, "bitlocker")
    if isinstance(data, list):
        data = data[0] if data else None
    if isinstance(data, dict) and "ProtectionStatus" in data:
        protection = data.get("ProtectionStatus")
        volume = data.get("VolumeStatus")
        percent = data.get("EncryptionPercentage")
        on = protection in (1, "On", "1")
        if on and volume in (1, "FullyEncrypted"):
            return {"state": "on", "percent": percent, "method": "Get-BitLockerVolume"}
        if volume in (2, "EncryptionInProgress"):
            return {"state": "in_progress", "percent": percent, "method": "Get-BitLockerVolume"}
        if on:
            return {"state": "on", "percent": percent, "method": "Get-BitLockerVolume"}
        if volume in (1, "FullyEncrypted"):
            return {"state": "suspended", "percent": percent, "method": "Get-BitLockerVolume"}
        return {"state": "off", "percent": percent, "method": "Get-BitLockerVolume"}
    out = text(evidence, "manage_bde")
    m = _BDE_PERCENT.search(out)
    percent = float(m.group(1)) if m else None
    if not failed(evidence, "manage_bde") or out:
        if _BDE_ON.search(out):
            return {"state": "on", "percent": percent, "method": "manage-bde"}
        if _BDE_OFF.search(out):
            if percent and percent >= 100 and not _BDE_FULLY_DECRYPTED.search(out):
                return {"state": "suspended", "percent": percent, "method": "manage-bde"}
            if percent and 0 < percent < 100:
                return {"state": "in_progress", "percent": percent, "method": "manage-bde"}
            return {"state": "off", "percent": percent, "method": "manage-bde"}
        if _BDE_DENIED.search(out):
            return {"state": "denied", "percent": None, "method": "manage-bde"}
    if failed(evidence, "bitlocker") and failed(evidence, "manage_bde"):
        return {"state": "unavailable", "percent": None, "method": ""}
    return {"state": "unknown", "percent": None, "method": ""}


_NETSH_STATE = re.compile(r"^\s*(?:State|状態)\s+(\S+)", re.MULTILINE)
_NETSH_HEADING = re.compile(r"^(.+?)\s*(?:Settings|設定)\s*:\s*$", re.MULTILINE)


def windows_firewall(evidence: dict) -> dict:
    """{"profiles": {name: bool}, "method"}"""
    profiles = {}
    for row in _as_list(_json(evidence, "firewall_profiles")):
        if isinstance(row, dict) and row.get("Name"):
            value = _truthy(row.get("Enabled"))
            if value is not None:
                profiles[str(row["Name"])] = value
    if profiles:
        return {"profiles": profiles, "method": "Get-NetFirewallProfile"}
    out = text(evidence, "firewall_netsh")
    headings = [(m.start(), m.group(1).strip()) for m in _NETSH_HEADING.finditer(out)]
    for m in _NETSH_STATE.finditer(out):
        name = next((h for pos, h in reversed(headings) if pos < m.start()), f"profile {len(profiles) + 1}")
        value = _truthy(m.group(1))
        if value is not None:
            profiles[name.replace(" Profile", "").replace(" プロファイル", "")] = value
    return {"profiles": profiles, "method": "netsh" if profiles else ""}


def windows_updates(evidence: dict) -> dict:
    """{"auto": True|False|None, "manual": bool}: Windows updates itself unless a policy or the service
    says otherwise."""
    policy = reg_values(text(evidence, "wu_policy"))
    service = text(evidence, "wu_service")
    m = re.search(r"START_TYPE\s*:\s*(\d)", service)
    if m and m.group(1) == "4":
        return {"auto": False, "manual": False, "why": "service_disabled"}
    if reg_int(policy, "NoAutoUpdate") == 1:
        return {"auto": False, "manual": False, "why": "policy_off"}
    options = reg_int(policy, "AUOptions")
    if options == 2:
        return {"auto": True, "manual": True, "why": "notify_only"}
    if not m and failed(evidence, "wu_service") and failed(evidence, "wu_policy") and not policy:
        return {"auto": None, "manual": False, "why": "no_data"}
    return {"auto": True, "manual": False, "why": "default" if not policy else "policy_on"}


def _powercfg_index(output: str) -> int | None:
    for line in output.splitlines():
        if re.search(r"\bAC\b", line) and ":" in line:
            m = re.search(r"0x([0-9a-fA-F]+)", line)
            if m:
                return int(m.group(1), 16)
    return None


def windows_screen_lock(evidence: dict) -> dict:
    """{"seconds": int|None, "explicit_off": bool, "sources": [...]}"""
    candidates, sources, seen_any = [], [], False
    policy = reg_int(reg_values(text(evidence, "lock_policy")), "InactivityTimeoutSecs")
    if policy is not None:
        seen_any = True
        if policy > 0:
            candidates.append(policy)
            sources.append("InactivityTimeoutSecs")
    for key in ("screensaver_policy", "screensaver"):
        values = reg_values(text(evidence, key))
        if not values:
            continue
        seen_any = True
        active = reg_int(values, "ScreenSaveActive")
        secure = reg_int(values, "ScreenSaverIsSecure")
        timeout = reg_int(values, "ScreenSaveTimeOut")
        if active != 0 and secure == 1 and timeout:
            candidates.append(timeout)
            sources.append(key)
    display = _powercfg_index(text(evidence, "display_off"))
    console = _powercfg_index(text(evidence, "console_lock"))
    if display is not None:
        seen_any = True
        if display > 0 and console == 1:
            candidates.append(display)
            sources.append("powercfg")
    if candidates:
        return {"seconds": min(candidates), "explicit_off": False, "sources": sources}
    return {"seconds": None, "explicit_off": seen_any, "sources": sources}


def av_product_state(state: int) -> tuple[bool, bool]:
    """Security Center's productState: (on, up to date)."""
    return ((state >> 8) & 0xFF) in (0x10, 0x11), (state & 0xFF) == 0x00


def windows_protection(evidence: dict) -> dict:
    products = []
    for row in _as_list(_json(evidence, "av_products")):
        if isinstance(row, dict) and isinstance(row.get("productState"), int):
            on, current = av_product_state(row["productState"])
            products.append({"name": str(row.get("displayName") or "?")[:100], "on": on, "current": current})
    defender = _json(evidence, "defender")
    if isinstance(defender, list):
        defender = defender[0] if defender else None
    facts = {"products": products, "defender_on": None, "signatures": None}
    if isinstance(defender, dict):
        facts["defender_on"] = bool(defender.get("AntivirusEnabled")) and bool(
            defender.get("RealTimeProtectionEnabled")
        )
        facts["signatures"] = ps_datetime(defender.get("AntivirusSignatureLastUpdated"))
    return facts


# --- macOS --------------------------------------------------------------------------------------------------


def macos_version(evidence: dict) -> dict:
    out = text(evidence, "sw_vers")
    m = re.search(r"ProductVersion:\s*([\d.]+)", out)
    version = m.group(1) if m else ""
    major = None
    if version:
        parts = version.split(".")
        major = int(parts[0]) if parts[0] != "10" or len(parts) < 2 else 10
    return {"version": version, "major": major}


def macos_disk(evidence: dict) -> dict:
    out = text(evidence, "fdesetup")
    if "FileVault is On" in out:
        return {"state": "on"}
    if "Encryption in progress" in out:
        return {"state": "in_progress"}
    if "FileVault is Off" in out or "Decryption in progress" in out:
        return {"state": "off"}
    return {"state": "unknown"}


def _defaults(output: str) -> dict[str, str]:
    return {
        m.group(1): m.group(2) for m in re.finditer(r"^\s*\"?(\w+)\"?\s*=\s*\"?([^\";]*)\"?;", output, re.M)
    }


def macos_updates(evidence: dict) -> dict:
    schedule = text(evidence, "softwareupdate_schedule").lower()
    prefs = _defaults(text(evidence, "softwareupdate_prefs"))
    check = None
    if re.search(r"(is|turned) on", schedule):
        check = True
    elif re.search(r"(is|turned) off", schedule):
        check = False
    if prefs.get("AutomaticCheckEnabled") == "0":
        check = False
    elif check is None and prefs.get("AutomaticCheckEnabled") == "1":
        check = True
    install = prefs.get("AutomaticallyInstallMacOSUpdates")
    return {
        "auto": check,
        "manual": check is True and install == "0",
        "security_responses": prefs.get("ConfigDataInstall") != "0",
    }


def macos_firewall(evidence: dict) -> dict:
    out = text(evidence, "firewall")
    m = re.search(r"State = (\d)", out)
    if m:
        return {"profiles": {"macOS": m.group(1) != "0"}, "method": "socketfilterfw"}
    if "enabled" in out:
        return {"profiles": {"macOS": True}, "method": "socketfilterfw"}
    if "disabled" in out:
        return {"profiles": {"macOS": False}, "method": "socketfilterfw"}
    return {"profiles": {}, "method": ""}


def macos_screen_lock(evidence: dict) -> dict:
    out = text(evidence, "screen_lock")
    if re.search(r"screenLock delay is immediate", out):
        return {"seconds": 0, "explicit_off": False, "sources": ["sysadminctl"]}
    m = re.search(r"screenLock delay is (\d+) seconds", out)
    if m:
        return {"seconds": int(m.group(1)), "explicit_off": False, "sources": ["sysadminctl"]}
    if re.search(r"screenLock is off", out):
        return {"seconds": None, "explicit_off": True, "sources": ["sysadminctl"]}
    return {"seconds": None, "explicit_off": False, "sources": []}


EDR_BUNDLES = {
    "com.crowdstrike": "CrowdStrike Falcon",
    "com.sentinelone": "SentinelOne",
    "com.microsoft.wdav": "Microsoft Defender for Endpoint",
    "com.sophos": "Sophos",
    "com.eset": "ESET",
    "com.trendmicro": "Trend Micro",
    "com.paloaltonetworks": "Cortex XDR",
    "com.jamf.protect": "Jamf Protect",
    "com.bitdefender": "Bitdefender",
    "com.kaspersky": "Kaspersky",
    "com.mcafee": "McAfee / Trellix",
    "com.symantec": "Symantec",
    "com.broadcom": "Symantec",
    "com.malwarebytes": "Malwarebytes",
}


def macos_protection(evidence: dict) -> dict:
    edr = []
    for line in text(evidence, "system_extensions").splitlines():
        if "activated enabled" not in line:
            continue
        for prefix, name in EDR_BUNDLES.items():
            if prefix in line and name not in edr:
                edr.append(name)
    xprotect = (evidence.get("xprotect") or {}).get("exists")
    return {"edr": edr, "xprotect": xprotect, "updates": macos_updates(evidence)["security_responses"]}


# --- Linux --------------------------------------------------------------------------------------------------


def os_release(evidence: dict) -> dict:
    values = {}
    for line in text(evidence, "os_release").splitlines():
        if "=" in line and not line.startswith("#"):
            key, _sep, value = line.partition("=")
            values[key.strip()] = value.strip().strip('"').strip("'")
    family = f"{values.get('ID', '')} {values.get('ID_LIKE', '')}".lower()
    return {
        "id": values.get("ID", "").lower(),
        "version_id": values.get("VERSION_ID", ""),
        "pretty": values.get("PRETTY_NAME", "") or values.get("NAME", ""),
        "apt": any(x in family for x in ("debian", "ubuntu")),
        "dnf": any(x in family for x in ("fedora", "rhel", "centos")),
    }


def _lsblk_tree_from_text(out: str) -> list[dict]:
    """Text output of `lsblk -o NAME,TYPE,FSTYPE,MOUNTPOINT` (tree drawn with └─ / |-) → nested dicts."""
    lines = [ln for ln in out.splitlines() if ln.strip()]
    if not lines or not lines[0].lstrip().startswith("NAME"):
        return []
    header = lines[0]
    starts = [header.index(col) for col in ("NAME", "TYPE", "FSTYPE", "MOUNTPOINT") if col in header]
    roots, stack = [], []
    for line in lines[1:]:
        m = re.match(r"^([\s│├└─|`\-]*)", line)
        depth = len(m.group(1)) // 2 if m else 0
        cells = [
            line[a:b].strip() if b else line[a:].strip()
            for a, b in zip(starts, starts[1:] + [None], strict=True)
        ]
        node = {
            "name": re.sub(r"^[\s│├└─|`\-]*", "", cells[0]),
            "type": cells[1] if len(cells) > 1 else "",
            "fstype": cells[2] if len(cells) > 2 else "",
            "mountpoint": cells[3] if len(cells) > 3 else "",
            "children": [],
        }
        while stack and stack[-1][0] >= depth:
            stack.pop()
        (stack[-1][1]["children"] if stack else roots).append(node)
        stack.append((depth, node))
    return roots


def linux_disk(evidence: dict) -> dict:
    raw = _json(evidence, "lsblk")
    devices = (
        raw.get("blockdevices", [])
        if isinstance(raw, dict)
        else _lsblk_tree_from_text(text(evidence, "lsblk"))
    )

    def walk(nodes, crypt_above):
        for node in nodes or []:
            crypt = crypt_above or node.get("type") == "crypt" or node.get("fstype") == "crypto_LUKS"
            mounts = node.get("mountpoints") or [node.get("mountpoint")]
            if "/" in mounts:
                return crypt
            found = walk(node.get("children"), crypt)
            if found is not None:
                return found
        return None

    root_encrypted = walk(devices, False)
    if root_encrypted is None:
        return {"state": "unknown"}
    return {"state": "on" if root_encrypted else "off"}


def _unit_states(output: str, units: list[str]) -> dict[str, str]:
    states, remaining = {}, list(units)
    for line in output.splitlines():
        line = line.strip()
        if not line or not remaining:
            continue
        named = next((u for u in remaining if u in line), None)
        if named:  # an error line names its unit ("Failed to get unit file state for X: …")
            states[named] = "not-found"
            remaining.remove(named)
        else:
            states[remaining.pop(0)] = line.split()[0]
    return states


def linux_updates(evidence: dict) -> dict:
    release = os_release(evidence)
    units = _unit_states(
        text(evidence, "update_units"),
        [
            "unattended-upgrades.service",
            "apt-daily-upgrade.timer",
            "dnf-automatic.timer",
            "dnf-automatic-install.timer",
        ],
    )
    if release["apt"]:
        conf = text(evidence, "apt_auto_upgrades")
        m = re.search(r'APT::Periodic::Unattended-Upgrade\s+"(\d+)"', conf)
        if m:
            return {"auto": m.group(1) != "0", "manual": False}
        return {"auto": False, "manual": False}
    if release["dnf"]:
        conf = text(evidence, "dnf_automatic")
        if units.get("dnf-automatic-install.timer") == "enabled":
            return {"auto": True, "manual": False}
        if units.get("dnf-automatic.timer") == "enabled":
            applies = re.search(r"^\s*apply_updates\s*=\s*(yes|true|1)", conf, re.M | re.I)
            return {"auto": True, "manual": not applies}
        return {"auto": False, "manual": False}
    return {"auto": None, "manual": False}


def linux_firewall(evidence: dict) -> dict:
    profiles = {}
    ufw = text(evidence, "ufw")
    if "Status: active" in ufw:
        profiles["ufw"] = True
    elif "Status: inactive" in ufw:
        profiles["ufw"] = False
    firewalld = text(evidence, "firewalld").strip()
    if firewalld == "running":
        profiles["firewalld"] = True
    elif firewalld == "not running":
        profiles["firewalld"] = False
    nft = text(evidence, "nft")
    if re.search(r"hook input[^;]*;\s*policy drop", nft):
        profiles["nftables"] = True
    units = _unit_states(
        text(evidence, "firewall_units"), ["ufw.service", "firewalld.service", "nftables.service"]
    )
    for unit, state in units.items():
        name = unit.split(".")[0]
        if name not in profiles and state in ("active", "inactive"):
            profiles[name] = state == "active"
    if any(profiles.values()):
        profiles = {k: v for k, v in profiles.items() if v}
    return {"profiles": profiles, "method": "ufw/firewalld/nftables" if profiles else ""}


def linux_screen_lock(evidence: dict) -> dict:
    enabled = text(evidence, "lock_enabled").strip()
    m = re.search(r"(?:uint32\s+)?(\d+)\s*$", text(evidence, "idle_delay").strip())
    delay = int(m.group(1)) if m and not failed(evidence, "idle_delay") else None
    if enabled == "false":
        return {"seconds": None, "explicit_off": True, "sources": ["gsettings"]}
    if enabled == "true" and delay is not None:
        if delay == 0:
            return {"seconds": None, "explicit_off": True, "sources": ["gsettings"]}
        return {"seconds": delay, "explicit_off": False, "sources": ["gsettings"]}
    return {"seconds": None, "explicit_off": False, "sources": []}


LINUX_AV_SERVICES = {
    "clamav-daemon": "ClamAV",
    "clamd": "ClamAV",
    "falcon-sensor": "CrowdStrike Falcon",
    "sentinelone": "SentinelOne",
    "mdatp": "Microsoft Defender for Endpoint",
    "cbagentd": "Carbon Black",
    "sophos": "Sophos",
    "esets": "ESET",
    "eea": "ESET",
    "ds_agent": "Trend Micro",
    "bdsec": "Bitdefender",
    "elastic-endpoint": "Elastic Defend",
}


def linux_protection(evidence: dict) -> dict:
    found = []
    for line in text(evidence, "services").splitlines():
        unit = line.strip().split(" ")[0].removesuffix(".service")
        for prefix, name in LINUX_AV_SERVICES.items():
            if unit.startswith(prefix) and name not in found:
                found.append(name)
    return {"products": found, "listed": bool(text(evidence, "services").strip())}
