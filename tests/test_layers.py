"""The parts of `quizzes/` import only downwards (docs/ARCHITECTURE.md, "Parts").

Every import in every module counts, also those inside functions: a lower part that reaches up
at call time is as tangled as one that does so at import time.
"""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "quizzes"

# Lowest first. A part may import its own modules, quizzes.models and the parts before it; the
# app's top level (views, admin, urls, forms, templatetags, management commands) may import any.
PARTS = ["core", "course", "taking", ("teaching", "question_files")]
# Logic that knows nothing of the database or HTTP: plain values in, plain values out.
PURE = {
    "quizzes.core.spreadsheet",
    "quizzes.course.true_false",
    "quizzes.taking.dealing",
    "quizzes.taking.scoring",
    "quizzes.taking.timing",
    "quizzes.teaching.item_analysis",
    "quizzes.question_files.parsed",
    "quizzes.question_files.gift",
    "quizzes.question_files.gift_export",
    "quizzes.question_files.aiken",
}
# The models are everyone's floor; their methods use course content and the pure rules of
# marking and timing, and nothing above.
MODELS_MAY_IMPORT = (
    "quizzes.core",
    "quizzes.course",
    "quizzes.taking.scoring",
    "quizzes.taking.timing",
)


def rank(part):
    for number, parts in enumerate(PARTS):
        if part == parts or part in parts:
            return number
    return len(PARTS)


def module_name(path: Path) -> str:
    relative = path.relative_to(APP.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imports_of(path: Path):
    """Every module a file imports, as an absolute dotted name."""
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # a module imported from a package, or a name from a module
                submodule = f"{base}.{alias.name}"
                yield submodule if known_module(submodule) else base


def app_modules():
    return sorted(
        path for path in APP.rglob("*.py") if "migrations" not in path.relative_to(APP).parts
    )


def part_of(name: str):
    pieces = name.split(".")
    return pieces[1] if len(pieces) > 1 and (APP / pieces[1]).is_dir() else None


def known_module(name: str) -> bool:
    path = APP.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def quizzes_imports(path):
    return sorted(
        {name for name in imports_of(path) if name.startswith("quizzes.") and known_module(name)}
    )


@pytest.mark.parametrize("path", app_modules(), ids=lambda path: module_name(path))
def test_parts_import_only_downwards(path):
    name = module_name(path)
    own = part_of(name)
    wrong = []
    for imported in quizzes_imports(path):
        other = part_of(imported)
        if name == "quizzes.models":
            allowed = imported.startswith(MODELS_MAY_IMPORT)
        elif own is None or own not in {
            p for parts in PARTS for p in (parts if isinstance(parts, tuple) else (parts,))
        }:
            allowed = True  # the app's top level: views, admin, urls, forms, commands
        elif other is None:
            allowed = imported == "quizzes.models"
        else:
            allowed = other == own or rank(other) < rank(own)
        if not allowed:
            wrong.append(imported)
    assert wrong == [], f"{name} reaches up to {wrong}"


@pytest.mark.parametrize("name", sorted(PURE))
def test_pure_logic_knows_no_database_or_http(name):
    path = APP.parent.joinpath(*name.split(".")).with_suffix(".py")
    imported = set(imports_of(path))
    assert not {i for i in imported if i.startswith(("django.db", "django.http", "quizzes.models"))}
    assert {i for i in imported if i.startswith("quizzes.") and known_module(i)} <= PURE


def test_every_part_is_named_in_the_layers():
    folders = {p.name for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    layered = {p for parts in PARTS for p in (parts if isinstance(parts, tuple) else (parts,))}
    assert folders - {"views", "templatetags", "management", "migrations"} == layered


def test_only_the_models_managers_run_plain_sql():
    """SQL written by hand lives in the model managers that need it, each with its figure, and
    in the sign-in backend's read of the user (auth's model has no manager of ours)."""
    users = [
        module_name(path)
        for path in app_modules()
        if "quizzes.core.plain_sql" in quizzes_imports(path)
    ]
    assert sorted(users) == ["quizzes.core.sign_in", "quizzes.models"]
