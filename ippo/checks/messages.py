"""Every sentence a check result shows, in one place (translated in ippo/checks/locale).

- MESSAGES: what was found, per message code (short, with named placeholders).
- ADVICE: per check, what it means for the business and how to fix it, shown when the result is not a pass.
- CHECK_LABELS / GROUPS: names of the checks and how pages group them.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CHECK_LABELS = {
    "spf": _("SPF (who may send mail for the domain)"),
    "dkim": _("DKIM (signature on sent mail)"),
    "dmarc": _("DMARC (what to do with fake mail)"),
    "mx": _("Mail servers (MX)"),
    "mta_sts": _("MTA-STS (encrypted mail delivery)"),
    "tls_rpt": _("TLS-RPT (reports about mail encryption)"),
    "dnssec": _("DNSSEC (signed DNS)"),
    "https": _("Website over HTTPS"),
    "http_redirect": _("Redirect from http:// to https://"),
    "certificate": _("Website certificate"),
    "tls_versions": _("Old encryption versions (TLS 1.0/1.1)"),
    "hsts": _("HSTS (browsers always use HTTPS)"),
    "headers": _("Security headers"),
    "port_rdp": _("Remote Desktop (RDP, port 3389)"),
    "port_smb": _("Windows file sharing (SMB, port 445)"),
    "port_telnet": _("Telnet (port 23)"),
    "port_ftp": _("FTP (port 21)"),
    "port_mssql": _("SQL Server database (port 1433)"),
    "port_mysql": _("MySQL database (port 3306)"),
    "port_postgres": _("PostgreSQL database (port 5432)"),
    "port_mongodb": _("MongoDB database (port 27017)"),
    "port_redis": _("Redis database (port 6379)"),
    "port_vnc": _("VNC remote screen (port 5900)"),
    "vpn_login": _("VPN device login page"),
}

GROUPS = [
    ("mail", _("E-mail"), ["spf", "dkim", "dmarc", "mx", "mta_sts", "tls_rpt", "dnssec"]),
    ("web", _("Website"), ["https", "http_redirect", "certificate", "tls_versions", "hsts", "headers"]),
    (
        "exposure",
        _("Services open to the internet"),
        [
            "port_rdp",
            "port_smb",
            "port_telnet",
            "port_ftp",
            "port_mssql",
            "port_mysql",
            "port_postgres",
            "port_mongodb",
            "port_redis",
            "port_vnc",
            "vpn_login",
        ],
    ),
]

STATUS_LABELS = {
    "pass": _("OK"),
    "warn": _("Needs attention"),
    "fail": _("Problem"),
    "unknown": _("Could not check"),
    "na": _("Not applicable"),
}

MESSAGES = {
    # SPF
    "spf_ok": _(
        "SPF is set up and ends with %(qualifier)s; it uses %(lookups)s of the 10 allowed DNS lookups."
    ),
    "spf_unknown": _(
        "The DNS server did not answer in time, so SPF could not be checked. We will try again."
    ),
    "spf_missing": _("%(domain)s has no SPF record, so anyone can send mail that claims to come from it."),
    "spf_multiple": _(
        "There are %(count)s SPF records; there must be exactly one, so receivers ignore them all."
    ),
    "spf_too_many_lookups": _(
        "The SPF record needs more than %(limit)s DNS lookups, so receivers treat it as broken."
    ),
    "spf_syntax": _("The SPF record has a part that is not valid: “%(term)s”."),
    "spf_include_missing": _("The SPF record refers to %(domain)s, which has no SPF record of its own."),
    "spf_include_multiple": _("The SPF record refers to %(domain)s, which has more than one SPF record."),
    "spf_loop": _("The SPF record refers to %(domain)s in a loop."),
    "spf_incomplete": _("Part of the SPF record could not be looked up in time. We will try again."),
    "spf_pass_all": _(
        "The SPF record ends with +all, which allows every server in the world to send as you."
    ),
    "spf_void": _("The SPF record refers to %(count)s names that do not exist; receivers may reject it."),
    "spf_no_all": _(
        "The SPF record does not end with -all or ~all, so it does not say what to do with other senders."
    ),
    "spf_neutral_all": _("The SPF record ends with ?all, which tells receivers nothing about other senders."),
    "spf_ptr": _("The SPF record uses “ptr”, which is slow and unreliable; list your senders another way."),
    # DMARC
    "dmarc_ok": _("DMARC is set to “%(policy)s” and reports are sent to you."),
    "dmarc_unknown": _(
        "The DNS server did not answer in time, so DMARC could not be checked. We will try again."
    ),
    "dmarc_missing": _(
        "%(domain)s has no DMARC record, so receivers do not know to refuse fake mail in your name."
    ),
    "dmarc_multiple": _("There are %(count)s DMARC records; there must be exactly one."),
    "dmarc_invalid": _("The DMARC record is not written correctly, so receivers ignore it."),
    "dmarc_bad_policy": _("The DMARC policy “%(policy)s” is not one of none, quarantine or reject."),
    "dmarc_none": _("DMARC only monitors (p=none): fake mail in your name is still delivered."),
    "dmarc_no_rua": _("DMARC is set to “%(policy)s”, but no address receives the reports (rua=)."),
    "dmarc_pct": _("DMARC “%(policy)s” applies to only %(pct)s%% of mail."),
    "dmarc_sp_none": _("DMARC is “%(policy)s”, but sub-domains are only monitored (sp=none)."),
    # DKIM
    "dkim_ok": _("DKIM key found at selector “%(selector)s” (%(bits)s bits)."),
    "dkim_ok_1024": _(
        "DKIM key found at selector “%(selector)s” (%(bits)s bits); a 2048-bit key is recommended when you next change it."
    ),
    "dkim_weak": _("The DKIM key at selector “%(selector)s” is only %(bits)s bits and can be broken."),
    "dkim_unreadable": _("The DKIM key at selector “%(selector)s” cannot be read."),
    "dkim_revoked": _("The DKIM key at selector “%(selector)s” is empty (withdrawn)."),
    "dkim_unknown": _(
        "The DNS server did not answer in time, so DKIM could not be checked. We will try again."
    ),
    "dkim_missing": _("%(domain)s has no DKIM keys at all, so your mail is not signed."),
    "dkim_selector_missing": _(
        "No DKIM key was found at the selector(s) you gave (%(selectors)s), and the domain has no DKIM keys."
    ),
    "dkim_selector_unknown": _(
        "DKIM keys seem to exist, but not at the selectors we know (%(selectors)s). Tell us your selector to check it."
    ),
    # MX
    "mx_ok": _("Mail for the domain goes to: %(hosts)s."),
    "mx_unknown": _("The DNS server did not answer in time, so the mail servers could not be checked."),
    "mx_null": _("The domain says it receives no mail (null MX)."),
    "mx_missing": _("%(domain)s has no mail servers (MX). If you use it for e-mail, mail to it may be lost."),
    # MTA-STS
    "mta_sts_ok": _("MTA-STS is enforced: mail to you must be delivered encrypted."),
    "mta_sts_unknown": _("The DNS server did not answer in time, so MTA-STS could not be checked."),
    "mta_sts_missing": _(
        "MTA-STS is not set up (optional: it makes encrypted delivery of mail to you mandatory)."
    ),
    "mta_sts_record_invalid": _("The MTA-STS record (_mta-sts) is not written correctly."),
    "mta_sts_policy_timeout": _("The MTA-STS policy file did not load in time. We will try again."),
    "mta_sts_policy_unreachable": _(
        "The MTA-STS record exists, but the policy file at https://mta-sts.%(domain)s/ cannot be fetched safely."
    ),
    "mta_sts_policy_invalid": _("The MTA-STS policy file is not written correctly."),
    "mta_sts_mode_none": _("The MTA-STS policy is switched off (mode: none)."),
    "mta_sts_mx_uncovered": _("The MTA-STS policy does not list these mail servers: %(hosts)s."),
    "mta_sts_testing": _(
        "MTA-STS is in test mode: problems are reported but mail is still delivered unencrypted."
    ),
    # TLS-RPT
    "tls_rpt_ok": _("TLS-RPT is set up: you receive reports when encrypted delivery to you fails."),
    "tls_rpt_unknown": _("The DNS server did not answer in time, so TLS-RPT could not be checked."),
    "tls_rpt_missing": _("TLS-RPT is not set up (optional)."),
    "tls_rpt_invalid": _("The TLS-RPT record is not written correctly (it needs v=TLSRPTv1 and rua=)."),
    # DNSSEC
    "dnssec_ok": _("The domain's DNS answers are signed and were validated."),
    "dnssec_unknown": _("The DNS server did not answer in time, so DNSSEC could not be checked."),
    "dnssec_not_validated": _("The domain is signed, but the answer could not be validated."),
    "dnssec_unsigned": _("The domain's DNS answers are not signed (DNSSEC is off)."),
    # HTTPS and redirect
    "dns_timeout": _(
        "The DNS server did not answer in time, so this could not be checked. We will try again."
    ),
    "web_no_site": _("Neither the domain nor www has a website address, so there is no website to check."),
    "https_ok": _("The website https://%(host)s/ answers over an encrypted connection."),
    "https_timeout": _("https://%(host)s/ did not answer in time. We will try again."),
    "https_tls_error": _("https://%(host)s/ answers, but the encrypted connection could not be set up."),
    "https_unreachable": _(
        "https://%(host)s/ cannot be reached, so visitors cannot use an encrypted connection."
    ),
    "redirect_ok": _("Visitors who type http:// are sent on to https:// (permanent redirect)."),
    "redirect_temporary": _(
        "Visitors who type http:// are sent to https://, but with a temporary redirect (%(code)s)."
    ),
    "redirect_no_http": _("The site does not answer on http:// at all, so nothing is served unencrypted."),
    "redirect_missing": _(
        "The site still serves pages over unencrypted http:// instead of sending visitors to https://."
    ),
    "redirect_timeout": _("http:// did not answer in time. We will try again."),
    "redirect_error": _("http:// answered with something we could not read."),
    # Certificate
    "cert_ok": _("The certificate is valid and trusted; it expires in %(days)s days."),
    "cert_none": _("No certificate to check, because HTTPS could not be reached."),
    "cert_unreadable": _("The website's certificate cannot be read."),
    "cert_expired": _("The certificate expired on %(date)s: browsers show visitors a security warning."),
    "cert_not_yet_valid": _("The certificate is not valid yet: browsers show visitors a security warning."),
    "cert_wrong_host": _(
        "The certificate is for %(names)s, not for %(host)s: browsers show visitors a security warning."
    ),
    "cert_untrusted": _(
        "The certificate is not issued by a trusted authority: browsers show visitors a security warning."
    ),
    "cert_expiring_soon": _("The certificate expires in %(days)s days. Renew it now."),
    "cert_expiring": _("The certificate expires in %(days)s days. Check that it renews automatically."),
    "cert_trust_unknown": _("Whether the certificate is trusted could not be checked in time."),
    # TLS versions
    "tls_modern_only": _("Only current encryption versions (TLS 1.2 and newer) are accepted."),
    "tls_old_accepted": _("The server still accepts %(versions)s, which are out of date."),
    "tls_untestable": _(
        "This ippo server cannot test for TLS 1.0/1.1 (its encryption library no longer offers them)."
    ),
    "tls_versions_unknown": _("The old encryption versions could not be tested in time."),
    # HSTS and headers
    "hsts_ok": _("Browsers are told to always use HTTPS for %(days)s days (HSTS)."),
    "hsts_short": _("HSTS is set for only %(days)s days; one year (365 days) is recommended."),
    "hsts_missing": _("The site does not tell browsers to always use HTTPS (no HSTS header)."),
    "hsts_invalid": _("The HSTS header is not written correctly."),
    "hsts_no_https": _("HSTS was not checked, because HTTPS could not be reached."),
    "headers_ok": _("All the recommended security headers are present."),
    "headers_mostly": _("The main security headers are present. Also worth adding: %(names)s."),
    "headers_missing": _("Some security headers are missing: %(names)s."),
    "headers_no_https": _("Headers were not checked, because HTTPS could not be reached."),
    # Ports
    "port_closed": _("Not reachable from the internet."),
    "port_open_fail": _("Reachable from the internet at %(addresses)s. Attackers try these every day."),
    "port_open_warn": _("Reachable from the internet at %(addresses)s."),
    "port_error": _("The connection test failed, so this could not be checked."),
    "port_no_addresses": _(
        "No address to check (the domain has no address of its own yet, or it is not verified)."
    ),
    "port_not_verified": _("Not checked: prove that you own the domain first, then we test it."),
    # VPN
    "vpn_found": _("A login page of a VPN device was found (%(products)s)."),
    "vpn_none": _("No known VPN-device login page was found."),
    "vpn_timeout": _("The VPN login-page test did not get answers in time."),
    "vpn_no_https": _("Not checked, because HTTPS could not be reached."),
    "vpn_not_verified": _("Not checked: prove that you own the domain first, then we test it."),
}

ADVICE = {
    "spf": (
        _(
            "Without a correct SPF record, criminals can more easily send mail that looks like it comes from your company, and your own mail is more likely to land in spam."
        ),
        _(
            "Ask whoever manages your domain (often the web or mail provider) to publish one SPF record listing your mail services, ending with -all or ~all."
        ),
    ),
    "dkim": (
        _(
            "DKIM signs your mail so receivers can tell it really came from you and was not changed on the way."
        ),
        _(
            "Switch on DKIM signing in your mail service (Microsoft 365 or Google Workspace admin screen) and publish the key it gives you in DNS."
        ),
    ),
    "dmarc": (
        _(
            "Without DMARC, mail that pretends to be from your company is delivered to your customers and partners, which is how many invoice frauds start."
        ),
        _(
            "Publish a DMARC record, first with p=none and a report address, then move to p=quarantine or p=reject once your own mail passes."
        ),
    ),
    "mx": (
        _("Mail sent to your domain needs mail servers listed in DNS."),
        _("If you use this domain for e-mail, ask your provider for the MX records to publish."),
    ),
    "mta_sts": (
        _("MTA-STS makes other mail servers refuse to send mail to you without encryption."),
        _(
            "Publish the _mta-sts record and the policy file together with your mail provider, start in test mode, then switch to enforce."
        ),
    ),
    "tls_rpt": (
        _("TLS-RPT sends you reports when other servers cannot deliver mail to you encrypted."),
        _("Publish a _smtp._tls record with a report address (v=TLSRPTv1; rua=mailto:…)."),
    ),
    "dnssec": (
        _("DNSSEC protects visitors from being sent to a fake server through forged DNS answers."),
        _("Ask your domain registrar or DNS provider whether they can switch on DNSSEC."),
    ),
    "https": (
        _(
            "Without HTTPS, what visitors type into your site (contact forms, logins) can be read or changed on the way."
        ),
        _("Ask your web host to switch on HTTPS with a free automatic certificate (e.g. Let's Encrypt)."),
    ),
    "http_redirect": (
        _("Visitors who type your address without https:// use an unencrypted page."),
        _("Ask your web host to redirect every http:// page permanently (301) to https://."),
    ),
    "certificate": (
        _(
            "A certificate problem makes browsers warn visitors away, and customers may lose trust in your site."
        ),
        _(
            "Ask your web host to renew the certificate and to set up automatic renewal for the right site name."
        ),
    ),
    "tls_versions": (
        _("TLS 1.0 and 1.1 have known weaknesses; partners' security checklists often flag them."),
        _("Ask your web host to switch off TLS 1.0 and 1.1 and keep TLS 1.2 and 1.3."),
    ),
    "hsts": (
        _("HSTS makes browsers refuse unencrypted connections to your site, even on public Wi-Fi."),
        _("Ask your web host to add the header Strict-Transport-Security: max-age=31536000."),
    ),
    "headers": (
        _(
            "Security headers are a cheap extra layer against some attacks on visitors. Missing ones are not an emergency."
        ),
        _("Ask your web host to add the missing headers listed above."),
    ),
    "port_rdp": (
        _(
            "Remote Desktop open to the internet is one of the commonest ways ransomware gets into small companies."
        ),
        _(
            "Close port 3389 on the router or firewall. For remote work, use a VPN with two-step sign-in, kept up to date."
        ),
    ),
    "port_smb": (
        _("Windows file sharing open to the internet lets attackers try to read files or spread malware."),
        _("Close port 445 on the router or firewall; share files through a cloud service or a VPN instead."),
    ),
    "port_telnet": (
        _("Telnet sends passwords unencrypted and is often left open on old routers and cameras."),
        _("Switch off Telnet on the device, or close port 23 on the router."),
    ),
    "port_ftp": (
        _("FTP sends passwords unencrypted, so they can be stolen."),
        _("Use SFTP or a cloud file service instead, and close port 21."),
    ),
    "port_mssql": (
        _("A database open to the internet can leak customer data or be taken over."),
        _("Close the database port on the firewall; only your own servers should reach it."),
    ),
    "port_mysql": (
        _("A database open to the internet can leak customer data or be taken over."),
        _("Close the database port on the firewall; only your own servers should reach it."),
    ),
    "port_postgres": (
        _("A database open to the internet can leak customer data or be taken over."),
        _("Close the database port on the firewall; only your own servers should reach it."),
    ),
    "port_mongodb": (
        _("A database open to the internet can leak customer data or be taken over."),
        _("Close the database port on the firewall; only your own servers should reach it."),
    ),
    "port_redis": (
        _("A database open to the internet can leak customer data or be taken over."),
        _("Close the database port on the firewall; only your own servers should reach it."),
    ),
    "port_vnc": (
        _("A remote screen (VNC) open to the internet lets attackers try to take over the computer."),
        _("Close port 5900 and use a VPN with two-step sign-in for remote access."),
    ),
    "vpn_login": (
        _(
            "VPN devices are the commonest way ransomware gets into Japanese companies, usually through a known flaw that was not patched."
        ),
        _(
            "Make sure the VPN device has the latest updates from its maker, and that every VPN account uses two-step sign-in."
        ),
    ),
}


def message_render(code: str, params: dict) -> str:
    template = MESSAGES.get(code)
    if template is None:
        return code
    try:
        return str(template) % params
    except (KeyError, ValueError, TypeError):
        return str(template)
