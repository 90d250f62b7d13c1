"""Facts → verdicts, for each device check and for cloud sign-in coverage. Pure: the clock is a parameter.

Thresholds (see docs/devices.md for the sources):
- screen lock: 15 minutes (900 s) or less passes, longer warns, none fails;
- anti-malware signatures: 7 days or newer pass, older warn;
- OS support: a version past its end of security updates fails; within 60 days of it warns;
- two-step sign-in: every administrator and ≥ 90 % of people pass; fewer people warns; any
  administrator without it fails.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ippo.devices import parsers
from ippo.devices.results import FAIL, NA, PASS, UNKNOWN, WARN, CheckResult

LOCK_MAX_SECONDS = 900
SIGNATURE_MAX_DAYS = 7
SUPPORT_WARN_DAYS = 60
MFA_MEMBER_TARGET = 0.9

# Windows 11 feature updates: build → end of security updates (Home/Pro, Enterprise/Education).
# Source: Microsoft lifecycle pages. Keep up to date; a newer build than listed counts as supported.
WINDOWS_SUPPORT = {
    22000: ("21H2", date(2023, 10, 10), date(2024, 10, 8)),
    22621: ("22H2", date(2024, 10, 8), date(2025, 10, 14)),
    22631: ("23H2", date(2025, 11, 11), date(2026, 11, 10)),
    26100: ("24H2", date(2026, 10, 13), date(2027, 10, 12)),
    26200: ("25H2", date(2027, 10, 12), date(2028, 10, 10)),
}
WINDOWS_10_END = date(2025, 10, 14)
# macOS major versions and their release dates: Apple updates the newest three.
MACOS_RELEASES = {
    11: date(2020, 11, 12),
    12: date(2021, 10, 25),
    13: date(2022, 10, 24),
    14: date(2023, 9, 26),
    15: date(2024, 9, 16),
    26: date(2025, 9, 15),
}
MACOS_NAMES = {11: "Big Sur", 12: "Monterey", 13: "Ventura", 14: "Sonoma", 15: "Sequoia", 26: "Tahoe"}
# Linux distributions: (ID, VERSION_ID) → end of standard security support.
LINUX_SUPPORT = {
    ("ubuntu", "18.04"): date(2023, 5, 31),
    ("ubuntu", "20.04"): date(2025, 5, 31),
    ("ubuntu", "22.04"): date(2027, 6, 1),
    ("ubuntu", "24.04"): date(2029, 5, 31),
    ("debian", "10"): date(2024, 6, 30),
    ("debian", "11"): date(2026, 8, 31),
    ("debian", "12"): date(2028, 6, 30),
    ("debian", "13"): date(2030, 6, 30),
    ("rhel", "8"): date(2029, 5, 31),
    ("rhel", "9"): date(2032, 5, 31),
    ("rocky", "8"): date(2029, 5, 31),
    ("rocky", "9"): date(2032, 5, 31),
    ("almalinux", "8"): date(2029, 5, 31),
    ("almalinux", "9"): date(2032, 5, 31),
}


# --- Disk encryption ------------------------------------------------------------------------------------------


def disk_encryption(platform: str, disk: dict, *, os_facts: dict | None = None) -> CheckResult:
    state, key = disk.get("state"), "disk_encryption"
    if platform == "windows":
        method = disk.get("method", "")
        if state == "on":
            return CheckResult(key, PASS, "bitlocker_on", method=method)
        if state == "in_progress":
            return CheckResult(
                key, WARN, "bitlocker_in_progress", {"percent": _pct(disk.get("percent"))}, method
            )
        if (os_facts or {}).get("is_home") and state in ("off", "unavailable", "unknown", "denied"):
            return CheckResult(key, NA, "windows_home_no_bitlocker", method=method)
        if state == "suspended":
            return CheckResult(key, FAIL, "bitlocker_suspended", method=method)
        if state == "off":
            return CheckResult(key, FAIL, "bitlocker_off", method=method)
        if state == "denied":
            return CheckResult(key, UNKNOWN, "bitlocker_needs_admin", method=method)
        return CheckResult(key, UNKNOWN, "bitlocker_needs_admin", method=method)
    if platform == "macos":
        reason = {"on": "filevault_on", "off": "filevault_off", "in_progress": "filevault_in_progress"}
        status = {"on": PASS, "off": FAIL, "in_progress": WARN}
        if state in reason:
            return CheckResult(key, status[state], reason[state], method="fdesetup")
        return CheckResult(key, UNKNOWN, "protection_no_data", method="fdesetup")
    if state == "on":
        return CheckResult(key, PASS, "luks_on", method="lsblk")
    if state == "off":
        return CheckResult(key, FAIL, "luks_off", method="lsblk")
    return CheckResult(key, UNKNOWN, "protection_no_data", method="lsblk")


def _pct(value) -> str:
    try:
        return f"{float(value):.0f}"
    except (TypeError, ValueError):
        return "?"


# --- OS version and updates -----------------------------------------------------------------------------------


def windows_support(os_facts: dict) -> tuple[str, date | None, bool | None]:
    """(a readable OS name, end of security updates if known, supported?)."""
    build = os_facts.get("build")
    caption = os_facts.get("caption") or "Windows"
    if os_facts.get("is_server") or build is None:
        return caption, None, None
    if build < 22000:
        return f"{caption} ({os_facts.get('display_version') or build})", WINDOWS_10_END, None
    if build > max(WINDOWS_SUPPORT):
        return caption, None, True  # newer than this table: a current release
    name, consumer, enterprise = WINDOWS_SUPPORT[max(b for b in WINDOWS_SUPPORT if b <= build)]
    return f"{caption} {name}", enterprise if os_facts.get("is_enterprise") else consumer, None


def macos_support(version: dict, today: date) -> tuple[str, date | None, bool | None]:
    """(name, end date if known, supported?) — supported means one of the three newest released majors."""
    major = version.get("major")
    if major is None:
        return "macOS", None, None
    name = f"macOS {version.get('version')}" + (f" {MACOS_NAMES[major]}" if major in MACOS_NAMES else "")
    released = sorted(m for m, day in MACOS_RELEASES.items() if day <= today)
    if major > max(MACOS_RELEASES):
        return name, None, True
    newest_three = released[-3:]
    if major in newest_three:
        # Support ends roughly when the third newer version is released; not known in advance.
        return name, None, True
    # Out of support since the release that pushed it out of the newest three.
    later = [m for m in released if m > major]
    ended = MACOS_RELEASES[later[2]] if len(later) >= 3 else None
    return name, ended, False


def os_updates(
    platform: str,
    *,
    os_name: str,
    end_of_support: date | None,
    supported: bool | None,
    updates: dict,
    today: date,
) -> CheckResult:
    key = "os_updates"
    params = {"os": os_name}
    if end_of_support is not None:
        params["date"] = end_of_support.isoformat()
        if end_of_support < today:
            supported = False
        elif supported is None:
            supported = True
    if supported is False:
        return CheckResult(key, FAIL, "os_end_of_support", params)
    if updates.get("auto") is False:
        return CheckResult(key, FAIL, "auto_update_off", params)
    if end_of_support is not None and end_of_support - today <= timedelta(days=SUPPORT_WARN_DAYS):
        return CheckResult(key, WARN, "os_support_ends_soon", params)
    if updates.get("manual"):
        return CheckResult(key, WARN, "auto_update_manual", params)
    if updates.get("auto") is None:
        return CheckResult(
            key, WARN if supported else UNKNOWN, "auto_update_unknown" if supported else "os_unknown", params
        )
    if supported is None:
        return CheckResult(key, WARN, "os_support_unknown", params)
    return CheckResult(key, PASS, "os_supported_auto", params)


# --- Firewall, screen lock, anti-malware ----------------------------------------------------------------------


def firewall(facts: dict) -> CheckResult:
    profiles = facts.get("profiles") or {}
    if not profiles:
        return CheckResult("firewall", UNKNOWN, "firewall_no_data")
    off = [name for name, on in profiles.items() if not on]
    if off:
        return CheckResult(
            "firewall", FAIL, "firewall_off", {"profiles": ", ".join(off)}, facts.get("method", "")
        )
    return CheckResult("firewall", PASS, "firewall_all_on", method=facts.get("method", ""))


def screen_lock(facts: dict) -> CheckResult:
    seconds = facts.get("seconds")
    method = ", ".join(facts.get("sources") or [])
    if seconds is None:
        if facts.get("explicit_off"):
            return CheckResult("screen_lock", FAIL, "lock_off", method=method)
        return CheckResult("screen_lock", UNKNOWN, "lock_no_data", method=method)
    if seconds == 0:
        return CheckResult("screen_lock", PASS, "lock_immediate", method=method)
    minutes = {"minutes": f"{seconds / 60:g}"}
    if seconds <= LOCK_MAX_SECONDS:
        return CheckResult("screen_lock", PASS, "lock_ok", minutes, method)
    return CheckResult("screen_lock", WARN, "lock_too_long", minutes, method)


def windows_protection(facts: dict, *, now: datetime) -> CheckResult:
    key = "endpoint_protection"
    others = [p for p in facts.get("products", []) if p["on"] and "defender" not in p["name"].lower()]
    for product in others:
        if product["current"]:
            return CheckResult(key, PASS, "av_product_on", {"name": product["name"]}, "SecurityCenter2")
    if facts.get("defender_on"):
        signatures = facts.get("signatures")
        if signatures is None:
            return CheckResult(key, PASS, "defender_on", {"date": "?"}, "Get-MpComputerStatus")
        age = (now - signatures).days
        if age > SIGNATURE_MAX_DAYS:
            return CheckResult(key, WARN, "defender_old_signatures", {"days": age}, "Get-MpComputerStatus")
        return CheckResult(
            key, PASS, "defender_on", {"date": signatures.date().isoformat()}, "Get-MpComputerStatus"
        )
    on = [p for p in facts.get("products", []) if p["on"]]
    if on:
        best = on[0]
        status, reason = (PASS, "av_product_on") if best["current"] else (WARN, "av_product_old")
        return CheckResult(key, status, reason, {"name": best["name"]}, "SecurityCenter2")
    if facts.get("defender_on") is None and not facts.get("products"):
        return CheckResult(key, UNKNOWN, "protection_no_data")
    return CheckResult(key, FAIL, "av_none")


def macos_protection(facts: dict) -> CheckResult:
    key = "endpoint_protection"
    if facts.get("edr"):
        return CheckResult(key, PASS, "edr_present", {"name": ", ".join(facts["edr"])}, "systemextensionsctl")
    if facts.get("xprotect"):
        if facts.get("updates") is False:
            return CheckResult(key, WARN, "xprotect_no_updates", method="XProtect")
        return CheckResult(key, PASS, "xprotect_on", method="XProtect")
    if facts.get("xprotect") is None:
        return CheckResult(key, UNKNOWN, "protection_no_data")
    return CheckResult(key, FAIL, "av_none")


def linux_protection(facts: dict) -> CheckResult:
    key = "endpoint_protection"
    if facts.get("products"):
        return CheckResult(key, PASS, "linux_av_present", {"name": ", ".join(facts["products"])}, "systemctl")
    if not facts.get("listed"):
        return CheckResult(key, UNKNOWN, "protection_no_data")
    return CheckResult(key, WARN, "linux_av_none", method="systemctl")


# --- One report -----------------------------------------------------------------------------------------------


def evaluate_report(platform: str, evidence: dict, *, now: datetime) -> tuple[list[CheckResult], str]:
    """All five verdicts for one report, and a readable OS label. `now` is timezone-aware."""
    today = now.date()
    if platform == "windows":
        os_facts = parsers.windows_os(evidence)
        os_name, end, supported = windows_support(os_facts)
        results = [
            disk_encryption("windows", parsers.windows_disk(evidence), os_facts=os_facts),
            os_updates(
                "windows",
                os_name=os_name,
                end_of_support=end,
                supported=supported,
                updates=parsers.windows_updates(evidence),
                today=today,
            ),
            firewall(parsers.windows_firewall(evidence)),
            screen_lock(parsers.windows_screen_lock(evidence)),
            windows_protection(parsers.windows_protection(evidence), now=now),
        ]
        if not os_facts.get("caption"):
            os_name = "Windows"
        return results, os_name
    if platform == "macos":
        version = parsers.macos_version(evidence)
        os_name, end, supported = macos_support(version, today)
        results = [
            disk_encryption("macos", parsers.macos_disk(evidence)),
            os_updates(
                "macos",
                os_name=os_name,
                end_of_support=end,
                supported=supported,
                updates=parsers.macos_updates(evidence),
                today=today,
            ),
            firewall(parsers.macos_firewall(evidence)),
            screen_lock(parsers.macos_screen_lock(evidence)),
            macos_protection(parsers.macos_protection(evidence)),
        ]
        return results, os_name
    release = parsers.os_release(evidence)
    os_name = release["pretty"] or "Linux"
    end = LINUX_SUPPORT.get((release["id"], release["version_id"]))
    results = [
        disk_encryption("linux", parsers.linux_disk(evidence)),
        os_updates(
            "linux",
            os_name=os_name,
            end_of_support=end,
            supported=None,
            updates=parsers.linux_updates(evidence),
            today=today,
        ),
        firewall(parsers.linux_firewall(evidence)),
        screen_lock(parsers.linux_screen_lock(evidence)),
        linux_protection(parsers.linux_protection(evidence)),
    ]
    return results, os_name


# --- Cloud sign-in coverage -----------------------------------------------------------------------------------


def mfa_coverage(*, users_total: int, users_mfa: int, admins_total: int, admins_mfa: int) -> CheckResult:
    key = "cloud_mfa"
    if users_total == 0:
        return CheckResult(key, UNKNOWN, "mfa_no_users")
    percent = round(100 * users_mfa / users_total)
    missing = admins_total - admins_mfa
    if missing > 0:
        return CheckResult(
            key, FAIL, "mfa_admin_missing", {"missing": missing, "admins": admins_total, "percent": percent}
        )
    if users_mfa / users_total < MFA_MEMBER_TARGET:
        return CheckResult(key, WARN, "mfa_members_low", {"percent": percent, "admins": admins_total})
    return CheckResult(key, PASS, "mfa_all_good", {"percent": percent, "admins": admins_total})


def security_defaults(enabled: bool) -> CheckResult:
    if enabled:
        return CheckResult("cloud_mfa", PASS, "security_defaults_on", method="security_defaults")
    return CheckResult("cloud_mfa", FAIL, "security_defaults_off", method="security_defaults")
