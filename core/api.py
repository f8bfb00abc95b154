"""What every API endpoint shares: role permissions, pagination, how a number is read, and a
record's version (ETag) for changes that must not undo another's."""
import contextlib
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import TypeVar

from django.db.models import ProtectedError, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import APIException
from rest_framework.pagination import PageNumberPagination

from . import roles
from .integrity import CHANGED, ChangedMeanwhile, Refusal, referred_to_by, written_unless_changed_meanwhile
from .paging import ordered_to_the_row
from .tables import MAX_PER_PAGE
from .validation import parse_decimal, unknown_name_message

T = TypeVar("T")


class StandardPagination(PageNumberPagination):
    """50 a page, or `?page_size=` up to MAX_PER_PAGE, in one order from page to page whatever
    `?ordering=` asks. The pages' `?per_page=` is read as `page_size`, so a page's query copied into
    a script asks the API the same."""

    page_size = 50
    page_size_query_param = "page_size"
    page_size_alias = "per_page"
    max_page_size = MAX_PER_PAGE

    def get_page_size(self, request):
        asked = request.query_params.get(self.page_size_alias)
        if asked is None or self.page_size_query_param in request.query_params:
            return super().get_page_size(request)
        # as DRF reads page_size: cut to the most, and the default for what is no count
        with contextlib.suppress(ValueError):
            if (size := int(asked)) > 0:
                return min(size, self.max_page_size)
        return self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        if isinstance(queryset, QuerySet):
            queryset = ordered_to_the_row(queryset)
        return super().paginate_queryset(queryset, request, view)


def role_permission(*, read=roles.can_view, write=roles.can_edit_data, delete=None, name="RolePermission"):
    """A permission class: `read(user)` for safe methods, `delete(user)` (when given) for DELETE,
    `write(user)` for the others."""

    class RolePermission(permissions.BasePermission):
        message = "Your role does not allow this."

        def has_permission(self, request, view):
            if not request.user or not request.user.is_authenticated:
                return False
            if request.method in permissions.SAFE_METHODS:
                check = read
            elif request.method == "DELETE" and delete is not None:
                check = delete
            else:
                check = write
            return bool(check(request.user))

    RolePermission.__name__ = name
    return RolePermission


ReadForStaffWriteForAdministrators = role_permission(name="ReadForStaffWriteForAdministrators")
# entities: analysts add and correct them, as on the pages (an import of a row does the same);
# deleting one is an administrator's
ReadForStaffRecordForAnalysts = role_permission(write=roles.can_record_facts, delete=roles.can_edit_data,
                                                name="ReadForStaffRecordForAnalystsDeleteForAdministrators")
# relationships and disclosures: analysts delete them too, as on the pages (each viewset refuses
# with a 409 what a flag, a disclosure or the public register rests on)
ReadForStaffRecordAndDeleteForAnalysts = role_permission(write=roles.can_record_facts, name="ReadForStaffRecordAndDeleteForAnalysts")
ReadOnlyForStaff = role_permission(write=lambda user: False, name="ReadOnlyForStaff")


def answering_a_write(serializer) -> bool:
    """Whether `serializer` is answering a create or a correction: the warnings said when something
    is saved (a fact or a meeting given twice, a date after today) are said then, not on each read."""
    request = serializer.context.get("request")
    return request is not None and request.method in ("POST", "PUT", "PATCH")


class UnknownFieldsRefused:
    """A serializer mixin: a write naming a field the record does not have is a 400 naming it (with
    the field meant), where DRF passed it over: `{"ammount": 500}` answered 200 having changed
    nothing, as an import refuses a column it does not know. Read-only fields are known, so a
    record read, changed and sent back whole is taken; the browsable API's form adds its token."""

    known_beyond_fields: tuple[str, ...] = ()  # read by the view itself (an upload's files)
    known_fields_words = "this record has"

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            known = set(self.fields) | set(self.known_beyond_fields)
            unknown = sorted(set(data) - known - {"csrfmiddlewaretoken"})
            if unknown:
                raise serializers.ValidationError({
                    name: [unknown_name_message(name, known, what="field", known_words=self.known_fields_words)] for name in unknown
                })
        return super().to_internal_value(data)


class WrittenDecimalField(serializers.DecimalField):
    """A number given as JSON's number, or as text read by the import's rule (`parse_decimal`), as
    the pages' forms read it: "2,500" is 2500, and "$2,500" or "7,5" is refused saying how to write
    it (DRF said "A valid number is required."). `points_may_separate_thousands`: an amount, where
    "1.234" may be 1,234 and is refused saying so."""

    def __init__(self, *args, points_may_separate_thousands: bool = False, **kwargs):
        self.points_may_separate_thousands = points_may_separate_thousands
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and data.strip():
            try:
                data = parse_decimal(data.strip(), places=self.decimal_places if self.points_may_separate_thousands else None)
            except ValueError as exc:
                raise serializers.ValidationError(str(exc)) from None
        return super().to_internal_value(data)


class Conflict(APIException):
    status_code = 409
    default_detail = "This record is still referenced by others."
    default_code = "conflict"


