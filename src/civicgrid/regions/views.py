"""The division browser: province → city → county → township → community, with a chart."""

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from civicgrid.core.division_codes import InvalidDivisionCode
from civicgrid.regions import maps, selectors
from civicgrid.regions.choices import DivisionLevel
from civicgrid.regions.models import Division, Grid

ROOT_CODE = "13"  # the demo region is Hebei; a national install would start at its province


def _division_or_404(code: str) -> Division:
    try:
        return selectors.get_division(code)
    except InvalidDivisionCode as exc:
        raise Http404(str(exc)) from exc


@require_GET
def division_browser(request: HttpRequest, code: str = ROOT_CODE) -> HttpResponse:
    division = _division_or_404(code)
    children = selectors.children_of(division)
    if division.level == DivisionLevel.TOWNSHIP:
        # Villages have no sub-divisions; what a reader wants per village is its grids.
        counts = dict(
            Grid.objects.filter(division__parent=division)
            .values_list("division_id")
            .annotate(n=Count("pk"))
        )
        for child in children:
            child.grid_count = counts.get(child.code, 0)
    chart = {
        "names": [child.name for child in children],
        "counts": [child.child_count for child in children],
        "urls": [reverse("regions:division_detail", args=[c.short_code]) for c in children],
    }
    return render(
        request,
        "regions/division_browser.html",
        {
            "division": division,
            "ancestors": division.ancestors(),
            "children": children,
            "grids": division.grids.all() if division.level == 5 else None,
            "chart": chart,
        },
    )


@require_GET
def division_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:50]
    results = selectors.search_divisions(query) if query.strip() else []
    template = "regions/_search_results.html" if request.htmx else "regions/search.html"
    return render(request, template, {"query": query, "results": results})


MAP_MAX_AGE = 24 * 3600  # shapes change with a package upgrade, i.e. a deploy


@require_GET
def division_map(request: HttpRequest, code: str) -> HttpResponse:
    """The GeoJSON of a province's cities or a city's counties (public boundary data)."""
    shapes = maps.map_shapes(code)
    if shapes is None:
        raise Http404("no child shapes")
    etag = f'"{shapes.etag}"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={MAP_MAX_AGE}"}
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return HttpResponse(status=304, headers=headers)
    return HttpResponse(shapes.body, content_type="application/geo+json", headers=headers)
