"""The action table's shape: what the API may take, and that a case's opening is not one."""

import pytest

from appointments import actions
from core.errors import NotFound


def test_the_api_takes_the_public_actions_only():
    assert actions.PUBLIC_ACTIONS == ["cancel", "confirm", "decline", "hand_over", "reassign"]
    assert not actions.ACTIONS["open_case"].public


@pytest.mark.django_db
def test_opening_a_case_is_not_an_action_a_client_can_take():
    with pytest.raises(NotFound) as info:
        actions.appointment_act(actor=None, appointment_id=1, action="open_case", payload={})
    assert info.value.code == "unknown_action"
    assert info.value.details == {"allowed": actions.PUBLIC_ACTIONS}
