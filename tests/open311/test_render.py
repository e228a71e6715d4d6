"""The XML renderer: the spec's element names, booleans, empty elements for null, and text
XML 1.0 can carry."""

import xml.etree.ElementTree as ET

from open311.render import errors, render, to_xml


def test_lists_take_the_singular_tag():
    root = ET.fromstring(to_xml("services", [{"service_code": "A", "metadata": False}]))
    assert root.tag == "services"
    [service] = root
    assert service.tag == "service"
    assert service.findtext("service_code") == "A" and service.findtext("metadata") == "false"


def test_nested_lists_and_null():
    data = {
        "service_code": "A",
        "attributes": [{"values": [{"key": "1", "name": "一"}], "order": None}],
    }
    root = ET.fromstring(to_xml("service_definition", data))
    value = root.find("attributes/attribute/values/value")
    assert value.findtext("key") == "1" and value.findtext("name") == "一"
    order = root.find("attributes/attribute/order")
    assert order is not None and order.text is None


def test_characters_xml_cannot_carry_are_dropped():
    root = ET.fromstring(to_xml("errors", errors(400, "x", "bad\x00\x07 input\ttab")))
    assert root.findtext("error/description") == "x: bad input\ttab"


def test_utf8_both_ways():
    json_response = render([{"service_name": "高龄津贴"}], "json", root="services")
    assert "高龄津贴".encode() in json_response.content
    assert json_response["Content-Type"] == "application/json; charset=utf-8"
    xml_response = render([{"service_name": "高龄津贴"}], "xml", root="services")
    assert "高龄津贴".encode() in xml_response.content
    assert xml_response["Content-Type"] == "text/xml; charset=utf-8"
