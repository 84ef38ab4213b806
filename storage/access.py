"""Access management records: an access request's details, approval steps, and grants.

- `access_requests`: one row per ACC ticket: what is asked (grant, revoke, extend), for which
  resource and whom, for how long and why, and which question the desk is waiting on.
- `approval_steps`: the approvals of any ticket (ACC and catalog REQ), in order; `next_check_at`
  (indexed) is when the approval sweep has something to do (a reminder, the timeout).
- `access_grants`: who has access to what, approved by whom, granted and expiring when;
  `next_check_at` (indexed) is the expiry warning, then the expiry, or "now" while a webhook
  provisioner's delivery is awaited.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, Ticket, UtcDateTime

ACTIVE_GRANT_STATES = ("provisioning", "active", "revoking")
OPEN_STEP_STATES = ("pending", "held")  # held: nobody eligible is left to decide it; the team was asked


class AccessRequest(Base):
    __tablename__ = "access_requests"
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    action: Mapped[str] = mapped_column(String(16))  # grant | revoke | extend
    resource: Mapped[str | None] = mapped_column(String(64))
    beneficiary: Mapped[str] = mapped_column(String(128))  # a person's name (people:/staff:) or user id
    beneficiary_platform: Mapped[str] = mapped_column(String(16))
    beneficiary_id: Mapped[str | None] = mapped_column(String(128))  # their platform id, when known
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    justification: Mapped[str | None] = mapped_column(Text)
    asking: Mapped[str | None] = mapped_column(String(16))  # resource | duration | justification | None
    asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(24))  # collecting | approval | approved | granted | denied | passed | ...
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("access_grants.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_access_requests_asking", "asking"),)


class ApprovalStep(Base):
    __tablename__ = "approval_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    spec: Mapped[str] = mapped_column(String(128))  # manager | a name | group:NAME
    approvers: Mapped[list] = mapped_column(JSON, default=list)  # names who may decide (set when active)
    beneficiary: Mapped[str | None] = mapped_column(String(128))  # may not approve (nor may the requester)
    state: Mapped[str] = mapped_column(String(16))  # waiting | pending | held | approved | denied | timed_out | withdrawn | ...
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    remind_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_check_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deny_asked_by: Mapped[str | None] = mapped_column(String(128))  # pressed Deny: their next message is the reason
    deny_asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_approval_steps_next_check_at", "next_check_at"),
                      Index("ix_approval_steps_deny_asked_by", "deny_asked_by"))


class AccessGrant(Base):
    __tablename__ = "access_grants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    resource: Mapped[str] = mapped_column(String(64), index=True)
    beneficiary: Mapped[str] = mapped_column(String(128), index=True)
    beneficiary_platform: Mapped[str] = mapped_column(String(16))
    beneficiary_id: Mapped[str | None] = mapped_column(String(128))
    approvers: Mapped[list] = mapped_column(JSON, default=list)
    provisioner: Mapped[str] = mapped_column(String(16))  # manual | webhook
    state: Mapped[str] = mapped_column(String(16))  # provisioning | active | revoking | revoked
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    approved_at: Mapped[datetime] = mapped_column(UtcDateTime)
    granted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(128))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    delivery_id: Mapped[int | None] = mapped_column(Integer)  # the outbox row of a pending webhook call
    next_check_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_access_grants_next_check_at", "next_check_at"),)


# Queries.

def request_of(session: Session, ticket: Ticket) -> AccessRequest | None:
    return session.get(AccessRequest, ticket.id)


def pending_question(session: Session, *, platform: str, user_id: str, since: datetime | None,
                     ticket_id: int | None = None) -> AccessRequest | None:
    """The writer's newest access request waiting on an answer from them (that ticket's, when
    `ticket_id` is given: an answer naming its ticket, however long ago it was asked)."""
    statement = (
        select(AccessRequest)
        .join(Ticket, Ticket.id == AccessRequest.ticket_id)
        .where(AccessRequest.asking.is_not(None), Ticket.requester_platform == platform,
               Ticket.requester_id == user_id)
    )
    if since is not None:
        statement = statement.where(AccessRequest.asked_at >= since)
    if ticket_id is not None:
        statement = statement.where(AccessRequest.ticket_id == ticket_id)
    return session.execute(
        statement.order_by(AccessRequest.asked_at.desc(), AccessRequest.ticket_id.desc()).limit(1)
    ).scalar_one_or_none()


def steps_of(session: Session, ticket_id: int) -> list[ApprovalStep]:
    return list(session.execute(
        select(ApprovalStep).where(ApprovalStep.ticket_id == ticket_id).order_by(ApprovalStep.position)
    ).scalars())


def active_step(session: Session, ticket_id: int) -> ApprovalStep | None:
    return next((s for s in steps_of(session, ticket_id) if s.state in OPEN_STEP_STATES), None)


def approved_before(session: Session, step: ApprovalStep) -> list[ApprovalStep]:
    """The approved steps of this round before `step`, in order (an earlier round ended otherwise)."""
    found = []
    for other in reversed([s for s in steps_of(session, step.ticket_id) if s.position < step.position]):
        if other.state != "approved":
            break
        found.append(other)
    return found[::-1]


def due_step_ticket_ids(session: Session, *, now: datetime, limit: int, exclude: set[int] | None = None) -> list[int]:
    statement = select(ApprovalStep.ticket_id).where(ApprovalStep.next_check_at <= now)
    if exclude:
        statement = statement.where(ApprovalStep.ticket_id.not_in(exclude))
    return list(dict.fromkeys(session.execute(statement.order_by(ApprovalStep.next_check_at).limit(limit)).scalars()))


def due_grant_ticket_ids(session: Session, *, now: datetime, limit: int, exclude: set[int] | None = None) -> list[int]:
    statement = select(AccessGrant.ticket_id).where(AccessGrant.next_check_at <= now)
    if exclude:
        statement = statement.where(AccessGrant.ticket_id.not_in(exclude))
    return list(dict.fromkeys(session.execute(statement.order_by(AccessGrant.next_check_at).limit(limit)).scalars()))


def due_grants(session: Session, *, ticket_id: int, now: datetime) -> list[AccessGrant]:
    return list(session.execute(
        select(AccessGrant).where(AccessGrant.ticket_id == ticket_id, AccessGrant.next_check_at <= now)
        .order_by(AccessGrant.id).execution_options(populate_existing=True)
    ).scalars())


def current_grant(session: Session, *, resource: str, beneficiary: str) -> AccessGrant | None:
    return session.execute(
        select(AccessGrant).where(AccessGrant.resource == resource, AccessGrant.beneficiary == beneficiary,
                                  AccessGrant.state.in_(ACTIVE_GRANT_STATES))
        .order_by(AccessGrant.id.desc()).limit(1)
    ).scalar_one_or_none()


def removals_asked(session: Session, grant_id: int) -> list[AccessRequest]:
    """The revocation requests ("remove Tom's access to X") waiting for this grant to be removed."""
    return list(session.execute(
        select(AccessRequest).where(AccessRequest.action == "revoke", AccessRequest.grant_id == grant_id,
                                    AccessRequest.state.in_(("approved", "revoking")))
        .order_by(AccessRequest.ticket_id)
    ).scalars())


def extensions_waiting(session: Session, grant_id: int) -> list[AccessRequest]:
    """The extensions of this grant still waiting for approval."""
    return list(session.execute(
        select(AccessRequest).where(AccessRequest.action == "extend", AccessRequest.grant_id == grant_id,
                                    AccessRequest.state == "approval")
        .order_by(AccessRequest.ticket_id)
    ).scalars())


def grants_of_ticket(session: Session, ticket_id: int) -> list[AccessGrant]:
    return list(session.execute(
        select(AccessGrant).where(AccessGrant.ticket_id == ticket_id).order_by(AccessGrant.id)
    ).scalars())


def current_grants(session: Session, *, beneficiary: str | None = None, resource: str | None = None) -> list[AccessGrant]:
    statement = select(AccessGrant).where(AccessGrant.state.in_(ACTIVE_GRANT_STATES))
    if beneficiary is not None:
        statement = statement.where(AccessGrant.beneficiary == beneficiary)
    if resource is not None:
        statement = statement.where(AccessGrant.resource == resource)
    return list(session.execute(statement.order_by(AccessGrant.resource, AccessGrant.beneficiary)).scalars())


def step_awaiting_reason(session: Session, *, approver: str, since: datetime) -> ApprovalStep | None:
    """The step whose Deny this approver pressed most recently, still waiting for their reason."""
    return session.execute(
        select(ApprovalStep).where(ApprovalStep.deny_asked_by == approver, ApprovalStep.state == "pending",
                                   ApprovalStep.deny_asked_at >= since)
        .order_by(ApprovalStep.deny_asked_at.desc()).limit(1)
    ).scalar_one_or_none()
