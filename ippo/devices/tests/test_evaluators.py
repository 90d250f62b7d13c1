"""Parsers and evaluators on recorded agent output (English and Japanese Windows, Windows Home, macOS,
Linux), with an injected clock. No database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ippo.devices import evaluators, parsers, samples
from ippo.devices.results import result_message

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

# sample → expected status per check, in CHECK_KEYS order:
# disk_encryption, os_updates, firewall, screen_lock, endpoint_protection
EXPECTED = {
    "windows11_pro_en": ("pass", "pass", "pass", "pass", "pass"),
    "windows11_pro_ja": ("pass", "warn", "fail", "pass", "pass"),
    "windows11_home_ja": ("na", "pass", "pass", "pass", "warn"),
    "windows10_pro_en": ("fail", "fail", "fail", "fail", "fail"),
    "windows11_not_admin_en": ("unknown", "fail", "pass", "unknown", "pass"),
    "macos15": ("pass", "pass", "pass", "pass", "pass"),
    "macos12": ("fail", "fail", "fail", "fail", "pass"),
    "ubuntu2404": ("pass", "pass", "pass", "unknown", "warn"),
    "debian11_plain": ("fail", "fail", "fail", "warn", "pass"),
}


def _evaluate(name, now=NOW):
    return evaluators.evaluate_report(samples.platform_of(name), samples.load(name), now=now)


def test_every_sample_has_an_expectation():
    assert set(samples.names()) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_recorded_outputs_give_the_expected_verdicts(name):
    results, os_label = _evaluate(name)
    assert tuple(r.status for r in results) == EXPECTED[name], [(r.key, r.reason) for r in results]
    assert os_label
    for r in results:
        assert result_message(r.as_dict()) and "%(" not in result_message(r.as_dict())


def test_japanese_manage_bde_is_read():
    disk = parsers.windows_disk(samples.load("windows11_pro_ja"))
    assert disk == {"state": "on", "percent": 100.0, "method": "manage-bde"}


def test_japanese_manage_bde_protection_off_and_suspended():
    off = "    変換状態:               完全に復号化されています\n    暗号化された割合:       0.0%\n    保護状態:               保護はオフです\n"
    assert parsers.windows_disk({"manage_bde": {"output": off}})["state"] == "off"
    suspended = "    暗号化された割合:       100.0%\n    保護状態:               保護はオフです\n"
    assert parsers.windows_disk({"manage_bde": {"output": suspended}})["state"] == "suspended"
    result = evaluators.disk_encryption("windows", {"state": "suspended", "method": "manage-bde"})
    assert result.status == "fail" and result.reason == "bitlocker_suspended"


def test_japanese_netsh_names_the_profile_that_is_off():
    facts = parsers.windows_firewall(samples.load("windows11_pro_ja"))
    assert facts["method"] == "netsh"
    assert facts["profiles"] == {"ドメイン": True, "プライベート": True, "パブリック": False}
    assert "パブリック" in result_message(evaluators.firewall(facts).as_dict())


def test_windows_home_without_bitlocker_is_not_applicable_but_encrypted_home_passes():
    evidence = samples.load("windows11_home_ja")
    assert parsers.windows_os(evidence)["is_home"]
    assert parsers.windows_disk(evidence)["state"] == "unavailable"
    home = {"is_home": True}
    assert evaluators.disk_encryption("windows", {"state": "unavailable"}, os_facts=home).status == "na"
    assert evaluators.disk_encryption("windows", {"state": "on"}, os_facts=home).status == "pass"
    # The same missing tools on Pro mean "could not tell", not "does not apply".
    assert evaluators.disk_encryption("windows", {"state": "unavailable"}, os_facts={}).status == "unknown"


def test_powercfg_in_japanese_and_sign_in_on_wake_count_as_a_lock():
    facts = parsers.windows_screen_lock(samples.load("windows11_pro_ja"))
    assert facts["seconds"] == 900 and "powercfg" in facts["sources"]


def test_security_center_product_state():
    assert parsers.av_product_state(397568) == (True, True)  # 0x061100: on, up to date
    assert parsers.av_product_state(393472) == (False, True)  # 0x060100: off
    assert parsers.av_product_state(397584) == (True, False)  # 0x061110: on, out of date


def test_powershell_dates_both_forms():
    assert parsers.ps_datetime("/Date(1795575600000)/") == datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert parsers.ps_datetime("2026-11-25T21:14:03+09:00").hour == 21
    assert parsers.ps_datetime(None) is None


def test_signature_age_uses_the_injected_clock():
    evidence = samples.load("windows11_pro_en")
    fresh = evaluators.windows_protection(parsers.windows_protection(evidence), now=NOW)
    later = evaluators.windows_protection(
        parsers.windows_protection(evidence), now=datetime(2026, 12, 10, tzinfo=UTC)
    )
    assert fresh.status == "pass" and later.status == "warn" and later.params["days"] == 14


def test_windows_support_dates_follow_the_clock():
    before = _evaluate("windows11_not_admin_en", now=datetime(2025, 8, 1, tzinfo=UTC))[0][1]
    soon = _evaluate("windows11_not_admin_en", now=datetime(2025, 10, 20, tzinfo=UTC))[0][1]
    after = _evaluate("windows11_not_admin_en", now=NOW)[0][1]
    assert (before.status, soon.status, after.status) == ("pass", "warn", "fail")
    assert soon.reason == "os_support_ends_soon" and after.reason == "os_end_of_support"


def test_enterprise_edition_gets_the_longer_date():
    name, end, _supported = evaluators.windows_support(
        {"build": 22631, "caption": "Windows 11 Enterprise", "is_enterprise": True}
    )
    assert end.isoformat() == "2026-11-10"


def test_a_windows_build_newer_than_the_table_counts_as_supported():
    _name, end, supported = evaluators.windows_support({"build": 27000, "caption": "Windows 11 Pro"})
    assert end is None and supported is True


def test_macos_support_is_the_newest_three_at_that_date():
    version = {"version": "14.7", "major": 14}
    assert evaluators.macos_support(version, datetime(2026, 1, 1).date())[2] is True
    assert evaluators.macos_support({"version": "12.7", "major": 12}, datetime(2026, 1, 1).date())[2] is False


def test_updates_turned_off_fail_even_on_a_supported_os():
    evidence = samples.load("windows11_pro_en")
    evidence["wu_policy"]["output"] = "HKEY_LOCAL_MACHINE\\...\\AU\n    NoAutoUpdate    REG_DWORD    0x1\n"
    results, _label = evaluators.evaluate_report("windows", evidence, now=NOW)
    assert results[1].status == "fail" and results[1].reason == "auto_update_off"


def test_lsblk_text_tree_is_read():
    tree = "NAME          TYPE  FSTYPE      MOUNTPOINT\nsda           disk\n├─sda1        part  vfat        /boot/efi\n└─sda2        part  crypto_LUKS\n  └─root      crypt ext4        /\n"
    assert parsers.linux_disk({"lsblk": {"output": tree}})["state"] == "on"


def test_systemctl_lines_are_matched_to_their_units_despite_errors():
    out = (
        "Failed to get unit file state for unattended-upgrades.service: No such file or directory\nenabled\n"
    )
    states = parsers._unit_states(out, ["unattended-upgrades.service", "dnf-automatic.timer"])
    assert states == {"unattended-upgrades.service": "not-found", "dnf-automatic.timer": "enabled"}


def test_screen_lock_thresholds():
    assert evaluators.screen_lock({"seconds": 900}).status == "pass"
    assert evaluators.screen_lock({"seconds": 901}).status == "warn"
    assert evaluators.screen_lock({"seconds": 0}).reason == "lock_immediate"
    assert evaluators.screen_lock({"seconds": None, "explicit_off": True}).status == "fail"
    assert evaluators.screen_lock({"seconds": None}).status == "unknown"


def test_mfa_coverage_thresholds():
    assert evaluators.mfa_coverage(users_total=10, users_mfa=9, admins_total=2, admins_mfa=2).status == "pass"
    assert evaluators.mfa_coverage(users_total=10, users_mfa=8, admins_total=2, admins_mfa=2).status == "warn"
    assert (
        evaluators.mfa_coverage(users_total=10, users_mfa=10, admins_total=2, admins_mfa=1).status == "fail"
    )
    assert (
        evaluators.mfa_coverage(users_total=0, users_mfa=0, admins_total=0, admins_mfa=0).status == "unknown"
    )


def test_garbage_evidence_never_crashes_and_is_unknown():
    for platform in ("windows", "macos", "linux"):
        results, _label = evaluators.evaluate_report(
            platform, {"os": {"output": "{not json"}, "x": "y"}, now=NOW
        )
        assert {r.status for r in results} <= {"unknown", "warn", "na", "fail"}
        assert all(r.status != "pass" for r in results)


def test_bitlocker_in_progress_and_suspended_from_powershell():
    progress = {
        "bitlocker": {
            "output": '{"MountPoint":"C:","VolumeStatus":2,"ProtectionStatus":0,"EncryptionPercentage":42.5}'
        }
    }
    assert parsers.windows_disk(progress) == {
        "state": "in_progress",
        "percent": 42.5,
        "method": "Get-BitLockerVolume",
    }
    result = evaluators.disk_encryption("windows", parsers.windows_disk(progress))
    assert result.status == "warn" and result.params == {"percent": "42"}
    suspended = {
        "bitlocker": {
            "output": '{"MountPoint":"C:","VolumeStatus":1,"ProtectionStatus":0,"EncryptionPercentage":100}'
        }
    }
    assert parsers.windows_disk(suspended)["state"] == "suspended"
