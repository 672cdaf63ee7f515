"""The `.pyi` stays true to the native module (an equivalent of `mypy.stubtest`, without mypy): every class
and function the stub declares exists with the same parameters, and the module has nothing the stub lacks."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import imaged
from imaged import _imaged

STUB = Path(imaged.__file__).with_name("_imaged.pyi")


def _params(fn: ast.FunctionDef) -> list:
    return [a.arg for a in fn.args.args if a.arg != "self"]


def test_stub_matches_native_module() -> None:
    tree = ast.parse(STUB.read_text())
    declared = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            declared.add(node.name)
            cls = getattr(_imaged, node.name)
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and not item.name.startswith("__"):
                    method = getattr(cls, item.name)
                    sig = inspect.signature(method)
                    got = [p for p in sig.parameters if p != "self"]
                    assert got == _params(item), f"{node.name}.{item.name}: module {got}, stub {_params(item)}"
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            declared.add(node.target.id)
            assert hasattr(_imaged, node.target.id)
    public = {n for n in dir(_imaged) if not n.startswith("_")} | {"__version__"}
    assert public - declared == set(), f"not in the stub: {public - declared}"
    for name in declared:
        assert hasattr(_imaged, name), f"stub declares {name}, module lacks it"


def test_native_methods_are_in_the_stub() -> None:
    tree = ast.parse(STUB.read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in ("Client", "EventStream", "Upload", "SummaryRow"):
            stubbed = {i.name for i in node.body if isinstance(i, ast.FunctionDef)}
            native = {n for n in dir(getattr(_imaged, node.name)) if not n.startswith("_")}
            assert native - stubbed == set(), f"{node.name}: {native - stubbed} missing from the stub"
