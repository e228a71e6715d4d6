"""GET services and GET service definition: the catalogue as GeoReport v2 services."""

import pytest

from catalogue.models import ServiceItem
from tests.open311.helpers import (
    ATTRIBUTE_FIELDS,
    DEFINITION_FIELDS,
    SERVICE_FIELDS,
    as_json,
    assert_same_in_xml,
    error_of,
    get,
    validate,
    xml_list,
    xml_root,
)


def test_services_list_the_active_items(o311, client):
    services = as_json(get(client, "services"))
    validate(services, "services.json")
    assert [s["service_code"] for s in services] == ["MZ-001", "QT-000"]
    for service in services:
        assert set(service) == SERVICE_FIELDS
        validate(service, "service.json")
    mz = services[0]
    assert mz == {
        "service_code": "MZ-001",
        "service_name": "高龄津贴申请",
        "description": None,
        "metadata": False,
        "type": "realtime",
        "keywords": "老年人服务,区民政局",
        "group": "老年人服务",
    }
    # the "other request" points clients at its definition (an informational attribute)
    assert services[1]["metadata"] is True


def test_services_in_xml_carry_the_same_fields(o311, client):
    from_json = as_json(get(client, "services"))
    from_xml = xml_list(get(client, "services", "xml"), "services", "service")
    assert_same_in_xml(from_json, from_xml)
    assert from_xml[0]["metadata"] == "false" and from_xml[0]["type"] == "realtime"


def test_inactive_items_are_not_services(o311, client):
    ServiceItem.objects.filter(code="MZ-001").update(active=False)
    assert [s["service_code"] for s in as_json(get(client, "services"))] == ["QT-000"]
    assert error_of(get(client, "services/MZ-001"), 404) == "unknown_service_code"


def test_a_new_version_changes_the_name(o311, client):
    from catalogue import services as catalogue_services

    item = ServiceItem.objects.get(code="MZ-001")
    catalogue_services.item_revise(actor=None, item=item, changes={"name": "高龄津贴申请（新）"})
    services = as_json(get(client, "services"))
    assert services[0]["service_name"] == "高龄津贴申请（新）"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_plain_item_has_no_attributes(o311, client, fmt):
    response = get(client, "services/MZ-001", fmt)
    if fmt == "json":
        definition = as_json(response)
        validate(definition, "service-definition.json")
        assert definition == {"service_code": "MZ-001", "attributes": []}
    else:
        root = xml_root(response)
        assert root.tag == "service_definition"
        assert {child.tag for child in root} == DEFINITION_FIELDS
        assert root.findtext("service_code") == "MZ-001"
        assert list(root.find("attributes")) == []


def test_the_other_request_says_a_description_is_needed(o311, client):
    definition = as_json(get(client, "services/QT-000"))
    validate(definition, "service-definition.json")
    assert set(definition) == DEFINITION_FIELDS
    [attribute] = definition["attributes"]
    assert set(attribute) == ATTRIBUTE_FIELDS
    assert attribute["variable"] is False and attribute["required"] is False
    assert "description" in attribute["description"]

    root = xml_root(get(client, "services/QT-000", "xml"))
    attributes = root.find("attributes")
    assert [a.tag for a in attributes] == ["attribute"]
    from_xml = {field.tag: field.text for field in attributes[0]}
    assert_same_in_xml([attribute], [from_xml])


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_code(o311, client, fmt):
    assert error_of(get(client, "services/NOPE-1", fmt), 404, fmt) == "unknown_service_code"


@pytest.mark.parametrize(
    "path", ["services.html", "services", "services/MZ-001.csv", "services.JSON"]
)
def test_unknown_format_is_404_in_the_spec_form(o311, client, path):
    assert error_of(client.get(f"/open311/v2/{path}"), 404) in {"unknown_format", "not_found"}


def test_other_paths_are_404_in_the_spec_form(o311, client):
    assert error_of(client.get("/open311/v2/discovery.json"), 404) == "not_found"
    assert error_of(client.get("/open311/v2/"), 404) == "not_found"
    assert error_of(client.post("/open311/v2/tokens/x.json"), 404) == "not_found"


def test_services_are_read_only(o311, client):
    assert error_of(client.post("/open311/v2/services.json"), 405) == "method_not_allowed"
    assert error_of(client.delete("/open311/v2/services.xml"), 405, "xml") == "method_not_allowed"


def test_services_need_no_key_and_are_not_under_the_api_error_shape(o311, client):
    response = get(client, "services")
    assert response.status_code == 200
    assert isinstance(response.json(), list)
