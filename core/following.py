"""What changed for the entities a user follows: the Following page and its weekly email read
the same rows (`followed_changes`)."""
from __future__ import annotations

import enum
import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse

from conflicts.models import Flag
from conflicts.rules import rule_name
from conflicts.selectors import involved_ids
from core.formatting import count_text, pair_score_text
from entities.models import Entity, Follow, FollowDigest
from relationships.models import Relationship
from scoring.models import ClosenessSnapshot
from scoring.selectors import BAND_MOVES, changes_since

logger = logging.getLogger(__name__)

# how each band move reads for the entity followed
MOVE_WORDS = {
    "became_close": "became close", "no_longer_close": "no longer close",
    "became_working": "became a working tie", "no_longer_working": "fell back to distant",
}
# the weekly email compares with the scores of a week before
DIGEST_DAYS = 7
# a confirmation link works for a week; a new one goes at most every two minutes an account
# (asking again and again must not flood an inbox, yet a typo can be put right soon)
LINK_DAYS = 7
LINK_INTERVAL = timedelta(minutes=2)
LINK_SALT = "core.following.weekly-summary"


@dataclass
class FollowedChanges:
    """One followed entity: its pairs that changed band (each with the other entity, the move in
    words, and the scores then and now), its flags raised and ended since, and the relationships of
    its recorded since (a new contribution, a new job: news before any score moves)."""

    entity: Entity
    moved: list[dict] = field(default_factory=list)
    raised: list[Flag] = field(default_factory=list)
    lapsed: list[Flag] = field(default_factory=list)
    recorded: list[Relationship] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(self.entity.pk)

    @property
    def changed(self) -> bool:
        return bool(self.moved or self.raised or self.lapsed or self.recorded)


def followed_changes(user, snapshot: ClosenessSnapshot | None, day: date | None) -> tuple[ClosenessSnapshot | None, list[FollowedChanges]]:
    """The snapshot compared with (as of `day` or just before; default a month before `snapshot`)
    and, for each entity `user` follows by name, what changed since: read once for all of them
    (a query per entity made 500 queries and 1.3-2.3 s for 100 entities at 20,000), then shared
    out (a pair of two followed entities, or a flag on both, is under each)."""
    rows = [FollowedChanges(follow.entity) for follow in
            Follow.objects.filter(user=user).select_related("entity").order_by("entity__name", "entity_id")]
    changes = changes_since(snapshot, day, [row.entity for row in rows]) if rows else None
    if changes is None:
        return None, rows
    of_entity = {row.entity.pk: row for row in rows}
    for move in BAND_MOVES:
        for c in changes.moves[move]:
            for entity, other in ((c["a"], c["b"]), (c["b"], c["a"])):
                if entity.pk in of_entity:
                    of_entity[entity.pk].moved.append({"other": other, "a": c["a"], "b": c["b"], "band_move": move, "move": MOVE_WORDS[move],
                                                      "before": c["before"], "after": c["after"]})
    for flags, attribute in ((changes.flags_raised, "raised"), (changes.flags_lapsed, "lapsed")):
        for flag in flags.prefetch_related("persons"):
            for pk in sorted(involved_ids(flag) & of_entity.keys()):
                getattr(of_entity[pk], attribute).append(flag)
    for relationship in recorded_since(changes.since, list(of_entity)):
        for pk in {relationship.source_id, relationship.target_id} & of_entity.keys():
            of_entity[pk].recorded.append(relationship)
    return changes.since, rows


def recorded_since(since: ClosenessSnapshot, entity_ids: list[int]):
    """The relationships of these entities recorded (imported, or added on a page or by the API)
    after the scores `since` were computed, the newest fact first."""
    recorded_after = since.finished_at or since.started_at
    return (Relationship.objects.filter(created_at__gt=recorded_after).filter(Q(source_id__in=entity_ids) | Q(target_id__in=entity_ids))
            .select_related("source", "target").order_by(F("start_date").desc(nulls_last=True), "external_id"))


def site_link(view: str, *args) -> str:
    """A page's address as an email gives it (SITE_URL and the page's path); no view: the site."""
    return settings.SITE_URL.rstrip("/") + (reverse(view, args=args) if view else "")


