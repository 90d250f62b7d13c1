"""`ippo report partner` and `ippo report verify` (the command itself lives in ippo.reports)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from ippo.core.tenancy import org_from_slug_unscoped
from ippo.sharing import document, selectors, services, verification

_REASONS = {
    verification.REVOKED: "NOT VALID: the pack is genuine and unaltered, but the company withdrew it on {withdrawn}.",
    verification.ALTERED: (
        "NOT GENUINE: the file names pack {code}, but its content differs from the pack on record: it was altered."
    ),
    verification.BAD_SIGNATURE: (
        "NOT GENUINE: the pack is on record but its signature does not match this ippo's key "
        "(the record or the key was changed)."
    ),
    verification.UNKNOWN: "NOT GENUINE: this file is not an evidence pack made by this ippo (or it was altered).",
}


def partner_command(*, org_slug: str, language: str, out: str, stdout) -> int:
    """Make a pack from today's records and write its PDF. The contact is that of the newest pack."""
    org = org_from_slug_unscoped(org_slug)
    if org is None:
        stdout.write(f"No organisation with the URL name {org_slug!r}.\n")
        return 1
    target = Path(out)
    if not target.parent.exists():
        stdout.write(f"The folder {target.parent} does not exist.\n")
        return 1
    with scope(organization=org):
        contact = selectors.latest_contact(org)
        try:
            pack = services.evidencepack_create(
                org=org,
                actor="ippo report partner",
                language=language,
                contact_name=contact["name"],
                contact_email=contact["email"],
                contact_phone=contact["phone"],
                via="cli",
            )
        except ValidationError as exc:
            stdout.write(" ".join(exc.messages) + "\n")
            return 1
    target.write_bytes(bytes(pack.pdf))
    stdout.write(f"Wrote {target} — evidence pack {pack.code} for {org.name}.\n")
    stdout.write(f"Partners can check it at {document.verify_url(pack.code)}\n")
    return 0


def verify_command(*, path: str, stdout) -> int:
    """Exit status 0 only for a genuine, unaltered, unrevoked pack made by this ippo."""
    source = Path(path)
    try:
        size = source.stat().st_size
        if size > verification.MAX_FILE_BYTES:
            stdout.write("NOT GENUINE: the file is too large to be an evidence pack.\n")
            return 1
        data = source.read_bytes()
    except OSError as exc:
        stdout.write(f"Cannot read {path}: {exc.strerror or exc}\n")
        return 1
    result = verification.verify_file(data)
    pack = result.pack
    if result.is_genuine:
        stdout.write(
            f"genuine: evidence pack {pack.code} for {pack.organization.name}, made on "
            f"{timezone.localdate(pack.created_at).isoformat()}; unaltered (SHA-256 {result.sha256}), signature valid, not withdrawn.\n"
        )
        return 0
    message = _REASONS[result.status].format(
        code=pack.code if pack else "",
        withdrawn=timezone.localdate(pack.revoked_at).isoformat() if pack and pack.revoked_at else "",
    )
    stdout.write(message + "\n")
    stdout.write(f"SHA-256 of the file: {result.sha256}\n")
    return 1
