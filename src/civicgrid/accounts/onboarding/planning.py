"""Deciding what each row does, against look-ups made once for the whole file."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import ROLES_BY_ORGANISATION_TYPE, OrganisationType, Role
from civicgrid.accounts.models import Membership, Organisation, User
from civicgrid.accounts.onboarding.report import RowStatus
from civicgrid.accounts.onboarding.rows import StaffRow, choice_labels, lookup_key
from civicgrid.core import division_codes
from civicgrid.regions.models import Division

# Values per `IN (...)` in the up-front look-ups.
LOOKUP_SLICE = 900


def ancestors(code: str) -> list[str]:
    """The 12-digit codes above `code`, nearest first."""
    codes = []
    parent = division_codes.parent_code(code)
    while parent:
        codes.append(parent)
        parent = division_codes.parent_code(parent)
    return codes


T = TypeVar("T")


def slices(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`values` in consecutive pieces of at most `size`."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- look-ups made once per file -----------------------------------------------------------


@dataclass
class Lookups:
    divisions: dict[str, Division]
    organisations: dict[tuple[str, str], Organisation]  # (division code, name) -> organisation
    organisations_by_name: dict[str, list[Organisation]]
    users: dict[str, User]  # mobile hash -> user
    taken_usernames: set[str]
    memberships: dict[int, dict[tuple[int, str], tuple[bool, str]]]  # user -> (org, role) -> ...

    @classmethod
    def load(cls, rows: list[StaffRow]) -> Lookups:
        codes: set[str] = set()
        for row in rows:
            if row.division:
                codes.add(row.division)
                codes.update(ancestors(row.division))
            if row.organisation_division:
                codes.add(row.organisation_division)
        divisions = {}
        for chunk in slices(sorted(codes), LOOKUP_SLICE):
            divisions.update({d.code: d for d in Division.objects.filter(code__in=chunk)})

        names = sorted({row.organisation_name for row in rows if row.organisation_name})
        organisations: dict[tuple[str, str], Organisation] = {}
        by_name: dict[str, list[Organisation]] = defaultdict(list)
        for chunk in slices(names, LOOKUP_SLICE):
            for org in Organisation.objects.filter(name__in=chunk).select_related("division"):
                organisations[(org.division_id, org.name)] = org
                by_name[org.name].append(org)

        hashes = sorted({row.mobile_hash for row in rows if row.mobile_hash})
        users: dict[str, User] = {}
        for chunk in slices(hashes, LOOKUP_SLICE):
            found = User.objects.filter(mobile_hash__in=chunk).only(
                "id", "username", "full_name", "is_active", "is_resident", "mobile_hash"
            )
            users.update({user.mobile_hash: user for user in found})
        mobiles = sorted({row.mobile for row in rows if row.mobile})
        taken: set[str] = set()
        for chunk in slices(mobiles, LOOKUP_SLICE):
            taken.update(User.objects.filter(username__in=chunk).values_list("username", flat=True))
        taken -= {user.username for user in users.values()}

        memberships: dict[int, dict[tuple[int, str], tuple[bool, str]]] = defaultdict(dict)
        user_ids = sorted(user.pk for user in users.values())
        for chunk in slices(user_ids, LOOKUP_SLICE):
            for user_id, org_id, role, active, jurisdiction in Membership.objects.filter(
                user_id__in=chunk
            ).values_list("user_id", "organisation_id", "role", "is_active", "jurisdiction_id"):
                memberships[user_id][(org_id, role)] = (active, jurisdiction)
        return cls(divisions, organisations, by_name, users, taken, memberships)


# --- deciding what each row does -----------------------------------------------------------


class Scope:
    """Where the actor may onboard staff: everywhere (superuser, system) or their subtrees."""

    def __init__(self, actor: User | None) -> None:
        if actor is None or actor.is_superuser:
            self.ranges: list[tuple[str, str]] | None = None
            return
        self.ranges = [
            division_codes.subtree_range(m.division_code)
            for m in actor.active_memberships
            if m.role == Role.ADMINISTRATOR
        ]
        if not self.ranges:
            raise PermissionDenied(_("只有系统管理员可以批量导入工作人员。"))

    def covers(self, code: str) -> bool:
        return self.ranges is None or any(low <= code <= high for low, high in self.ranges)


def contains(outer: str, inner: str) -> bool:
    low, high = division_codes.subtree_range(outer)
    return low <= inner <= high


class Planner:
    """Resolves every parsed row against the look-ups, in file order, without writing."""

    def __init__(self, lookups: Lookups, scope: Scope) -> None:
        self.lookups = lookups
        self.scope = scope
        self.first_row_of_mobile: dict[str, int] = {}
        # Organisations to create: (division code, name) -> (type, first row asking for it).
        self.planned: dict[tuple[str, str], tuple[str, int]] = {}

    def plan(self, row: StaffRow) -> None:
        """Check `row` against the database and the rows before it; every problem is reported,
        not only the first, so a sheet is fixed in one round."""
        if row.mobile:
            first = self.first_row_of_mobile.setdefault(row.mobile, row.number)
            if first != row.number:
                row.error("mobile", _("与第 %(row)d 行的手机号码重复。") % {"row": first})
        placed = False
        if row.division:
            row.jurisdiction = self.lookups.divisions.get(row.division)
            if row.jurisdiction is None:
                row.error("division_code", self._unknown_division(row.division))
            elif not self.scope.covers(row.division):
                row.error(
                    "division_code",
                    _("“%(name)s”（%(code)s）不在您的管理范围内。")
                    % {"name": row.jurisdiction.name, "code": row.division},
                )
            else:
                placed = True
        if row.organisation_name and placed:
            self._organisation(row)
        if row.role and (row.organisation is not None or row.new_organisation is not None):
            self._role(row)
        if row.mobile:
            self._person(row)

    @staticmethod
    def _unknown_division(code: str) -> str:
        return _("找不到区划代码 %(code)s，请使用 2023 年统计用区划代码（12 位或有效前缀）。") % {
            "code": division_codes.significant(code)
        }

    def _organisation(self, row: StaffRow) -> None:
        name, lookups = row.organisation_name, self.lookups
        if row.organisation_division:
            home = lookups.divisions.get(row.organisation_division)
            if home is None:
                row.error(
                    "organisation_division_code", self._unknown_division(row.organisation_division)
                )
                return
            candidates = [home.code]
        else:
            home = row.jurisdiction
            candidates = [row.division, *ancestors(row.division)]
        for code in candidates:
            if (code, name) in lookups.organisations:
                row.organisation = lookups.organisations[(code, name)]
                break
            if (code, name) in self.planned:
                row.new_organisation = (code, name)
                break
        else:
            if not row.organisation_type:
                row.error(*self._organisation_not_found(row, home))
                return
            row.new_organisation = (home.code, name)
            if not row.errors:  # a row that will not be written creates nothing
                self.planned[row.new_organisation] = (row.organisation_type, row.number)
                row.notes.append(
                    _("新建机构“%(name)s”（%(division)s）") % {"name": name, "division": home.name}
                )

        if row.organisation is not None:
            org = row.organisation
            org_code, org_type, place = org.division_id, org.type, org.division.name
            if not org.is_active:
                row.error("organisation", _("机构“%(name)s”已停用。") % {"name": name})
            if row.organisation_type and row.organisation_type != org_type:
                row.error(
                    "organisation_type",
                    _("机构“%(name)s”已登记为“%(type)s”，与表中的“%(given)s”不一致。")
                    % {
                        "name": name,
                        "type": OrganisationType(org_type).label,
                        "given": OrganisationType(row.organisation_type).label,
                    },
                )
        else:
            key = row.new_organisation or ("", "")
            org_code, place = key[0], lookups.divisions[key[0]].name
            org_type, first = self.planned.get(key, (row.organisation_type, row.number))
            if row.organisation_type and row.organisation_type != org_type:
                row.error(
                    "organisation_type",
                    _("与第 %(row)d 行给同一新机构填写的类型“%(type)s”不一致。")
                    % {"row": first, "type": OrganisationType(org_type).label},
                )
        if not self.scope.covers(org_code):
            row.error(
                "organisation",
                _("机构“%(name)s”（%(division)s）不在您的管理范围内。")
                % {"name": name, "division": place},
            )
        elif not contains(org_code, row.division):
            row.error(
                "division_code",
                _("“%(j)s”（%(code)s）不在机构“%(org)s”所在区划“%(d)s”范围内。")
                % {
                    "j": row.jurisdiction.name,
                    "code": division_codes.significant(row.division),
                    "org": name,
                    "d": place,
                },
            )
        row.organisation_type = org_type

    def _organisation_not_found(self, row: StaffRow, home: Any) -> tuple[str, str]:
        name = row.organisation_name
        elsewhere = self.lookups.organisations_by_name.get(name, [])
        if elsewhere and not row.organisation_division:
            places = "、".join(
                f"{org.division.name}（{division_codes.significant(org.division_id)}）"
                for org in elsewhere[:3]
            )
            return "division_code", _(
                "“%(j)s”（%(code)s）不在机构“%(org)s”所在区划 %(places)s 范围内。"
                "如需在本区划新建同名机构，请填写“机构类型”列。"
            ) % {
                "j": row.jurisdiction.name,
                "code": division_codes.significant(row.division),
                "org": name,
                "places": places,
            }
        where = (
            home.name
            if row.organisation_division
            else _("%(name)s 及其上级区划") % {"name": home.name}
        )
        return "organisation", _(
            "在%(where)s找不到名为“%(org)s”的机构。如需自动新建，请填写“机构类型”列。"
        ) % {"where": where, "org": name}

    def _role(self, row: StaffRow) -> None:
        allowed = ROLES_BY_ORGANISATION_TYPE.get(row.organisation_type, frozenset())
        if row.organisation_type and row.role not in allowed:
            row.error(
                "role",
                _("“%(org)s”（%(type)s）不能设置“%(role)s”角色，可设置：%(allowed)s。")
                % {
                    "org": row.organisation_name,
                    "type": OrganisationType(row.organisation_type).label,
                    "role": Role(row.role).label,
                    "allowed": choice_labels(Role, sorted(allowed)),
                },
            )

    def _person(self, row: StaffRow) -> None:
        user = self.lookups.users.get(row.mobile_hash)
        if user is None:
            if row.mobile in self.lookups.taken_usernames:
                row.error(
                    "mobile",
                    _("用户名“%(username)s”已被另一个账号使用，无法用该手机号开通账号。")
                    % {"username": row.mobile},
                )
            else:
                row.status = RowStatus.CREATED
            return
        if not user.is_active:
            row.error("mobile", _("该手机号码的账号已停用，请先在管理后台启用后再导入。"))
            return
        if user.full_name and row.name and lookup_key(user.full_name) != lookup_key(row.name):
            row.error(
                "mobile",
                _("该手机号码已属于另一个账号，登记的姓名与表中的“%(name)s”不一致，请核对号码。")
                % {"name": row.name},
            )
            return
        if row.errors:
            return
        row.user = user
        changed = False
        if user.is_resident:
            row.notes.append(_("原居民账号转为工作账号"))
            changed = True
        if not user.full_name:
            row.notes.append(_("补登姓名"))
            changed = True
        held = None
        if row.organisation is not None:
            held = self.lookups.memberships.get(user.pk, {}).get((row.organisation.pk, row.role))
        if held is None:
            changed = True
        elif not held[0]:
            row.notes.append(_("重新启用已停用的岗位"))
            changed = True
        elif held[1] != row.division:
            row.notes.append(_("管辖区划改为“%(name)s”") % {"name": row.jurisdiction.name})
            changed = True
        row.status = RowStatus.ROLE_ADDED if changed else RowStatus.EXISTING