class ProtectedDeleteMixin:
    """Deleting a record others still refer to is a 409 with the reason, not a server error; so is
    one that a row stored meanwhile refers to, or that someone deleted meanwhile."""

    def perform_destroy(self, instance):
        try:
            written_unless_changed_meanwhile(self.unless_changed_since_checked(instance.delete, instance), correcting=instance)
        except ProtectedError as exc:
            raise Conflict(f"Cannot delete {instance}: it is still referenced by {referred_to_by(exc)}.") from None
        except ChangedMeanwhile as changed:
            if changed.refusal.kind == CHANGED:
                raise ChangedSinceRead(f"Not deleted: {changed.refusal.why_not_deleted()} ({instance}): read it again first.") from None
            raise Conflict(f"Cannot delete {instance}: {changed.refusal.why_not_deleted()}.") from None

    def unless_changed_since_checked(self, write: Callable[[], T], instance) -> Callable[[], T]:
        """`write`, to run under the record's lock (`written_unless_changed_meanwhile`), refused
        (CHANGED) unless the record still has the version `If-Match` was checked against: what the
        API shows of it, a meeting's attendees too, as someone may have changed it in between."""
        checked = getattr(self, "version_as_checked", None)
        if checked is None:
            return write

        def written_if_unchanged():
            if version_tag(self.get_serializer(self.get_queryset().get(pk=instance.pk)).data) != checked:
                raise ChangedMeanwhile(Refusal(CHANGED, instance._meta.db_table))
            return write()

        return written_if_unchanged


CONFLICT_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Refused, nothing written: `detail` says why (a record that others refer to, or one deleted meanwhile), or the "
                "field at fault is named, as a validation error names it (an id stored meanwhile, an entity deleted or merged "
                "into another meanwhile).",
)


class ChangedSinceRead(APIException):
    status_code = 412
    default_detail = "The record changed since it was read."
    default_code = "precondition_failed"


CHANGED_SINCE_READ_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Refused, nothing written: `If-Match` named a version the record no longer has (someone changed it since it "
                "was read); `detail` says so. Read it again (its `ETag`), then send the change.",
)
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="The record's `ETag` as read: the change is refused (412) if someone changed the record since. Without it, the "
                "change is made whatever changed since.",
)


def conflicts_documented(viewset):
    """A class decorator: `viewset`'s writes answer 409 as well (`ExternalIdModelViewSet`), and 412
    to an `If-Match` the record no longer matches, said in the OpenAPI schema, so that a client
    generated from it expects those answers."""
    serializer = viewset.serializer_class
    return extend_schema_view(
        create=extend_schema(responses={201: serializer, 409: CONFLICT_RESPONSE}),
        update=extend_schema(parameters=[IF_MATCH], responses={200: serializer, 409: CONFLICT_RESPONSE, 412: CHANGED_SINCE_READ_RESPONSE}),
        partial_update=extend_schema(parameters=[IF_MATCH],
                                     responses={200: serializer, 409: CONFLICT_RESPONSE, 412: CHANGED_SINCE_READ_RESPONSE}),
        destroy=extend_schema(parameters=[IF_MATCH], responses={204: None, 409: CONFLICT_RESPONSE, 412: CHANGED_SINCE_READ_RESPONSE}),
    )(viewset)


def version_tag(representation) -> str:
    """A record's version as an ETag: a digest of what the API shows of it, so any change to that
    gives another; not its `warnings`, which a write says and a read does not."""
    recorded = {name: value for name, value in representation.items() if name != "warnings"}
    digest = hashlib.sha256(json.dumps(recorded, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f'"{digest}"'


class ExternalIdModelViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet):
    """A model's endpoint looked up by external_id: staff read, administrators write."""

    lookup_field = "external_id"
    lookup_value_regex = r"[A-Za-z0-9._-]+"
    permission_classes = [ReadForStaffWriteForAdministrators]
    pagination_class = StandardPagination

    # A record read carries its version (ETag); a change or deletion sent with `If-Match` is refused
    # (412) when the record changed since, where the last to write undid the other's change unseen,
    # as the pages refuse it (core.forms.UnchangedSinceShownMixin). Without If-Match, as before.
    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = version_tag(response.data)
        return response

    def update(self, request, *args, **kwargs):
        self._unchanged_since_read(request)
        response = super().update(request, *args, **kwargs)
        response["ETag"] = version_tag(response.data)  # the record as saved (its warnings aside, as a read shows it)
        return response

    def destroy(self, request, *args, **kwargs):
        self._unchanged_since_read(request)
        return super().destroy(request, *args, **kwargs)

    def _unchanged_since_read(self, request) -> None:
        asked = request.headers.get("If-Match")
        if not asked:
            return
        record = self.get_object()
        now = version_tag(self.get_serializer(record).data)
        if asked.strip() != "*" and now not in {tag.strip().removeprefix("W/") for tag in asked.split(",")}:
            raise ChangedSinceRead(f"Not saved: {record} changed since it was read (its ETag is now {now}): read it again, "
                                   f"then send the change.")
        # the write locks the record's row and is refused (412) if someone changed it in between
        self.version_as_checked = now

    def perform_create(self, serializer):
        self.saved(serializer)

    def perform_update(self, serializer):
        self.saved(serializer)

    def saved(self, serializer, **values):
        """Save `serializer` (with `values`), or answer 409 naming the field at fault when a change
        made meanwhile stands in its way, as the pages' forms say it (`core.integrity`): an id
        stored, an entity deleted or merged, the record corrected deleted (saving it had stored it
        again)."""
        try:
            return written_unless_changed_meanwhile(self.unless_changed_since_checked(lambda: serializer.save(**values), serializer.instance),
                                                    correcting=serializer.instance)
        except ChangedMeanwhile as changed:
            if changed.refusal.kind == CHANGED:
                raise ChangedSinceRead(f"Not saved: {serializer.instance} changed since it was read, at the same moment: read it "
                                       f"again, then send the change.") from None
            errors = changed.refusal.errors(serializer.Meta.model, serializer.fields)
            raise Conflict({field or "detail": message if field is None else [message] for field, message in errors.items()}) from None
