"""Transmission chains: the graph of cases and contacts, kept as connected clusters.

A node is a person (a case, or a contact who is not a case); an edge is an exposure, from the
source case's person to the contact's person ("who infected whom" once the contact turns into a
case). Every case, contact and exposure carries its cluster: linking two clusters merges them
(the smaller is renumbered, so a node is renumbered at most log₂ n times over its life), and a
chain's nodes and edges are then read with three indexed queries however long it is — no
recursive walk over the database.

Large graphs stay usable in the browser because the layout is computed here, not by a force
simulation on the client: nodes are layered by generation (the shortest number of hops from a
root, a case with no known source), each layer ordered by its parents' positions so that
children sit next to their parents, and very wide layers wrapped into several columns. The page
then draws fixed positions (`layout: "none"`).
"""

import math
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F

from civicgrid.core.scoping import covers
from civicgrid.epidemic.models import Case, Contact, ContactExposure, TransmissionCluster

LAYER_ROWS = 250  # nodes per column before a generation wraps into another column
DX, DY = 120.0, 14.0  # distances between columns and rows, in layout units
MAX_NODES = 20000


# --- keeping clusters ------------------------------------------------------------------------


def place_case(case: Case, contact: Contact | None) -> None:
    """Inside the case's transaction: the case's cluster — its contact record's, or a new one."""
    if contact is not None and contact.cluster_id is not None:
        cluster_id = contact.cluster_id
    else:
        cluster_id = TransmissionCluster.objects.create(division_code=case.division_code, size=1).pk
    Case.objects.filter(pk=case.pk).update(cluster_id=cluster_id)
    case.cluster_id = cluster_id


def _node_cluster(contact: Contact) -> int | None:
    if contact.cluster_id is not None:
        return contact.cluster_id
    return (
        Case.objects.filter(person_id=contact.person_id)
        .values_list("cluster_id", flat=True)
        .first()
    )


def join(case: Case, contact: Contact, exposure: ContactExposure) -> int:
    """Inside a transaction: put the new exposure's two ends in one cluster; returns its id."""
    source = Case.objects.values_list("cluster_id", flat=True).get(pk=case.pk)
    if source is None:  # a case from before clusters were kept
        place_case(case, None)
        source = case.cluster_id
    target = _node_cluster(contact)
    if target is None:
        TransmissionCluster.objects.filter(pk=source).update(size=F("size") + 1)
        keep = source
    else:
        keep = merge(source, target)
    Contact.objects.filter(pk=contact.pk).update(cluster_id=keep)
    ContactExposure.objects.filter(pk=exposure.pk).update(cluster_id=keep)
    contact.cluster_id = keep
    return keep


def merge(a: int, b: int) -> int:
    """Merge cluster `b` into `a` or the other way round (the smaller into the larger)."""
    if a == b:
        return a
    # Lock both in id order: two merges of the same pair cannot deadlock on PostgreSQL.
    rows = {
        c.pk: c
        for c in TransmissionCluster.objects.select_for_update()
        .filter(pk__in=(a, b))
        .order_by("pk")
    }
    keep, gone = (rows[a], rows[b]) if rows[a].size >= rows[b].size else (rows[b], rows[a])
    for model in (Case, Contact, ContactExposure):
        model.objects.filter(cluster_id=gone.pk).update(cluster_id=keep.pk)
    TransmissionCluster.objects.filter(pk=keep.pk).update(size=F("size") + gone.size)
    gone.delete()
    return keep.pk


def would_close_a_loop(case: Case, person: Any) -> bool:
    """Whether an edge case.person → person would make a cycle: `person` already leads to
    the case's person through the chain (only possible within one cluster)."""
    cluster_id = Case.objects.values_list("cluster_id", flat=True).get(pk=case.pk)
    person_cluster = (
        Contact.objects.filter(person=person).values_list("cluster_id", flat=True).first()
    )
    person_cluster = (
        person_cluster
        or Case.objects.filter(person=person).values_list("cluster_id", flat=True).first()
    )
    if cluster_id is None or person_cluster != cluster_id:
        return False
    children = defaultdict(list)
    for source, target in ContactExposure.objects.filter(cluster_id=cluster_id).values_list(
        "case__person_id", "contact__person_id"
    ):
        children[source].append(target)
    seen, queue = {person.pk}, deque([person.pk])
    while queue:
        node = queue.popleft()
        if node == case.person_id:
            return True
        for child in children[node]:
            if child not in seen:
                seen.add(child)
                queue.append(child)
    return False


# --- reading a chain -------------------------------------------------------------------------


@dataclass
class Node:
    id: int  # the person's id
    kind: str  # a CaseStatus value, or "contact"
    label: str
    division_code: str
    case_id: int | None = None
    generation: int = 0
    x: float = 0.0
    y: float = 0.0
    parents: list[int] = field(default_factory=list)


@dataclass
class Graph:
    cluster_id: int
    total_nodes: int
    nodes: list[Node]
    edges: list[tuple[int, int, str]]  # (source person, target person, contact type)
    generations: int
    truncated: bool


