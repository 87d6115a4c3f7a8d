"""The package's layout rules (README, "How the repository is laid out"; DESIGN.md).

* Lesson code has one home: ``safercare/lessons/``, a module per lesson. The engines below it
  never import it.
* No import circles inside the package, counting imports made inside functions and those
  made only for type checkers (a "lazy" import that only hides a circle is still a circle).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "safercare"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every safercare module a file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return {name for name in found if name.split(".")[0] == "safercare"}


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        graph[name] = {m for m in _imports(path) if m in files and m != name}
    return graph


def test_engines_never_import_lesson_code() -> None:
    offenders = {name: sorted(m for m in deps if m.startswith("safercare.lessons"))
                 for name, deps in _graph().items()
                 if not name.startswith("safercare.lessons")}
    assert not {k: v for k, v in offenders.items() if v}


def test_lesson_code_lives_only_in_the_lessons_package() -> None:
    strays = [p.name for p in PACKAGE.rglob("*.py")
              if "lesson" in p.stem and "lessons" not in p.relative_to(PACKAGE).parts]
    assert not strays, f"lesson code outside safercare/lessons/: {strays}"


def test_no_import_circles_in_the_package() -> None:
    graph = _graph()
    circles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            # a package's own __init__ importing its submodules is how packages work
            if node.startswith(dep + ".") or dep.startswith(node + "."):
                continue
            if state.get(dep) == 1:
                circles.append(stack[stack.index(dep):] + [dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_long_descriptions_are_shortened_on_the_page_but_kept_whole() -> None:
    from safercare.lessons.common import SHORT_WORDS, _Words, shorten

    short = "36 monthly points; mean 7.33. No signals."
    assert shorten(short) == short and _Words(short)._repr_markdown_().endswith(short)
    long = " ".join(f"Chart {i}: mean {i}.25; process limits 1.5 to 9.75." for i in range(40))
    shown = shorten(long)
    assert len(shown) <= SHORT_WORDS and shown.endswith("…") and "1.25" in shown
    page = _Words(long)._repr_markdown_()
    assert shown in page and long in page and "<details>" in page  # the whole text is kept
    assert repr(_Words(long)) == "In words: " + long


def test_every_package_folder_is_listed_for_the_install() -> None:
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"])
    folders = {_module_name(p) for p in PACKAGE.rglob("__init__.py")}
    assert folders | {"safercare_datasets"} == listed, "list new packages in pyproject.toml"


def test_a_plain_install_carries_the_datasets(tmp_path: Path) -> None:
    """An analyst's "pip install" (not editable, no repository beside it) can load them."""
    import subprocess
    import sys

    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q",
                    "-w", str(wheels)], check=True, capture_output=True, timeout=300)
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), *map(str, wheels.glob("*.whl"))], check=True,
                   capture_output=True, timeout=300)
    code = ("import safercare.data as d; print(d.datasets_dir().name); "
            "print(len(d.list_datasets())); print(len(d.load('falls')))")
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    name, count, rows = done.stdout.split()
    assert name == "safercare_datasets" and int(count) >= 20 and int(rows) > 0
