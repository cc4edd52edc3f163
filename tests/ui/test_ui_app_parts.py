"""CrashApp is put together from mixins (crashtui/ui/app_*.py): the parts must fit at run time.

mypy checks each mixin against the attributes and methods it declares; these tests check what
mypy cannot: that CrashApp's __init__ sets every declared attribute, that a method a mixin only
declares (under TYPE_CHECKING) is really provided by another one, that every key reaches an
action, and that no Textual handler is defined twice (Textual calls each class's handler along
the MRO, so a second ``on_mount`` would run as well, not instead).
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from textual.app import App

from crashtui.config.schema import Config
from crashtui.engine import Engine
from crashtui.ui import app as app_module
from crashtui.ui.app import CrashApp
from crashtui.ui.app_base import AppCore
from crashtui.ui.keys import KEYS
from crashtui.ui.session import FeedPlan

UI_DIR = Path(app_module.__file__).parent


def mixins() -> list[type]:
    """The crashtui classes CrashApp is made of (itself excluded)."""
    return [cls for cls in CrashApp.__mro__[1:] if cls.__module__.startswith("crashtui.ui.app")]


def declared_only(cls: type) -> set[str]:
    """Methods ``cls`` declares in an ``if TYPE_CHECKING:`` block of its class body."""
    tree = ast.parse(inspect.getsource(cls))
    (classdef,) = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    names: set[str] = set()
    for node in classdef.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            names.update(f.name for f in node.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef))
    return names


def test_crashapp_combines_every_mixin_module() -> None:
    modules = {cls.__module__ for cls in mixins()}
    on_disk = {f"crashtui.ui.{p.stem}" for p in UI_DIR.glob("app_*.py")}
    assert on_disk <= modules
    # Only CrashApp is a Textual App at run time: the mixins' BINDINGS would be ignored.
    assert all(not issubclass(cls, App) for cls in mixins())
    assert all(issubclass(cls, AppCore) for cls in mixins())


@pytest.mark.parametrize("with_engine", [True, False], ids=["engine", "plan"])
async def test_init_sets_every_attribute_a_mixin_reads(with_engine: bool, feb6_engine: Engine) -> None:
    if with_engine:
        app = CrashApp(Config(), engine=feb6_engine)
    else:
        app = CrashApp(Config(), plan=FeedPlan(Config()))
    missing = {
        f"{cls.__name__}.{name}"
        for cls in mixins()
        for name in vars(cls).get("__annotations__", {})
        if not hasattr(app, name)
    }
    assert missing == set()


def test_every_declared_method_is_provided_by_another_part() -> None:
    for cls in mixins():
        for name in declared_only(cls):
            assert name not in vars(cls), f"{cls.__name__}.{name} is both declared and defined"
            assert callable(getattr(CrashApp, name, None)), f"nothing provides {cls.__name__}.{name}"


def test_every_key_reaches_an_action_of_the_app() -> None:
    for key in KEYS:
        name = key.action.split("(", 1)[0]
        assert callable(getattr(CrashApp, f"action_{name}", None)), key.keys


def test_no_textual_handler_is_defined_in_two_parts() -> None:
    owners: dict[str, list[str]] = {}
    for cls in CrashApp.__mro__:
        if not cls.__module__.startswith("crashtui."):
            continue
        for name in vars(cls):
            if name.startswith(("on_", "_on_")):
                owners.setdefault(name, []).append(cls.__name__)
    assert {name: classes for name, classes in owners.items() if len(classes) > 1} == {}
    assert owners["on_mount"] == ["CrashApp"]
