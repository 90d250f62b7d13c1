"""The verdict vocabulary shared by device checks and cloud sign-in checks.

A result is stored as a small dict (JSON): `{"key", "status", "reason", "params", "method"}`. The text a
person reads is looked up from `reason` when the page renders, so it appears in the reader's language and
can be reworded without touching stored rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext_lazy as _

PASS, WARN, FAIL, UNKNOWN, NA = "pass", "warn", "fail", "unknown", "na"
STATUSES = (PASS, WARN, FAIL, UNKNOWN, NA)
STATUS_LABELS = {
    PASS: _("OK"),
    WARN: _("Needs attention"),
    FAIL: _("Not OK"),
    UNKNOWN: _("Could not tell"),
    NA: _("Does not apply"),
}
# Worst first: the order a summary picks from.
SEVERITY = {FAIL: 0, WARN: 1, UNKNOWN: 2, PASS: 3, NA: 4}

CHECK_KEYS = ("disk_encryption", "os_updates", "firewall", "screen_lock", "endpoint_protection")
CHECK_LABELS = {
    "disk_encryption": _("Disk encryption"),
    "os_updates": _("OS version and automatic updates"),
    "firewall": _("Firewall"),
    "screen_lock": _("Screen lock"),
    "endpoint_protection": _("Anti-malware"),
    "cloud_mfa": _("Two-step sign-in"),
}
# The catalog control each device check feeds (ippo/catalog/data/controls/protect-devices.yaml).
CONTROL_FOR_CHECK = {
    "disk_encryption": "pr-disk-encryption",
    "os_updates": "pr-os-updates",
    "firewall": "pr-firewall",
    "screen_lock": "pr-screen-lock",
    "endpoint_protection": "pr-endpoint-protection",
}

REASONS = {
    # Disk encryption
    "bitlocker_on": _("BitLocker protects the system drive."),
    "bitlocker_off": _("BitLocker is off on the system drive: if the PC is lost, anyone can read its files."),
    "bitlocker_suspended": _(
        "BitLocker protection is suspended: the drive is encrypted, but the key is not protected. "
        "Resume protection in the BitLocker settings."
    ),
    "bitlocker_in_progress": _("Encryption of the system drive has started (%(percent)s%% done)."),
    "bitlocker_needs_admin": _(
        "The agent could not read the BitLocker state because it did not run as administrator."
    ),
    "windows_home_no_bitlocker": _(
        "Windows Home has no BitLocker. If the PC offers “Device encryption” in Settings, turn it on; "
        "otherwise consider upgrading to Windows Pro for PCs that leave the office."
    ),
    "filevault_on": _("FileVault protects the disk."),
    "filevault_off": _("FileVault is off: if the Mac is lost, anyone can read its files."),
    "filevault_in_progress": _("FileVault encryption is in progress."),
    "luks_on": _("The system disk is encrypted (LUKS)."),
    "luks_off": _("The system disk is not encrypted."),
    # OS version and updates
    "os_supported_auto": _("%(os)s is supported and updates itself automatically."),
    "os_end_of_support": _(
        "%(os)s no longer receives security updates (support ended on %(date)s). Upgrade or replace this device."
    ),
    "os_support_ends_soon": _("Security updates for %(os)s end on %(date)s. Plan the upgrade now."),
    "auto_update_off": _("Automatic updates are turned off on %(os)s. Turn them back on."),
    "auto_update_manual": _(
        "%(os)s finds updates but waits for someone to install them. Let it install them automatically."
    ),
    "auto_update_unknown": _(
        "%(os)s is supported, but the agent could not tell whether updates are automatic."
    ),
    "os_unknown": _("The agent could not tell which operating system version this is."),
    "os_support_unknown": _(
        "Updates are automatic. ippo has no support dates for %(os)s; check them yourself."
    ),
    # Firewall
    "firewall_all_on": _("The firewall is on."),
    "firewall_off": _("The firewall is off (%(profiles)s). Turn it on."),
    "firewall_no_data": _("The agent could not read the firewall state."),
    # Screen lock
    "lock_ok": _("The screen locks after %(minutes)s minutes without use."),
    "lock_immediate": _("The screen locks straight away when the screen saver starts or the display sleeps."),
    "lock_too_long": _("The screen locks only after %(minutes)s minutes. Set 15 minutes or less."),
    "lock_off": _("The screen does not lock by itself. Set it to lock after 15 minutes or less."),
    "lock_no_data": _(
        "The agent could not read the screen lock setting (it runs without a signed-in user). "
        "Check it on the device or set it by policy."
    ),
    # Anti-malware
    "defender_on": _("Microsoft Defender is on, with signatures from %(date)s."),
    "defender_old_signatures": _(
        "Microsoft Defender is on, but its signatures are %(days)s days old. Check that updates work."
    ),
    "av_product_on": _("%(name)s is on and up to date."),
    "av_product_old": _("%(name)s is on, but its signatures are out of date."),
    "av_none": _("No active anti-malware was found. Turn on Microsoft Defender or your company's product."),
    "xprotect_on": _("The Mac's built-in protection (XProtect) is present and updates automatically."),
    "xprotect_no_updates": _(
        "The Mac's built-in protection is present, but its updates are turned off (“Install security responses "
        "and system files”)."
    ),
    "edr_present": _("%(name)s is installed and active."),
    "linux_av_present": _("%(name)s is running."),
    "linux_av_none": _(
        "No anti-malware service is running. Many Linux desktops have none; ask your IT partner whether this "
        "device needs one."
    ),
    "protection_no_data": _("The agent could not read the anti-malware state."),
    # Cloud sign-in
    "mfa_all_good": _(
        "All %(admins)s administrators and %(percent)s%% of people have two-step sign-in set up."
    ),
    "mfa_members_low": _(
        "Administrators are covered, but only %(percent)s%% of people have two-step sign-in (aim for 90%% or "
        "more)."
    ),
    "mfa_admin_missing": _(
        "%(missing)s of %(admins)s administrators have no two-step sign-in. Administrators first: set it up today."
    ),
    "mfa_no_users": _("The service listed no people."),
    "security_defaults_on": _(
        "Security defaults are on: everyone must set up two-step sign-in, and administrators must use it. "
        "Per-person figures need a Microsoft Entra ID P1 licence."
    ),
    "security_defaults_off": _(
        "Security defaults are off, and this tenant has no licence for conditional access, so two-step sign-in "
        "is not required. Turn security defaults on."
    ),
    "cloud_auth_failed": _(
        "The service refused the credentials. Check the app registration and its permissions."
    ),
    "cloud_error": _(
        "The service could not be reached or answered with an error (%(detail)s). ippo will try again."
    ),
    # Device not reporting
    "no_report": _("No report yet."),
}


@dataclass
class CheckResult:
    key: str
    status: str
    reason: str
    params: dict = field(default_factory=dict)
    method: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def result_message(row: dict) -> str:
    """The plain-language sentence for a stored result, in the active language."""
    text = REASONS.get(row.get("reason", ""))
    if text is None:
        return str(row.get("reason", ""))
    try:
        return str(text) % (row.get("params") or {})
    except (KeyError, TypeError, ValueError):
        return str(text).replace("%%", "%")


def worst(statuses) -> str:
    statuses = [s for s in statuses if s in SEVERITY]
    return min(statuses, key=SEVERITY.__getitem__) if statuses else UNKNOWN