def read_cluster(
    principal: Any, cluster_id: int, *, limit: int = MAX_NODES, offset: int = 0
) -> Graph:
    """The chain `cluster_id` laid out by generation; nodes outside the principal's
    jurisdiction are shown without a name. `limit`/`offset` page the nodes in layout order
    (generation, then position); edges are those between the nodes returned."""
    nodes: dict[int, Node] = {}
    for case_id, person_id, status, code, name in Case.objects.filter(
        cluster_id=cluster_id
    ).values_list("pk", "person_id", "status", "division_code", "person__name"):
        nodes[person_id] = Node(person_id, status, name, code, case_id)
    for person_id, code, name in Contact.objects.filter(
        cluster_id=cluster_id, converted_case__isnull=True
    ).values_list("person_id", "division_code", "person__name"):
        nodes.setdefault(person_id, Node(person_id, "contact", name, code))
    edges = [
        (s, t, kind)
        for s, t, kind in ContactExposure.objects.filter(cluster_id=cluster_id).values_list(
            "case__person_id", "contact__person_id", "contact_type"
        )
        if s in nodes and t in nodes
    ]
    hidden_label = "辖区外人员"
    for node in nodes.values():
        if not covers(principal, node.division_code):
            node.label = hidden_label
    layout(nodes, edges)
    ordered = sorted(nodes.values(), key=lambda n: (n.generation, n.x, n.y, n.id))
    window = ordered[offset : offset + limit]
    shown = {n.id for n in window}
    return Graph(
        cluster_id=cluster_id,
        total_nodes=len(ordered),
        nodes=window,
        edges=[e for e in edges if e[0] in shown and e[1] in shown],
        generations=1 + max((n.generation for n in ordered), default=-1),
        truncated=offset + limit < len(ordered) or offset > 0,
    )


def layout(nodes: dict[int, Node], edges: list[tuple[int, int, str]]) -> None:
    """Fixed positions: x by generation (wrapped every LAYER_ROWS rows), y by order within the
    generation, children ordered by their parents' rows. O(nodes + edges)."""
    children: dict[int, list[int]] = defaultdict(list)
    for source, target, _kind in edges:
        children[source].append(target)
        nodes[target].parents.append(source)
    roots = sorted(n.id for n in nodes.values() if not n.parents)
    if not roots and nodes:  # a cycle with no entry point (should not happen): start anywhere
        roots = [min(nodes)]
    generation = {r: 0 for r in roots}
    queue = deque(roots)
    while queue:
        node = queue.popleft()
        for child in children[node]:
            if child not in generation:
                generation[child] = generation[node] + 1
                queue.append(child)
    for node_id in nodes:  # unreachable leftovers of a cycle
        generation.setdefault(node_id, 0)
    layers: dict[int, list[int]] = defaultdict(list)
    for node_id, g in generation.items():
        layers[g].append(node_id)
    row_of: dict[int, float] = {}
    x0 = 0.0
    for g in sorted(layers):
        members = layers[g]
        members.sort(
            key=lambda n: (min((row_of.get(p, 0.0) for p in nodes[n].parents), default=0.0), n)
        )
        columns = max(1, math.ceil(len(members) / LAYER_ROWS))
        rows = math.ceil(len(members) / columns)
        for index, node_id in enumerate(members):
            column, row = divmod(index, rows)
            node = nodes[node_id]
            node.generation = g
            node.x = x0 + column * DX / 2
            node.y = (row - rows / 2) * DY
            row_of[node_id] = float(index) / max(len(members), 1)
        x0 += DX + (columns - 1) * DX / 2


@dataclass
class ClusterSummary:
    cluster_id: int
    size: int
    cases: int
    label: str


def clusters_in(
    principal: Any, within_code: str, *, limit: int = 200, offset: int = 0
) -> tuple[int, list[ClusterSummary]]:
    """The chains with a case in `within_code` the principal may see, largest first, each as
    one collapsed node (drill in with `read_cluster`)."""
    from django.db.models import Count

    from civicgrid.core.scoping import jurisdiction_q

    touching = (
        Case.objects.visible_to(principal)
        .filter(jurisdiction_q([within_code]), cluster__isnull=False)
        .order_by()
        .values("cluster_id")
        .annotate(cases=Count("pk"))
    )
    counts = {row["cluster_id"]: row["cases"] for row in touching}
    clusters = list(
        TransmissionCluster.objects.filter(pk__in=list(counts))
        .order_by("-size", "pk")
        .values_list("pk", "size")
    )
    page = clusters[offset : offset + limit]
    first_case = dict(
        Case.objects.filter(cluster_id__in=[c for c, _ in page]).order_by("report_date", "pk")
        .values_list("cluster_id", "person__name")
        .reverse()
    )  # fmt: skip
    return len(clusters), [
        ClusterSummary(c, size, counts[c], first_case.get(c, "")) for c, size in page
    ]
