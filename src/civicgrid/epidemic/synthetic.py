"""Large synthetic line lists for tests and benchmarks, written set-based (`bulk_create`).

Not a business path: nothing here checks rules or writes audit rows; it builds the rows the
actions would have left behind (clusters included) fast enough for a 10,000-node chain in a
test. Demo data goes through the actions instead (`demo.py`).
"""

import datetime
from collections.abc import Iterator

from civicgrid.accounts.models import Organisation
from civicgrid.core.idcard import make_id_number
from civicgrid.epidemic.choices import CaseStatus, ContactType
from civicgrid.epidemic.models import (
    Case,
    Contact,
    ContactExposure,
    TransmissionCluster,
)
from civicgrid.population.models import Person

BATCH = 2000


def id_numbers(region: str, count: int, *, offset: int = 0) -> Iterator[str]:
    """`count` distinct valid ID numbers of `region` (999 per birth day from 1950 on)."""
    first = datetime.date(1950, 1, 1)
    for i in range(offset, offset + count):
        day, sequence = divmod(i, 999)
        yield make_id_number(region, first + datetime.timedelta(days=day), sequence + 1)


def bulk_persons(
    community_code: str, count: int, *, offset: int = 0, prefix: str = "测试"
) -> list[int]:
    """`count` persons living in `community_code` (no household); their ids, in order."""
    people = []
    for n, number in enumerate(id_numbers(community_code[:6], count, offset=offset)):
        person = Person(
            name=f"{prefix}{n + offset}", name_initials="cs", sex="M",
            birth_date=datetime.date(1980, 1, 1), division_code=community_code,
        )  # fmt: skip
        person.id_number = number
        people.append(person)
    created = Person.objects.bulk_create(people, batch_size=BATCH)
    return [p.pk for p in created]


def bulk_chain(
    unit: Organisation, community_code: str, *, cases: int, contacts_per_case: int, offset: int = 0
) -> int:
    """One cycle-free chain: case 0 infected case 1, who infected case 2, ...; every case also
    has `contacts_per_case` contacts who stayed well. Returns the cluster id; the chain has
    cases × (1 + contacts_per_case) nodes and one edge fewer."""
    total = cases * (1 + contacts_per_case)
    persons = bulk_persons(community_code, total, offset=offset)
    case_persons, contact_persons = persons[:cases], persons[cases:]
    today = datetime.date.today()
    cluster = TransmissionCluster.objects.create(division_code=community_code, size=total)
    made = Case.objects.bulk_create(
        [
            Case(
                person_id=p,
                status=CaseStatus.CONFIRMED,
                division_code=community_code,
                reporting_unit=unit,
                report_date=today,
                confirmed_on=today,
                cluster=cluster,
            )
            for p in case_persons
        ],
        batch_size=BATCH,
    )
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                person_id=p,
                division_code=community_code,
                reported_on=today,
                cluster=cluster,
                converted_case=made[i],
            )
            for i, p in enumerate(case_persons)
            if i > 0
        ]
        + [
            Contact(person_id=p, division_code=community_code, reported_on=today, cluster=cluster)
            for p in contact_persons
        ],
        batch_size=BATCH,
    )
    converted, well = contacts[: cases - 1], contacts[cases - 1 :]
    edges = [
        ContactExposure(
            contact=converted[i - 1],
            case=made[i - 1],
            contact_type=ContactType.HOUSEHOLD,
            last_exposure_date=today,
            cluster=cluster,
        )
        for i in range(1, cases)
    ] + [
        ContactExposure(
            contact=c,
            case=made[i // contacts_per_case],
            contact_type=ContactType.WORK,
            last_exposure_date=today,
            cluster=cluster,
        )
        for i, c in enumerate(well)
    ]
    ContactExposure.objects.bulk_create(edges, batch_size=BATCH)
    return cluster.pk
