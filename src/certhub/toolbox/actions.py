"""Changes to the toolbox's data (C12). Datasets and studies are the enterprise's private working papers,
not regulated records: they are written here as plain functions — no @action, no audit row, no ledger
entry, which would publish what the enterprise has not published (docs/architecture.md: the action spine
is for regulated data). Each checks that the actor is an enterprise user of the owning organization (else
NotFound, as the reads answer) and runs in one transaction; bad input raises InputError before anything is
written."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.errors import NotFound
from certhub.toolbox import runs, tables
from certhub.toolbox.errors import InputError
from certhub.toolbox.models import Dataset, Study
from certhub.toolbox.queries import dataset_for, keeps_papers, study_for

NAME_LENGTH = 100


def _owner(actor: Actor) -> int:
    if not keeps_papers(actor) or actor.organization_id is None or actor.user_id is None:
        raise NotFound(_("只有企业用户可以保存数据和分析"))
    return actor.organization_id


def save_dataset(*, actor: Actor, table: tables.Table, name: str, filename: str = "") -> Dataset:
    """Keep an uploaded or typed table as a dataset of the actor's organization."""
    organization_id = _owner(actor)
    name = (name or filename or _("手工录入的数据")).strip()[:NAME_LENGTH]
    with transaction.atomic():
        return Dataset.objects.create(
            organization_id=organization_id,
            name=name,
            filename=filename[:200],
            columns=list(table.columns),
            rows=[list(row) for row in table.rows],
            row_count=len(table.rows),
            created_by_id=actor.user_id,  # type: ignore[misc]  # checked by _owner
        )


def table_of(dataset: Dataset) -> tables.Table:
    return tables.Table(
        columns=tuple(str(c) for c in dataset.columns), rows=tuple(tuple(str(c) for c in r) for r in dataset.rows)
    )


@transaction.atomic
def delete_dataset(*, actor: Actor, pk: int) -> None:
    """Delete a dataset and the studies computed from it."""
    dataset_for(actor, pk).delete()


def save_study(*, actor: Actor, dataset_pk: int, kind: str, title: str, parameters: dict[str, Any]) -> Study:
    """Keep a computation's parameters with its dataset; the parameters must compute (InputError else)."""
    organization_id = _owner(actor)
    dataset = dataset_for(actor, dataset_pk)
    run = runs.compute(kind, table_of(dataset), parameters)
    title = (title or "").strip()
    if not title:
        raise InputError("title", _("请填写标题"))
    if len(title) > NAME_LENGTH:
        raise InputError("title", _("标题不能超过 %(limit)d 个字") % {"limit": NAME_LENGTH})
    with transaction.atomic():
        return Study.objects.create(
            organization_id=organization_id,
            dataset=dataset,
            kind=kind,
            title=title,
            parameters=run.parameters,
            created_by_id=actor.user_id,  # type: ignore[misc]  # checked by _owner
        )


@transaction.atomic
def delete_study(*, actor: Actor, pk: int) -> None:
    study_for(actor, pk).delete()


@transaction.atomic
def share_study(*, actor: Actor, pk: int) -> Study:
    """Give the study a link anyone may read (a new token each time it is shared)."""
    study = study_for(actor, pk)
    study.share_token = secrets.token_urlsafe(32)
    study.save(update_fields=["share_token", "updated_at"])
    return study


@transaction.atomic
def unshare_study(*, actor: Actor, pk: int) -> Study:
    """Revoke the study's link: the old link answers 404 from now on."""
    study = study_for(actor, pk)
    study.share_token = None
    study.save(update_fields=["share_token", "updated_at"])
    return study
