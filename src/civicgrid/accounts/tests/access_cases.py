import uuid

from civicgrid.accounts.actions import do_issue_api_token
from civicgrid.accounts.models import OnboardingBatch
from civicgrid.core.testing import UNAUTHORIZED, AccessCase

PUBLIC = {
    "accounts:login": "the sign-in page",
    "accounts:sign_in_totp": "second sign-in step; only works after the password step",
    "accounts:totp_enrol": "enrolment; needs a signed-in or half-signed-in user, else to sign-in",
    "accounts:logout": "signing out needs no permission",
    "accounts:sign_in_by_code": "residents' sign-in page (mobile number)",
    "accounts:sign_in_code_verify": "residents' sign-in, step 2; needs step 1 in the session",
}


def _token_of_county_a(p):
    return (
        do_issue_api_token(
            created_by=None, organisation=p.organisations["county_a"], name="t"
        ).token.pk,
    )


def _membership_in_county_a(p):
    return (p.county_a_officer.active_memberships[0].pk,)


def _onboarding_report_of(persona):
    def args(p):
        batch = OnboardingBatch.objects.create(
            key=uuid.uuid4(),
            created_by=p.users[persona],
            file_name="staff.xlsx",
            mode=OnboardingBatch.Mode.SKIP,
            status=OnboardingBatch.Status.DONE,
            report=[
                [2, "created", "", "张三", "138****5678", "阜城县疫情防控办公室", "县级工作人员"]
            ],
        )
        return (batch.key,)

    return args


CASES = [
    AccessCase(
        "accounts:staff_directory",
        allowed=("county_a_officer", "county_b_officer", "grid_worker_a1", "admin"),
        denied=("resident_a",),
    ),
    AccessCase(
        "accounts:staff_directory_reveal",
        method="post",
        args=_membership_in_county_a,
        data=lambda p: {"reason": "联系核实"},
        allowed=("county_a_officer", "city_officer", "admin"),
        # Outside the jurisdiction: 404; inside it but a role without the need: 403.
        denied=("county_b_officer", "resident_a", "volunteer_a"),
    ),
    AccessCase(
        "accounts:workspace",
        allowed=("county_a_officer", "resident_a", "volunteer_a", "admin"),
    ),
    AccessCase(
        "accounts:api_tokens",
        allowed=("county_a_admin", "admin"),
        denied=("county_a_officer", "resident_a", "county_b_officer"),
    ),
    AccessCase(
        "accounts:api_token_revoke",
        method="post",
        args=_token_of_county_a,
        allowed=("county_a_admin",),
        ok_status=(302,),
        denied=("county_a_officer", "county_b_officer", "resident_a"),
    ),
    AccessCase(
        "api:who_am_i",
        allowed=("county_a_officer", "resident_a"),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:list_organisations",
        allowed=("county_a_officer", "province_officer", "resident_a"),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:get_organisation",
        args=lambda p: (p.organisations["county_a"].pk,),
        allowed=("county_a_officer", "city_officer", "province_officer", "admin"),
        denied=("county_b_officer", "resident_a", "grid_worker_a1"),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "accounts:onboarding",
        allowed=("county_a_admin", "admin"),
        denied=("county_a_officer", "resident_a"),
    ),
    # A report is its uploader's alone: every other persona, the superuser included, gets 404.
    AccessCase(
        "accounts:onboarding_report",
        args=_onboarding_report_of("county_a_admin"),
        allowed=("county_a_admin",),
        denied=("county_a_officer", "resident_a", "admin"),
    ),
    AccessCase(
        "accounts:onboarding_report",
        args=_onboarding_report_of("admin"),
        allowed=("admin",),
        denied=("county_a_admin",),
    ),
]
