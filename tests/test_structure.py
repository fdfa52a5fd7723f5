"""The shape of the code (issue 13): the areas import each other without a cycle, and no
module takes data or helpers from a management command (commands call code, not the other way
round). Read from the source with ast, so a lazy import inside a function counts too."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = [
    "buurtkamer",
    "locations",
    "visitors",
    "volunteers",
    "activities",
    "loneliness",
    "bench",
    "tests",
]


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.ImportFrom) and node.level:
            yield "." * node.level + (node.module or "")
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def _python_files(directory: str):
    return sorted(p for p in (ROOT / directory).rglob("*.py") if "migrations" not in p.parts)


def test_activities_never_imports_visitors():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in _python_files("activities")
        for module in _imports(path)
        if module == "visitors" or module.startswith("visitors.")
    ]
    assert offenders == []


AREAS = ["locations", "volunteers", "activities", "visitors", "loneliness"]

# locations is what the other areas build on. Where a rule of its own reaches into an area (a
# closure cancels the activity dates in it, new opening hours move the regular shifts, the
# closures page lists who still stands on the roster), it imports that area inside the function.
# These are the only such back-edges: a new one fails below. (The project package buurtkamer holds
# what all share and the pages that gather from all areas, the dashboard and "Vandaag".)
KNOWN_BACK_EDGES = {
    ("locations/services.py", "activities"),
    ("locations/services.py", "volunteers"),
    ("locations/views.py", "volunteers"),
}


def _area_graph():
    graph = {area: set() for area in AREAS}
    for area in AREAS:
        for path in _python_files(area):
            for module in _imports(path):
                target = module.split(".")[0]
                known = (str(path.relative_to(ROOT)), target) in KNOWN_BACK_EDGES
                if target in AREAS and target != area and not known:
                    graph[area].add(target)
    return graph


def test_the_areas_import_each_other_without_a_cycle():
    graph = _area_graph()
    done, path = set(), []

    def visit(area):
        if area in path:
            raise AssertionError("import cycle: " + " -> ".join([*path, area]))
        if area in done:
            return
        path.append(area)
        for target in sorted(graph[area]):
            visit(target)
        path.pop()
        done.add(area)

    for area in AREAS:
        visit(area)


def test_nothing_imports_from_a_management_command():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for directory in SOURCE_DIRS
        for path in _python_files(directory)
        if "commands" not in path.parts
        for module in _imports(path)
        if "management.commands" in module
    ]
    assert offenders == []


def test_commands_take_their_work_from_the_apps():
    """The moved pieces live where the apps (and the commands) find them."""
    from buurtkamer.emails import site_url
    from locations.demo import ADDRESSES, OPENING_HOURS
    from visitors.history import generate
    from volunteers.services import on_duty_today

    assert set(ADDRESSES) == set(OPENING_HOURS)
    assert callable(generate) and callable(on_duty_today) and callable(site_url)


DASHBOARDS = [
    "buurtkamer/views.py",
    "locations/dashboard.py",
    "visitors/dashboard.py",
    "volunteers/dashboard.py",
    "activities/dashboard.py",
]


def test_the_dashboards_ask_permissions_instead_of_reading_roles():
    """Who sees which dashboard and panel is decided in buurtkamer/permissions.py: the
    dashboards read no role, no staff flag and do not import Role."""
    offenders = []
    for name in DASHBOARDS:
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"is_aanzet_staff", "is_staff"}:
                offenders.append(f"{name}:{node.lineno}: .{node.attr}")
            if isinstance(node, ast.Name) and node.id == "Role":
                offenders.append(f"{name}:{node.lineno}: Role")
            if isinstance(node, ast.ImportFrom) and any(a.name == "Role" for a in node.names):
                offenders.append(f"{name}:{node.lineno}: imports Role")
    assert offenders == []


def _imported_test_modules(path: Path):
    """The tests.test_* modules a test module imports, however it is written (`from .test_x
    import y`, `from . import test_x`, `from tests.test_x import y`, `import tests.test_x`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            inside_tests = node.level == 1 or module == "tests" or module.startswith("tests.")
            if not inside_tests:
                continue
            parts = module.removeprefix("tests").lstrip(".").split(".") if module else []
            if parts and parts[0].startswith("test_"):
                yield parts[0]
            elif not parts or parts == [""]:
                yield from (a.name for a in node.names if a.name.startswith("test_"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tests.test_"):
                    yield alias.name.split(".")[1]


def test_no_test_module_imports_another_test_module():
    """Shared helpers live in tests/support.py, fixtures in tests/conftest.py: a test module
    that imports another one runs (and collects) that module's tests twice over."""
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / "tests").glob("test_*.py"))
        for module in _imported_test_modules(path)
    ]
    assert offenders == []
