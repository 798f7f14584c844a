"""Access cases of the certificates pages and API.

Each case's `args` issues a fresh certificate through the real action: an investment-project
approval by 阜城县发改局 (clerk_a) to enterprise A (enterprise_agent_a holds it), or a resident's
record for resident_a. clerk_b (景县's bureau), resident_b and the officers must see nothing of
either: a certificate is its holder's document, and only the issuing department manages it.
"""

from civicgrid.core.testing import UNAUTHORIZED, AccessCase


def _approval(p):
    from civicgrid.certificates.tests import factories as f

    return (f.approval(p).pk,)


def _record(p):
    from civicgrid.certificates.tests import factories as f

    return (f.employment_record(p).pk,)


def _share(p):
    from civicgrid.certificates.actions import do_share_certificate
    from civicgrid.certificates.tests import factories as f

    certificate = f.employment_record(p)
    return (do_share_certificate(p.resident_a, certificate=certificate, hours="24").pk,)


OUTSIDERS = ("clerk_b", "resident_b", "county_a_officer")
PAGE_POST = {"method": "post", "ok_status": (302,)}
API = {"anonymous": UNAUTHORIZED}
API_POST = {"method": "post", "anonymous": UNAUTHORIZED}

PUBLIC: dict[str, str] = {
    "certificates:verify": "anyone handed a certificate checks it here without an account; "
    "the code itself is the signed statement, and the answer shows only masked numbers",
    "certificates:verify_link": "the URL inside every certificate's QR code (a phone camera "
    "opens it): the path is the signed code, checked like the verify page",
    "certificates:shared_view": "a holder's time-limited shared link: the signed token is the "
    "key, refused once expired, withdrawn or the certificate revoked",
    "certificates:keys": "the published public keys, so that anyone can verify offline",
    "certificates:keys_json": "the published public keys as JSON for offline verifiers",
    "api:certificates_verify": "the verify page's API twin: the signed code is the input",
    "api:certificates_keys": "the published public keys, as the keys page",
}

CASES = [
    # The wallet (phone): residents and enterprise agents, only their own.
    AccessCase(
        "certificates:wallet_list",
        allowed=("resident_a", "enterprise_agent_a", "clerk_a", "resident_b"),
    ),
    AccessCase(
        "certificates:wallet_detail",
        args=_approval,
        allowed=("enterprise_agent_a",),
        denied=("clerk_a", *OUTSIDERS),
    ),
    AccessCase(
        "certificates:wallet_detail",
        args=_record,
        allowed=("resident_a",),
        denied=("enterprise_agent_a", "clerk_a", *OUTSIDERS),
    ),
    # The PDF: the holder, and the issuing department (audited).
    AccessCase(
        "certificates:certificate_pdf",
        args=_approval,
        allowed=("enterprise_agent_a", "clerk_a"),
        denied=OUTSIDERS,
    ),
    AccessCase(
        "certificates:share_create",
        args=_record,
        data=lambda p: {"hours": "1"},
        allowed=("resident_a",),
        denied=("clerk_a", *OUTSIDERS),
        **PAGE_POST,
    ),
    AccessCase(
        "certificates:share_revoke",
        args=_share,
        allowed=("resident_a",),
        denied=("clerk_a", *OUTSIDERS),
        **PAGE_POST,
    ),
    # The issuing department's desk.
    AccessCase(
        "certificates:issued_list",
        allowed=("clerk_a", "clerk_b", "admin"),
        denied=("resident_a", "enterprise_agent_a", "county_a_officer"),
    ),
    AccessCase(
        "certificates:issue",
        allowed=("clerk_a", "clerk_b"),
        denied=("resident_a", "enterprise_agent_a", "county_a_officer"),
    ),
    AccessCase(
        "certificates:issued_detail",
        args=_approval,
        allowed=("clerk_a", "admin"),
        denied=("enterprise_agent_a", *OUTSIDERS),
    ),
    AccessCase(
        "certificates:revoke",
        args=_approval,
        data=lambda p: {"reason": "项目单位申请撤回"},
        allowed=("clerk_a",),
        denied=("enterprise_agent_a", *OUTSIDERS),
        **PAGE_POST,
    ),
]

CASES += [
    AccessCase("api:certificates_mine", allowed=("resident_a", "enterprise_agent_a"), **API),
    AccessCase(
        "api:certificates_issued",
        allowed=("clerk_a", "clerk_b"),
        denied=("resident_a", "enterprise_agent_a"),
        **API,
    ),
    AccessCase(
        "api:certificates_detail",
        args=_approval,
        allowed=("enterprise_agent_a", "clerk_a"),
        denied=OUTSIDERS,
        **API,
    ),
    AccessCase(
        "api:certificates_pdf",
        args=_approval,
        allowed=("enterprise_agent_a", "clerk_a"),
        denied=OUTSIDERS,
        **API,
    ),
    AccessCase(
        "api:certificates_history",
        args=_record,
        allowed=("resident_a",),
        denied=("clerk_a", *OUTSIDERS),
        **API,
    ),
    AccessCase(
        "api:certificates_share",
        args=_record,
        data=lambda p: {"hours": "168"},
        allowed=("resident_a",),
        ok_status=(201,),
        denied=("clerk_a", *OUTSIDERS),
        **API_POST,
    ),
    AccessCase(
        "api:certificates_share_revoke",
        args=_share,
        allowed=("resident_a",),
        ok_status=(204,),
        denied=("clerk_a", *OUTSIDERS),
        **API_POST,
    ),
    # Issuing takes a JSON body; the matrix posts form data, so an allowed caller passes the
    # role check and is then refused by validation (422), the others by role (403).
    AccessCase(
        "api:certificates_issue",
        allowed=("clerk_a",),
        ok_status=(422,),
        denied=("resident_a", "enterprise_agent_a"),
        **API_POST,
    ),
    AccessCase(
        "api:certificates_revoke",
        args=_approval,
        data=lambda p: {"reason": "项目单位申请撤回"},
        allowed=("clerk_a",),
        denied=("enterprise_agent_a", *OUTSIDERS),
        **API_POST,
    ),
    AccessCase(
        "api:certificates_use",
        args=_approval,
        data=lambda p: {"purpose": "企业投资项目开工审批，免交核准批复"},
        allowed=("clerk_a", "clerk_b"),
        ok_status=(204,),
        denied=("resident_a", "enterprise_agent_a", "county_a_officer"),
        **API_POST,
    ),
]
