"""Someone else's change between a write's check and its save, for the tests of what the pages,
the API and the admin say then (core/integrity.py)."""
from django.db import connection


def keys_checked_at_each_statement() -> None:
    """The foreign keys checked at each statement of the test's transaction, as the commit checks
    them outside a test (which never commits): a row referring to one deleted is refused there."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def deleted_by_someone_else(record) -> None:
    """Delete `record` as another session would, without Django's collector (which would refuse it
    for the rows referring to it, or delete them)."""
    type(record).objects.filter(pk=record.pk)._raw_delete(connection.alias)


def deleted_once_checked(monkeypatch, owner, method: str, record) -> None:
    """`record` deleted by someone else just after `owner.method` (a form's or serializer's check)
    first ran, before the save (once: a page shown again checks it again, finding it gone)."""
    checked = getattr(owner, method)

    def then_deleted(self, *args, **kwargs):
        result = checked(self, *args, **kwargs)
        monkeypatch.setattr(owner, method, checked)
        deleted_by_someone_else(record)
        return result

    monkeypatch.setattr(owner, method, then_deleted)


def changed_once_checked(monkeypatch, owner, method: str, record, **values) -> None:
    """`record` saved with `values` by someone else just after `owner.method` (a form's check of a
    change saved since) first ran, before the save locks the row (once, as `deleted_once_checked`)."""
    checked = getattr(owner, method)

    def then_changed(self, *args, **kwargs):
        result = checked(self, *args, **kwargs)
        monkeypatch.setattr(owner, method, checked)
        type(record).objects.filter(pk=record.pk).update(**values)
        return result

    monkeypatch.setattr(owner, method, then_changed)