def digest_text(snapshot: ClosenessSnapshot, since: ClosenessSnapshot, rows: list[FollowedChanges], stop_link: str = "") -> str:
    """The weekly email's body: each followed entity that changed, with links to its pages, and
    the link that stops the emails."""
    lines = [f"The scores as of {snapshot.as_of} against those as of {since.as_of}:", ""]
    for row in rows:
        if not row.changed:
            continue
        lines.append(f"{row.entity.name} ({site_link('entity_detail', row.entity.external_id)})")
        lines += [f"  - {m['move']} with {m['other'].name}: {pair_score_text(m['before'])} -> {pair_score_text(m['after'])} "
                  f"({site_link('pair_detail', m['a'].external_id, m['b'].external_id)})" for m in row.moved]
        for label, flags in (("flag raised", row.raised), ("flag no longer holds", row.lapsed)):
            lines += [f"  - {label}: {rule_name(f.rule)}, {f.subject.name} / {f.counterpart.name}, {f.severity} "
                      f"({site_link('flag_detail', f.pk)})" for f in flags]
        lines += [f"  - recorded: {r.source.name} {r.get_type_display()} {r.target.name}, {r.held_in_words} "
                  f"({site_link('relationship_detail', r.external_id)})" for r in row.recorded]
        lines.append("")
    quiet = [row.entity.name for row in rows if not row.changed]
    if quiet:
        lines += [f"Nothing changed for: {', '.join(quiet)}.", ""]
    lines += [f"Your Following page: {site_link('following')}",
              f"To stop these emails: {stop_link}" if stop_link else "To stop these emails, untick the weekly summary there."]
    return "\n".join(lines)


def digest_html(snapshot: ClosenessSnapshot, since: ClosenessSnapshot, rows: list[FollowedChanges], stop_link: str = "") -> str:
    """The weekly email's HTML part: what `digest_text` says, with its links as links."""
    return render_to_string("core/following_digest_email.html", {
        "snapshot": snapshot, "since": since, "rows": rows, "stop_link": stop_link, "site": site_link(""),
        "quiet": [row.entity.name for row in rows if not row.changed],
    })


class SummaryRequest(enum.Enum):
    """What asking for the weekly summary at an address did."""

    ON = "on"  # the address was confirmed before: the summary is on
    LINK_SENT = "link sent"  # a link went to the address; the summary starts once it is opened
    LINK_RECENT = "link recent"  # a link went less than LINK_INTERVAL ago: nothing sent, nothing changed


def weekly_summary_link(user, address: str) -> str:
    """The confirmation link for `user`'s weekly summary at `address` (signed, dated: see
    `confirm_weekly_summary`)."""
    token = signing.dumps({"user": user.pk, "address": address}, salt=LINK_SALT, compress=True)
    return site_link("following_digest_confirm", token)


def request_weekly_summary(user, address: str, *, now: datetime) -> tuple[FollowDigest, SummaryRequest]:
    """Turn on `user`'s weekly summary at `address`: at once if that address was confirmed before,
    otherwise once the owner of the address opens the link this emails to it."""
    with transaction.atomic():
        digest, _ = FollowDigest.objects.select_for_update().get_or_create(user=user)
        if address == digest.confirmed_address:
            digest.weekly, digest.address = True, address
            digest.save(update_fields=["weekly", "address"])
            return digest, SummaryRequest.ON
        if digest.link_sent_at and now - digest.link_sent_at < LINK_INTERVAL:
            return digest, SummaryRequest.LINK_RECENT
        digest.weekly, digest.address, digest.link_sent_at = True, address, now
        digest.save(update_fields=["weekly", "address", "link_sent_at"])
        send_mail(
            "Confirm your weekly summary",
            f"{user.get_username()}, signed in at {site_link('')}, asked for a weekly summary of what changed for the entities "
            f"they follow, sent to this address.\n\nTo start it, open this link within {LINK_DAYS} days and confirm:\n"
            f"{weekly_summary_link(user, address)}\n\nIf you did not ask for it, ignore this email: nothing more will be sent.",
            None, [address],
        )
        return digest, SummaryRequest.LINK_SENT


ALTERED_LINK = "This link is not one the tracker sent, or it was cut short: copy the whole link from the email."


class LinkProblem(Exception):
    """Why a confirmation link does not confirm anything, in words for the person who opened it."""


