"""The OpenAPI schema builds without a single warning, and the docs page works offline."""

import pytest
from django.core.management import call_command


def test_schema_builds_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert out.read_text().startswith("openapi: 3")


@pytest.mark.django_db
def test_docs_page_uses_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "//cdn" not in html and "unpkg" not in html and "jsdelivr" not in html
