"""The guard behind docs/architecture.md invariant 1: regulated records change only inside actions.

`@action` marks a function as the one place a change happens: it opens the transaction (durable at
the outermost level, so an action never hides inside someone else's half-finished transaction) and
lets `RegulatedModel` rows be written. Anywhere else, `.save()`, `.delete()`, `QuerySet.update()`,
`.delete()`, `bulk_create()` and `bulk_update()` raise `RegulatedWriteError`.

`@action_step` marks a helper that writes rows on behalf of the action calling it (the certificate bulk
writer, a public record rebuilt after a change): it runs only inside an action, so it may live in any
module. The write guard's test (core/tests/test_regulated.py) accepts model writes only inside functions
registered here, in ACTIONS or ACTION_STEPS, whatever the file is called.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models, transaction

_action_depth: contextvars.ContextVar[int] = contextvars.ContextVar("certhub_action_depth", default=0)
ACTIONS: dict[str, Callable[..., Any]] = {}
ACTION_STEPS: dict[str, Callable[..., Any]] = {}
# Called with no arguments at the end of every outermost action, inside its transaction, after the
# action's own writes: the ledger appends the action's entries here (C4), last, so that the
# lock it takes on the log's head is held only for the moment before commit.
ACTION_END_HOOKS: list[Callable[[], object]] = []
# Called when an outermost action ends by raising: its transaction is rolled back, so whatever it queued
# for the end hooks must be dropped.
ACTION_ABORT_HOOKS: list[Callable[[], object]] = []

F = TypeVar("F", bound=Callable[..., Any])


class RegulatedWriteError(RuntimeError):
    """Raised when code outside an action tries to write a regulated model."""


def in_action() -> bool:
    return _action_depth.get() > 0


def _refuse(model: type[models.Model], operation: str) -> None:
    if not in_action():
        raise RegulatedWriteError(
            f"{model.__name__}.{operation}() outside an action: call a do_<verb>_<noun>(…, actor=…) action"
        )


def action(func: F) -> F:
    """Declare a regulated action. Every argument of an action is keyword-only and annotated, `actor` among
    them (docs/architecture.md convention 6): each call site names what it passes, in one convention,
    `do_change_certificate_status(certificate=…, to_status=…, effective_date=…, reason=…, actor=…)`."""
    parameters = inspect.signature(func).parameters
    if "actor" not in parameters:
        raise TypeError(f"{func.__qualname__} must take `actor` as a keyword-only argument")
    positional = [name for name, p in parameters.items() if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    if positional:
        raise TypeError(f"{func.__qualname__}: an action's arguments are keyword-only, not {', '.join(positional)}")
    untyped = [name for name, p in parameters.items() if p.annotation is inspect.Parameter.empty]
    if untyped:
        raise TypeError(f"{func.__qualname__}: an action's arguments are annotated, not {', '.join(untyped)}")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth = _action_depth.get()
        token = _action_depth.set(depth + 1)
        try:
            if depth == 0:
                try:
                    with transaction.atomic(durable=True):
                        result = func(*args, **kwargs)
                        for hook in ACTION_END_HOOKS:
                            hook()
                        return result
                except BaseException:
                    for hook in ACTION_ABORT_HOOKS:
                        hook()
                    raise
            return func(*args, **kwargs)
        finally:
            _action_depth.reset(token)

    ACTIONS[f"{func.__module__}.{func.__qualname__}"] = wrapper
    return wrapper  # type: ignore[return-value]


def action_step(func: F) -> F:
    """Declare a helper that writes regulated rows for the action calling it. Outside an action it raises
    RegulatedWriteError before doing anything (the rows it writes would refuse one by one anyway; this
    also covers statements the model guard does not see, such as COPY)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _action_depth.get() == 0:
            raise RegulatedWriteError(f"{func.__qualname__}() outside an action: it writes for the action calling it")
        return func(*args, **kwargs)

    ACTION_STEPS[f"{func.__module__}.{func.__qualname__}"] = wrapper
    return wrapper  # type: ignore[return-value]


class RegulatedQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        _refuse(self.model, "update")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse(self.model, "delete")
        return super().delete()

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        _refuse(self.model, "bulk_create")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Any, *args: Any, **kwargs: Any) -> int:
        _refuse(self.model, "bulk_update")
        return super().bulk_update(objs, *args, **kwargs)

    def get_or_create(self, *args: Any, **kwargs: Any) -> Any:
        _refuse(self.model, "get_or_create")
        return super().get_or_create(*args, **kwargs)

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        _refuse(self.model, "update_or_create")
        return super().update_or_create(*args, **kwargs)


class RegulatedManager(models.Manager.from_queryset(RegulatedQuerySet)):  # type: ignore[misc]
    pass


class RegulatedModel(models.Model):
    """Base of every model whose rows are changed only by actions."""

    objects = RegulatedManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        _refuse(type(self), "save")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        _refuse(type(self), "delete")
        return super().delete(*args, **kwargs)
