"""The transparency ledger's tables (C4, docs/ledger.md).

An append-only RFC 9162 Merkle log: one Entry per audit row, the hashes of every complete subtree above
the leaves (so that a proof at tens of millions of entries reads a few dozen stored hashes instead of
recomputing the tree), the head (size and the right edge of the tree, locked by each append) and the
signed checkpoints. All are written only by ledger.log inside actions; on PostgreSQL a trigger refuses
UPDATE and DELETE on entries, nodes and checkpoints (migration 0002)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from certhub.core.models import AuditEvent
from certhub.core.regulated import RegulatedModel

# A stored node's key: its level (1 = parents of two leaves) above its index within the level. 2**48
# leaves is far beyond any registry (a national one adds tens of millions of entries a year).
LEVEL_SHIFT = 48


def node_key(level: int, index: int) -> int:
    return (level << LEVEL_SHIFT) | index


class Entry(RegulatedModel):
    """Leaf `index` of the log: the RFC 8785 JSON published (its SHA-256 leaf hash beside it), the audit
    row it records, and the salt of that row's state digests (private: it lets an officer prove a state
    against the entry without the entry revealing it)."""

    index = models.BigIntegerField(_("序号"), primary_key=True)
    leaf_hash = models.BinaryField(_("叶哈希"), max_length=32)
    entry = models.TextField(_("条目"))
    audit = models.OneToOneField(
        AuditEvent, verbose_name=_("审计记录"), on_delete=models.PROTECT, related_name="ledger_entry"
    )
    salt = models.BinaryField(_("盐"), max_length=16)

    class Meta:
        ordering = ["index"]
        verbose_name = _("账本条目")
        verbose_name_plural = _("账本条目")

    def __str__(self) -> str:
        return f"#{self.index}"


class Node(RegulatedModel):
    """The hash of a complete subtree: 2**level leaves starting at leaf index << level (level ≥ 1)."""

    key = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("账本节点")
        verbose_name_plural = _("账本节点")

    def __str__(self) -> str:
        return f"{self.key >> LEVEL_SHIFT}/{self.key & ((1 << LEVEL_SHIFT) - 1)}"


class Head(RegulatedModel):
    """The one row (id 1) every append locks: the tree's size and its right edge, the hashes of the
    complete subtrees that make up the first `size` leaves, largest first (32 bytes each)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)
    frontier = models.BinaryField(default=b"")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("账本头")
        verbose_name_plural = _("账本头")

    def __str__(self) -> str:
        return f"size {self.size}"


class Checkpoint(RegulatedModel):
    """A signed checkpoint (c2sp.org/tlog-checkpoint in a c2sp.org/signed-note), exactly as published."""

    tree_size = models.BigIntegerField(_("树大小"), unique=True)
    root_hash = models.BinaryField(_("根哈希"), max_length=32)
    note = models.TextField(_("签名检查点"))
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["tree_size"]
        verbose_name = _("检查点")
        verbose_name_plural = _("检查点")

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size}"
