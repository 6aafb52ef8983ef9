"""What every app builds on: record bases, the audit trail, and saved drafts."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models


class Record(models.Model):
    """A case record: who made it and when, and a version for optimistic concurrency.

    Services bump ``version`` on every change and refuse a change made against an older
    version (``safeguard.core.services.check_version``), so two people editing the same
    record never silently overwrite each other.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One line of the audit trail: who saw or changed what, when, from where, and why.

    Append-only and hash-chained: each entry's ``hash`` covers its content and the previous
    entry's hash, so altering or removing any row breaks the chain from there on.
    Entries never hold personal data: they name records by type and id.
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=40, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    source = models.CharField(max_length=20, blank=True)  # web, api, command, demo
    remote_addr = models.CharField(max_length=64, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "audit entries"

    def content(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "case_id": self.case_id,
            "detail": self.detail,
            "reason": self.reason,
            "source": self.source,
            "remote_addr": self.remote_addr,
        }

    def compute_hash(self) -> str:
        payload = json.dumps(self.content(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256((self.previous_hash + payload).encode()).hexdigest()


class Draft(models.Model):
    """Form answers saved as a person types, so a time-out never loses their work."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    form = models.CharField(max_length=80)
    key = models.CharField(max_length=80, blank=True)  # e.g. the case or record id
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "form", "key"], name="one_draft_per_form")
        ]


class ApiToken(models.Model):
    """A personal API token. Only a hash of the secret is kept; it can be revoked at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()