def weekly_summary_address(user, token: str) -> str:
    """The address a confirmation link confirms for `user`, or `LinkProblem`: a link altered,
    expired, made for another account, or for an address the summary no longer goes to."""
    try:
        claim = signing.loads(token, salt=LINK_SALT, max_age=timedelta(days=LINK_DAYS))
    except signing.SignatureExpired:
        raise LinkProblem(f"This link has expired (links work for {LINK_DAYS} days): ask for a new one below.") from None
    except signing.BadSignature:
        raise LinkProblem(ALTERED_LINK) from None
    if claim.get("user") != user.pk:
        raise LinkProblem("This link was sent for another account: sign in as the account that asked for it.")
    digest = FollowDigest.objects.filter(user=user).first()
    if digest is None or digest.address != claim.get("address"):
        raise LinkProblem(f"This link is for {claim.get('address')}, which is no longer the address of your weekly summary.")
    return digest.address


def confirm_weekly_summary(user, token: str) -> FollowDigest:
    """Confirm the address a link was sent to and turn the weekly summary on (`LinkProblem` if the
    link does not hold)."""
    with transaction.atomic():
        address = weekly_summary_address(user, token)
        digest = FollowDigest.objects.select_for_update().get(user=user)
        digest.weekly, digest.confirmed_address = True, address
        digest.save(update_fields=["weekly", "confirmed_address"])
        return digest


STOP_SALT = "core.following.weekly-summary-stop"


def weekly_summary_stop_link(user) -> str:
    """The link in each weekly email that stops them: signed for the account, with no expiry (an
    old email's link must still work), and good for nothing else."""
    token = signing.dumps({"user": user.pk}, salt=STOP_SALT)
    return site_link("following_digest_stop", token)


def stop_link_account(token: str) -> int:
    """The account a stop link names (`LinkProblem` if the link was altered or cut short, or the
    account is gone)."""
    try:
        claim = signing.loads(token, salt=STOP_SALT)
    except signing.BadSignature:
        raise LinkProblem(ALTERED_LINK) from None
    if not get_user_model().objects.filter(pk=claim.get("user")).exists():
        raise LinkProblem("This link's account no longer exists: no summary goes to it.")
    return claim["user"]


def weekly_summary_stop(token: str) -> None:
    """Turn off the weekly summary of the account a stop link names, if it is on."""
    FollowDigest.objects.filter(user_id=stop_link_account(token), weekly=True).update(weekly=False)


class SummariesNotSent(Exception):
    """Some weekly summaries could not be sent (the mail server did not answer, or refused an
    address); the others were. Sending again sends only those (each summary sent is marked)."""

    def __init__(self, sent: int, unsent: list[str]):
        super().__init__(f"{count_text(len(unsent), 'weekly summary', 'weekly summaries')} not sent "
                         f"({', '.join(unsent)}), {sent} sent")


def send_following_digests(*, today: date) -> int:
    """Email each user who asked for the weekly summary at an address they confirmed and follows an
    entity that changed since a week before `today`; at most once a day (a task run twice sends
    once). Returns how many were sent; raises `SummariesNotSent`, once the others are sent, when
    some could not be (one address refused, or the mail server gone, no longer stops the rest)."""
    from scoring.services import current_snapshot

    snapshot = current_snapshot()
    if snapshot is None:
        return 0
    sent, unsent = 0, []
    for digest in FollowDigest.objects.filter(weekly=True, address=F("confirmed_address")).exclude(address="").select_related("user"):
        with transaction.atomic():
            digest = FollowDigest.objects.select_for_update().get(pk=digest.pk)
            if not (digest.weekly and digest.confirmed) or digest.last_sent == today:
                continue
            since, rows = followed_changes(digest.user, snapshot, today - timedelta(days=DIGEST_DAYS))
            if since is None or since.pk == snapshot.pk or not any(row.changed for row in rows):
                continue
            stop = weekly_summary_stop_link(digest.user)
            message = EmailMultiAlternatives(
                f"What changed for the entities you follow since {since.as_of}", digest_text(snapshot, since, rows, stop),
                None, [digest.address],
                # one click in the mail client stops them (RFC 8058), without signing in
                headers={"List-Unsubscribe": f"<{stop}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
            )
            message.attach_alternative(digest_html(snapshot, since, rows, stop), "text/html")
            try:
                message.send()
            except (smtplib.SMTPException, OSError) as exc:
                logger.warning("weekly summary to %s not sent: %s", digest.address, exc)
                unsent.append(digest.address)
                continue
            digest.last_sent = today
            digest.save(update_fields=["last_sent"])
            sent += 1
    if unsent:
        raise SummariesNotSent(sent, unsent)
    return sent
