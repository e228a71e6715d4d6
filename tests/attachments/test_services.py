"""attachments.services: two sends of one client_uuid that cross in flight store one
attachment and leave no stray file; the service refuses an unknown kind itself."""

import uuid

import pytest

from attachments import services
from attachments.models import Attachment
from core.errors import ApplicationError, Conflict

from .conftest import jpeg_with_gps, stored_files, upload


def _upload(key=None, kind="document_photo"):
    return services.Upload(file=upload(jpeg_with_gps()), kind=kind, client_uuid=key)


def crossing(monkeypatch):
    """The next send looks before the first has committed: its first look sees nothing, and it
    collides on the unique client_uuid when it inserts; the look after that finds the first."""
    real = services._sent_before
    looks = []

    def sent_before(key):
        looks.append(key)
        return None if len(looks) == 1 else real(key)

    monkeypatch.setattr(services, "_sent_before", sent_before)
    return looks


def test_a_crossing_repeat_returns_the_first_and_removes_its_file(
    attach_world, media_root, monkeypatch
):
    agent = attach_world["people"]["agent1"].user
    case = attach_world["case"]
    key = uuid.uuid4()
    first, created = services.attachment_upload(actor=agent, upload=_upload(key), case_id=case.pk)
    assert created
    looks = crossing(monkeypatch)
    again, created = services.attachment_upload(actor=agent, upload=_upload(key), case_id=case.pk)
    assert not created and again.pk == first.pk and len(looks) == 2
    assert Attachment.objects.count() == 1 and len(stored_files(media_root)) == 1


def test_a_crossing_send_by_someone_else_is_taken(attach_world, media_root, monkeypatch):
    case = attach_world["case"]
    key = uuid.uuid4()
    services.attachment_upload(
        actor=attach_world["people"]["agent1"].user, upload=_upload(key), case_id=case.pk
    )
    crossing(monkeypatch)
    with pytest.raises(Conflict) as refused:
        services.attachment_upload(
            actor=attach_world["people"]["manager1"].user, upload=_upload(key), case_id=case.pk
        )
    assert refused.value.code == "client_uuid_taken"
    assert len(stored_files(media_root)) == 1


def test_an_unknown_kind_is_refused_by_the_service(attach_world):
    with pytest.raises(ApplicationError) as refused:
        services.attachment_upload(
            actor=attach_world["people"]["agent1"].user,
            upload=_upload(kind="selfie"),
            case_id=attach_world["case"].pk,
        )
    assert refused.value.code == "invalid_kind"


def test_exactly_one_subject(attach_world):
    agent = attach_world["people"]["agent1"].user
    with pytest.raises(ValueError):
        services.attachment_upload(actor=agent, upload=_upload())
    with pytest.raises(ValueError):
        services.attachment_upload(
            actor=agent,
            upload=_upload(),
            case_id=attach_world["case"].pk,
            visit_id=attach_world["visit"].pk,
        )
