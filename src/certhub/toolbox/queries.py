"""Reads of the toolbox (C12). A dataset or study is the enterprise's private working paper: only users of
the owning organization with the enterprise role see it — anyone else, officers included, gets the same
NotFound as for a number that does not exist. A shared study is read by its link's token alone."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.errors import NotFound
from certhub.toolbox.models import Dataset, Study


def keeps_papers(actor: Actor) -> bool:
    """True for an enterprise user with an organization: their uploads and studies are kept."""
    return actor.role == Role.ENTERPRISE and actor.organization_id is not None


def datasets_of(actor: Actor) -> QuerySet[Dataset]:
    if not keeps_papers(actor) or actor.organization_id is None:
        return Dataset.objects.none()
    return Dataset.objects.filter(organization_id=actor.organization_id).order_by("-created_at", "-pk")


def studies_of(actor: Actor) -> QuerySet[Study]:
    if not keeps_papers(actor) or actor.organization_id is None:
        return Study.objects.none()
    return (
        Study.objects.filter(organization_id=actor.organization_id)
        .select_related("dataset")
        .order_by("-created_at", "-pk")
    )


def dataset_for(actor: Actor, pk: int) -> Dataset:
    dataset = datasets_of(actor).filter(pk=pk).first()
    if dataset is None:
        raise NotFound(_("没有这个数据集"))
    return dataset


def study_for(actor: Actor, pk: int) -> Study:
    study = studies_of(actor).filter(pk=pk).first()
    if study is None:
        raise NotFound(_("没有这个分析"))
    return study


def shared_study(token: str) -> Study:
    """The study shared under `token` (anyone with the link reads it); NotFound once the link is revoked."""
    study = Study.objects.filter(share_token=token).select_related("dataset").first() if token else None
    if study is None or study.dataset is None:
        raise NotFound(_("没有这个分享链接，或者已被取消分享"))
    return study
